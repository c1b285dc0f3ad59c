/**
 * Timeouts and retry pacing for every REST call the dynamic providers make.
 * Read from the environment at call time (inside the provider process), so tests
 * and impatient operators can shorten them without touching inputs or state.
 */
export interface HttpSettings {
    /** Abort a request (headers and body) after this long. */
    timeoutMs: number;
    /** Retries after the first attempt, for 429/5xx, timeouts and dropped connections. */
    maxRetries: number;
    /** First backoff step; doubles per attempt, full jitter. */
    retryBaseMs: number;
    /** Ceiling for one computed backoff step. */
    retryMaxMs: number;
    /** Ceiling for a server-sent Retry-After, so a hostile value cannot stall `pulumi up`. */
    retryAfterCapMs: number;
}

export const defaultHttpSettings: HttpSettings = {
    timeoutMs: 30_000,
    maxRetries: 4,
    retryBaseMs: 500,
    retryMaxMs: 8_000,
    retryAfterCapMs: 60_000,
};

function nonNegativeInteger(raw: string | undefined, fallback: number): number {
    if (raw === undefined || raw.trim() === "") {
        return fallback;
    }
    const value = Number(raw);
    return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** Settings from DBT_ADO_HTTP_* variables, falling back to the defaults above. */
export function httpSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpSettings {
    return {
        timeoutMs: nonNegativeInteger(env.DBT_ADO_HTTP_TIMEOUT_MS, defaultHttpSettings.timeoutMs),
        maxRetries: nonNegativeInteger(env.DBT_ADO_HTTP_MAX_RETRIES, defaultHttpSettings.maxRetries),
        retryBaseMs: nonNegativeInteger(env.DBT_ADO_HTTP_RETRY_BASE_MS, defaultHttpSettings.retryBaseMs),
        retryMaxMs: nonNegativeInteger(env.DBT_ADO_HTTP_RETRY_MAX_MS, defaultHttpSettings.retryMaxMs),
        retryAfterCapMs: nonNegativeInteger(env.DBT_ADO_HTTP_RETRY_AFTER_CAP_MS, defaultHttpSettings.retryAfterCapMs),
    };
}
