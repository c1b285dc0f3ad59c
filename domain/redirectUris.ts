import { AuthMode } from "./authMode";

/** dbt Cloud completes the Entra ID sign-in on these paths of its access URL. */
const SIGN_IN_PATH = "/complete/azure_active_directory";
const SERVICE_USER_PATH = "/complete/azure_active_directory_service_user";

/**
 * The exact Web redirect URIs dbt Cloud needs for an access host (e.g. `emea.dbt.com`):
 * the sign-in path always, the service-user path only in service-user mode. Nothing else, so a
 * stray URI is a diff, not a silent extra.
 */
export function dbtRedirectUris(accessHost: string, authMode: AuthMode): string[] {
    const base = `https://${accessHost}`;
    const uris = [`${base}${SIGN_IN_PATH}`];
    if (authMode === "service_user") {
        uris.push(`${base}${SERVICE_USER_PATH}`);
    }
    return uris;
}

/** Every host's URIs, primary host first: during a move to a new access URL both must work. */
export function dbtRedirectUrisForHosts(accessHosts: readonly string[], authMode: AuthMode): string[] {
    return accessHosts.flatMap((host) => dbtRedirectUris(host, authMode));
}

/**
 * The domain dbt Cloud says it redirects to (`oauth_redirect_uri_domain` of the account's
 * record, as dbt reports it now) must be one of the app's hosts, or developers cannot link their
 * accounts. Undefined when it is (or dbt gave none); otherwise the problem with the command that
 * adds it as the next additional host, saying whether dbt's record was written in this run.
 */
export function redirectDomainProblem(domain: string | undefined, accessHosts: readonly string[], nextAdditionalIndex: number, record: "written" | "not written"): string | undefined {
    const host = (domain ?? "").trim().replace(/^https:\/\//i, "").replace(/\/+$/, "").toLowerCase();
    if (host === "" || accessHosts.includes(host)) {
        return undefined;
    }
    return `dbt Cloud redirects the Azure DevOps sign-in to ${host} now (oauth_redirect_uri_domain of the account's Azure AD application record, ` +
        `as dbt reports it), which is not one of the app registration's hosts (${accessHosts.join(", ")}). ` +
        (record === "written" ? "dbt Cloud's record was written in this run, with a new secret that works. " : "Nothing was written. ") +
        `Add the host to the app and run pulumi up again: pulumi config set --path 'dbtCloudAdditionalHosts[${nextAdditionalIndex}]' ${host}`;
}

export const DBT_REDIRECT_PATHS = [SIGN_IN_PATH, SERVICE_USER_PATH] as const;
