/**
 * Where Entra tokens are requested and Microsoft Graph is called. The client secret itself is sent
 * to the authority when its readiness is proven, and the deploying identity's token goes to Graph,
 * so neither address may come from a stray environment variable:
 * - the authority is Microsoft's public one unless AZURE_AUTHORITY_HOST (the variable
 *   @azure/identity reads) names another of Microsoft's national-cloud authorities; any other
 *   value is honoured only under the test switch DBT_ADO_TEST_OVERRIDES=1, and then only an https
 *   URL (plain http is never possible: msal refuses it);
 * - Graph is https://graph.microsoft.com unless AZURE_GRAPH_BASE_URL is set under the test switch.
 */
import { baseUrlOverride, BASE_URL_OVERRIDES, testOverridesEnabled, tokenUrlProblem } from "./baseUrlOverride";

export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
/** Microsoft's authorities (@azure/identity's AzureAuthorityHosts: public, China, US Government). */
export const MICROSOFT_AUTHORITY_HOSTS = [DEFAULT_AUTHORITY_HOST, "https://login.chinacloudapi.cn", "https://login.microsoftonline.us"];
/** Graph's base URL unless the AZURE_GRAPH_BASE_URL test override is honoured (domain/baseUrlOverride.ts). */
export const DEFAULT_GRAPH_BASE_URL = BASE_URL_OVERRIDES.AZURE_GRAPH_BASE_URL;
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export interface AuthorityHost {
    url: string;
    /** A test authority: @azure/identity must not ask Microsoft for instance discovery of it. */
    isTestAuthority: boolean;
}

/** The authority tokens are requested from; throws a message naming the variable when it may not be used. */
export function authorityHost(env: Record<string, string | undefined>): AuthorityHost {
    const raw = (env.AZURE_AUTHORITY_HOST ?? "").trim().replace(/\/+$/, "");
    if (raw === "") {
        return { url: DEFAULT_AUTHORITY_HOST, isTestAuthority: false };
    }
    if (MICROSOFT_AUTHORITY_HOSTS.includes(raw.toLowerCase())) {
        return { url: raw.toLowerCase(), isTestAuthority: false };
    }
    if (!testOverridesEnabled(env)) {
        throw new Error(`AZURE_AUTHORITY_HOST is "${raw}", which is not one of Microsoft's authorities (${MICROSOFT_AUTHORITY_HOSTS.join(", ")}): ` +
            "the client secret would be sent there. Unset it, or set it to your cloud's authority.");
    }
    if (tokenUrlProblem(raw) !== undefined || !/^https:/i.test(raw)) {
        throw new Error(`AZURE_AUTHORITY_HOST must be an https:// URL without a user or password; got "${raw}".`);
    }
    return { url: raw, isTestAuthority: true };
}

/** Microsoft Graph's base URL, without the version segment or a trailing slash. */
export function graphBaseUrl(env: Record<string, string | undefined>): string {
    return baseUrlOverride("AZURE_GRAPH_BASE_URL", env) ?? DEFAULT_GRAPH_BASE_URL;
}

/**
 * The authority override in force, for the run's log (the base-URL overrides, Graph's among them,
 * are logged by domain/baseUrlOverride.ts): the client secret and the deploying identity's token go
 * there. Throws, naming the variable, when it may not be used.
 */
export function entraOverridesInForce(env: Record<string, string | undefined>): string[] {
    const authority = authorityHost(env);
    return authority.url === DEFAULT_AUTHORITY_HOST ? [] : [
        `AZURE_AUTHORITY_HOST=${authority.url} is in force: Entra tokens are requested there, and each new client secret is proven there, ` +
            `instead of ${DEFAULT_AUTHORITY_HOST}.`,
    ];
}
