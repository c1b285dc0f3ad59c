import { Rule } from "../types";
import { APPLICATION_TYPE, DBT_REDIRECT_PATHS } from "../wellKnownIds";

/**
 * Redirect URIs decide where Entra may send an authorization code. Only dbt Cloud's two
 * completion paths, over https, belong on this app; anything else widens who can receive a
 * code issued for it.
 */
export const dbtRedirectUris: Rule = {
    name: "entra-app-dbt-redirect-uris-only",
    description: "Web redirect URIs are https and only dbt Cloud's /complete/azure_active_directory[_service_user] paths; no SPA or public-client URIs.",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ props }) {
        const violations: string[] = [];
        const web = asRecord(props.web);
        const webUris = asArray(web?.redirectUris);
        if (webUris.length === 0) {
            violations.push("no Web redirect URI: dbt Cloud cannot complete the sign-in.");
        }
        for (const uri of webUris) {
            const problem = redirectUriProblem(uri);
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

/** Why a URI is not one of dbt Cloud's, or undefined when it is. */
export function redirectUriProblem(uri: unknown): string | undefined {
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
    return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}
