/**
 * Environment variables that point the providers at other API hosts, for tests only: each one
 * redirects where tokens (and, for dbt Cloud, the client secret) are sent. So they are honoured
 * only when the test switch DBT_ADO_TEST_OVERRIDES=1 is set as well, which test harnesses set and
 * every CI step refuses on a real runner (tools/ci/ciEnvironment.ts); without it a set override is ignored,
 * and the run's log says so ({@link ignoredBaseUrlOverrides}). An honoured one must be https;
 * plain http is accepted only for the local machine (127.0.0.1, localhost), where the tests' fakes
 * listen. The one rule for all of them, and for every other address tokens are sent to (the dbt
 * Cloud resource's `apiBaseUrl` input).
 */
export const BASE_URL_OVERRIDES: Readonly<Record<string, string>> = {
    AZDO_CORE_BASE_URL: "https://dev.azure.com",
    AZDO_VSSPS_BASE_URL: "https://vssps.dev.azure.com",
    AZDO_VSAEX_BASE_URL: "https://vsaex.dev.azure.com",
    DBT_CLOUD_HOST_URL: "https://<dbtCloudHost>/api",
    AZURE_GRAPH_BASE_URL: "https://graph.microsoft.com",
};

/**
 * The test switch: overrides are honoured only when it is exactly "1". The name is fixed: test
 * harnesses outside this repository set it.
 */
export const TEST_OVERRIDES_SWITCH = "DBT_ADO_TEST_OVERRIDES";

/** Whether `env` turns the test-only overrides on. */
export function testOverridesEnabled(env: Record<string, string | undefined>): boolean {
    return env[TEST_OVERRIDES_SWITCH] === "1";
}

// An array, not a Set: the providers capture this module, and closure serialization does not keep Sets.
const LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/**
 * Why a URL may not receive tokens: not a URL, a tab, line break or other control character in it
 * (URL parsing drops those silently, so what was checked would not be what is called), a user or
 * password in it, or plain http to another machine.
 */
export type TokenUrlProblem = { kind: "not-a-url" } | { kind: "hidden-characters" } | { kind: "carries-credentials" } | { kind: "insecure"; target: string };

/**
 * Whether tokens may be sent to `value`: https, or plain http to the local machine only, and no
 * user or password in the URL; undefined when they may. Parsed by hand, not with `URL`: the
 * providers capture this module, and closure serialization does not carry Node's built-in classes.
 * A value holding any control character or whitespace is refused before it is parsed: the WHATWG
 * URL parser (Node's `URL`, `fetch`) removes tabs and line breaks anywhere and control characters
 * at the ends, so `http://localhost\t.evil.example` would be checked as localhost and called as
 * localhost.evil.example.
 */
export function tokenUrlProblem(value: string): TokenUrlProblem | undefined {
    if (/[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(value)) {
        return { kind: "hidden-characters" };
    }
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(value);
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
        case "hidden-characters":
            return `${variable} holds a tab, line break, space or other control character, which URL parsing would drop; remove it.`;
        case "carries-credentials":
            return `${variable} carries a user or password; put credentials in their own variables.`;
        case "insecure":
            return `${variable} must be an https:// URL (plain http only for 127.0.0.1 and localhost); it sends tokens to ${problem.target}.`;
    }
}

/**
 * The override `variable` sets, without a trailing slash; undefined when unset, or when set
 * without the test switch (then it is ignored: see {@link ignoredBaseUrlOverrides}). Throws when
 * an honoured one may not be used.
 */
export function baseUrlOverride(variable: string, env: Record<string, string | undefined>): string | undefined {
    const value = env[variable];
    if (value === undefined || value === "" || !testOverridesEnabled(env)) {
        return undefined;
    }
    const problem = baseUrlOverrideProblem(variable, value);
    if (problem) {
        throw new Error(problem);
    }
    return value.replace(/\/+$/, "");
}

/** Overrides set in `env` that the test switch is not on for: ignored, one line each for the run's log, saying why. */
export function ignoredBaseUrlOverrides(env: Record<string, string | undefined>): string[] {
    if (testOverridesEnabled(env)) {
        return [];
    }
    // The value is not echoed: it may be anything a variable group holds.
    return Object.entries(BASE_URL_OVERRIDES).filter(([variable]) => (env[variable] ?? "") !== "").map(([variable, replaces]) =>
        `${variable} is set but ignored: it is a test-only override, honoured only with ${TEST_OVERRIDES_SWITCH}=1; API calls go to ${replaces}.`);
}

/** One line per override honoured for this run (the test switch on), for the run's log; throws when one may not be used. */
export function baseUrlOverridesInForce(env: Record<string, string | undefined>): string[] {
    return Object.entries(BASE_URL_OVERRIDES).flatMap(([variable, replaces]) => {
        const value = baseUrlOverride(variable, env);
        return value === undefined ? [] : [`${variable}=${value} is in force: API calls go there instead of ${replaces}.`];
    });
}
