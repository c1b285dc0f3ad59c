import { PolicyResource, Rule } from "../types";
import { APPLICATION_TYPE, DBT_REDIRECT_PATHS } from "../wellKnownIds";

/** dbt Cloud's own domains: the hosts accepted when neither the stack nor the pack names any. */
export const DBT_DOMAINS = ["getdbt.com", "dbt.com"];
/** The program's component that declares the access hosts (its `dbtCloudHosts` input). */
export const APP_COMPONENT_TYPE = "dbt-azure-devops:entra:DbtAzureDevOpsApp";

export interface DbtRedirectUrisConfig {
    /** Exactly the access hosts allowed, when the stack's resources do not declare them. */
    allowedHosts: string[];
    /** Domains whose hosts are allowed when no host list is known. */
    allowedDomains: string[];
}

/**
 * Redirect URIs decide where Entra may send an authorization code. Only dbt Cloud's two
 * completion paths, over https, belong on this app; anything else widens who can receive a
 * code issued for it.
 */
export const dbtRedirectUris: Rule<DbtRedirectUrisConfig> = {
    name: "entra-app-dbt-redirect-uris-only",
    description: "Web redirect URIs are https, on the stack's configured dbt Cloud hosts only (else policy config allowedHosts, else *.getdbt.com / *.dbt.com), " +
        "and only dbt Cloud's /complete/azure_active_directory[_service_user] paths; no SPA or public-client URIs.",
    enforcementLevel: "mandatory",
    // It reads the app component's declared hosts, another resource: a stack policy in the pack.
    scope: "stack",
    resourceType: APPLICATION_TYPE,
    configSchema: {
        properties: {
            allowedHosts: { type: "array", items: { type: "string" }, default: [] },
            allowedDomains: { type: "array", items: { type: "string" }, default: DBT_DOMAINS },
        },
    },
    defaultConfig: { allowedHosts: [], allowedDomains: DBT_DOMAINS },
    check({ props }, context) {
        const violations: string[] = [];
        const hosts = allowedHostsOf(context);
        const web = asRecord(props.web);
        const webUris = asArray(web?.redirectUris);
        if (webUris.length === 0) {
            violations.push("no Web redirect URI: dbt Cloud cannot complete the sign-in.");
        }
        for (const uri of webUris) {
            const problem = redirectUriProblem(uri, hosts);
            if (problem) {
                violations.push(`Web redirect URI ${JSON.stringify(uri)} ${problem}.`);
            }
        }
        // dbt Cloud is a confidential web client: other platforms have no business here.
        for (const platform of ["spa", "publicClient"]) {
            for (const uri of asArray(asRecord(props[platform])?.redirectUris)) {
                violations.push(`${platform} redirect URI ${JSON.stringify(uri)} is not allowed; dbt Cloud only uses Web redirect URIs.`);
            }
        }
        return violations;
    },
};

/** Which hosts a URI may name. */
export type AllowedHosts = { exactly: string[]; from: string } | { domains: string[] };

/**
 * The hosts the stack itself declares (the app component's `dbtCloudHosts`, from its config),
 * else the pack config's `allowedHosts`, else any host under `allowedDomains` (dbt's).
 */
export function allowedHostsOf(context: { config: Partial<DbtRedirectUrisConfig>; stack?: readonly PolicyResource[] }): AllowedHosts {
    const declared = (context.stack ?? [])
        .filter((r) => r.type === APP_COMPONENT_TYPE)
        .flatMap((r) => (Array.isArray(r.props.dbtCloudHosts) ? r.props.dbtCloudHosts : []))
        .filter((h): h is string => typeof h === "string");
    if (declared.length > 0) {
        return { exactly: declared.map((h) => h.toLowerCase()), from: "the stack's dbtCloudHost and dbtCloudAdditionalHosts" };
    }
    const configured = (context.config.allowedHosts ?? []).filter((h) => typeof h === "string");
    if (configured.length > 0) {
        return { exactly: configured.map((h) => h.toLowerCase()), from: "the policy config's allowedHosts" };
    }
    return { domains: context.config.allowedDomains ?? DBT_DOMAINS };
}

/** Why a URI is not one of dbt Cloud's, or undefined when it is. */
export function redirectUriProblem(uri: unknown, hosts: AllowedHosts = { domains: DBT_DOMAINS }): string | undefined {
    if (typeof uri !== "string") {
        return "is not a string";
    }
    let url: URL;
    try {
        url = new URL(uri);
    } catch {
        return "is not an absolute URL";
    }
    if (url.protocol !== "https:") {
        return "is not https";
    }
    if (url.username || url.password || url.search || url.hash) {
        return "carries credentials, a query or a fragment";
    }
    if (!DBT_REDIRECT_PATHS.includes(url.pathname)) {
        return `has path ${url.pathname}, not one of ${DBT_REDIRECT_PATHS.join(", ")}`;
    }
    if (url.port) {
        return "names a port; dbt Cloud's access URLs have none";
    }
    const host = url.hostname.toLowerCase();
    if ("exactly" in hosts && !hosts.exactly.includes(host)) {
        return `is on host ${host}, not one of ${hosts.exactly.join(", ")} (${hosts.from})`;
    }
    if ("domains" in hosts && !hosts.domains.some((d) => host === d || host.endsWith(`.${d}`))) {
        return `is on host ${host}, outside dbt Cloud's domains (${hosts.domains.join(", ")}); for a custom domain set dbtCloudCustomDomain in the stack, ` +
            "or list the host in the policy config's allowedHosts";
    }
    return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}
