import { outsideCeiling, parsedHttpsUrl, withinCeiling } from "../hosts";
import { PolicyResource, Rule } from "../types";
import { asArray, asRecord } from "../values";
import { APPLICATION_TYPE, DBT_APP_COMPONENT_TYPE, DBT_DOMAINS, DBT_REDIRECT_PATHS } from "../wellKnownIds";

export interface DbtRedirectUrisConfig {
    /** Hosts allowed besides those under `allowedDomains`: a custom domain is listed here, in the pack config. */
    allowedHosts: string[];
    /** Domains whose hosts are allowed (default dbt Cloud's). */
    allowedDomains: string[];
}

/**
 * Redirect URIs decide where Entra may send an authorization code. Only dbt Cloud's two
 * completion paths, over https, belong on this app; anything else widens who can receive a
 * code issued for it.
 *
 * The hosts come from two places, and a URI needs both. The pack's own config is the ceiling
 * (`allowedDomains`, default dbt Cloud's, plus `allowedHosts`): it is reviewed apart from the
 * stack, and nothing the stack says can widen it. The stack's declared hosts (the app
 * component's `dbtCloudHosts`, from stack config) only narrow it further: a host the stack did
 * not declare has no business on the app even when it is dbt's. Trusting the stack's hosts
 * alone would let the pull request under review choose where sign-in codes go (see
 * ../wellKnownIds.ts on why a policy does not share what it polices).
 */
export const dbtRedirectUris: Rule<DbtRedirectUrisConfig> = {
    name: "entra-app-dbt-redirect-uris-only",
    description: "Web redirect URIs are https, on a host both allowed by the policy config (allowedDomains, default *.getdbt.com / *.dbt.com, " +
        "or allowedHosts) and declared by the stack's dbt Cloud hosts, and only dbt Cloud's /complete/azure_active_directory[_service_user] paths " +
        "(other platforms' URIs: entra-app-web-redirect-uris-only).",
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
        return violations;
    },
};

/**
 * Which hosts a URI may name: one the pack allows (under `domains`, or listed in `hosts`) and,
 * when the stack declares hosts, one of `declared` too.
 */
export interface AllowedHosts {
    domains: string[];
    hosts: string[];
    declared?: string[];
}

/** The pack config's ceiling, narrowed by the hosts the stack declares (the app component's `dbtCloudHosts`). */
export function allowedHostsOf(context: { config: Partial<DbtRedirectUrisConfig>; stack?: readonly PolicyResource[] }): AllowedHosts {
    const lower = (values: unknown) => (Array.isArray(values) ? values : []).filter((h): h is string => typeof h === "string").map((h) => h.toLowerCase());
    const declared = (context.stack ?? []).filter((r) => r.type === DBT_APP_COMPONENT_TYPE).flatMap((r) => lower(r.props.dbtCloudHosts));
    return {
        domains: lower(context.config.allowedDomains ?? DBT_DOMAINS),
        hosts: lower(context.config.allowedHosts ?? []),
        ...(declared.length > 0 ? { declared } : {}),
    };
}

/** Why a URI is not one of dbt Cloud's, or undefined when it is. */
export function redirectUriProblem(uri: unknown, allowed: AllowedHosts = { domains: DBT_DOMAINS, hosts: [] }): string | undefined {
    const url = parsedHttpsUrl(uri);
    if (typeof url === "string") {
        return url;
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
    const reasons: string[] = [];
    if (allowed.declared && !allowed.declared.includes(host)) {
        reasons.push(`not one of ${allowed.declared.join(", ")} (the stack's dbtCloudHost and dbtCloudAdditionalHosts)`);
    }
    if (!withinCeiling(host, allowed.domains, allowed.hosts)) {
        reasons.push(`not allowed by the policy pack: ${outsideCeiling(allowed.domains, allowed.hosts)}; a custom domain must be listed ` +
            "there, in the policy-pack config file (policy/config.json, --policy-pack-config), not only in the stack's config");
    }
    return reasons.length > 0 ? `is on host ${host}, ${reasons.join("; and ")}` : undefined;
}
