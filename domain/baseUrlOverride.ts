/**
 * Environment variables that point the providers at other API hosts (tests, proxies). Each one
 * redirects where tokens are sent, so it must be https; plain http is accepted only for the local
 * machine (127.0.0.1, localhost), where the tests' fakes listen. The one rule for all four, and
 * for every other address tokens are sent to (the dbt Cloud resource's `apiBaseUrl` input).
 */
export const BASE_URL_OVERRIDES: Readonly<Record<string, string>> = {
    AZDO_CORE_BASE_URL: "https://dev.azure.com",
    AZDO_VSSPS_BASE_URL: "https://vssps.dev.azure.com",
    AZDO_VSAEX_BASE_URL: "https://vsaex.dev.azure.com",
    DBT_CLOUD_HOST_URL: "https://<dbtCloudHost>/api",
};

// An array, not a Set: the providers capture this module, and closure serialization does not keep Sets.
const LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/** Why a URL may not receive tokens: not a URL, a user or password in it, or plain http to another machine. */
export type TokenUrlProblem = { kind: "not-a-url" } | { kind: "carries-credentials" } | { kind: "insecure"; target: string };

/**
 * Whether tokens may be sent to `value`: https, or plain http to the local machine only, and no
 * user or password in the URL; undefined when they may. Parsed by hand, not with `URL`: the
 * providers capture this module, and closure serialization does not carry Node's built-in classes.
 */
export function tokenUrlProblem(value: string): TokenUrlProblem | undefined {
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]*)/i.exec(value);
    if (!match || match[2] === "") {
        return { kind: "not-a-url" };
    }
    const scheme = match[1].toLowerCase();
    const authority = match[2];
    const hostAndPort = authority.slice(authority.lastIndexOf("@") + 1).toLowerCase();
    const host = hostAndPort.startsWith("[") ? hostAndPort.slice(0, hostAndPort.indexOf("]") + 1) : hostAndPort.split(":")[0];
    if (scheme === "https" || (scheme === "http" && LOCAL_HOSTS.includes(host))) {
        return authority.includes("@") ? { kind: "carries-credentials" } : undefined;
    }
    return { kind: "insecure", target: `${scheme}://${hostAndPort}` };
}

/** What is wrong with `value` as the base URL `variable` sets; undefined when it may be used. */
export function baseUrlOverrideProblem(variable: string, value: string): string | undefined {
    const problem = tokenUrlProblem(value);
    switch (problem?.kind) {
        case undefined:
            return undefined;
        case "not-a-url":
            return `${variable} is not a URL; give e.g. ${BASE_URL_OVERRIDES[variable] ?? "https://host"} or unset it.`;
        case "carries-credentials":
            return `${variable} carries a user or password; put credentials in their own variables.`;
        case "insecure":
            return `${variable} must be an https:// URL (plain http only for 127.0.0.1 and localhost); it sends tokens to ${problem.target}.`;
    }
}

/** The override `variable` sets, without a trailing slash; undefined when unset. Throws when it may not be used. */
export function baseUrlOverride(variable: string, env: Record<string, string | undefined>): string | undefined {
    const value = env[variable];
    if (value === undefined || value === "") {
        return undefined;
    }
    const problem = baseUrlOverrideProblem(variable, value);
    if (problem) {
        throw new Error(problem);
    }
    return value.replace(/\/+$/, "");
}

/** One line per override set in `env`, for the run's log; throws when one may not be used. */
export function baseUrlOverridesInForce(env: Record<string, string | undefined>): string[] {
    return Object.entries(BASE_URL_OVERRIDES).flatMap(([variable, replaces]) => {
        const value = baseUrlOverride(variable, env);
        return value === undefined ? [] : [`${variable}=${value} is in force: API calls go there instead of ${replaces}.`];
    });
}
