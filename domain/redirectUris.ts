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

export const DBT_REDIRECT_PATHS = [SIGN_IN_PATH, SERVICE_USER_PATH] as const;
