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

/**
 * One environment knob: a whole number within [min, max]. Every DBT_ADO_* tuning variable
 * goes through `envInteger`, so a typo fails loudly instead of turning into NaN (an endless
 * poll), 0 (no poll, or a request that aborts at once) or a silent fallback.
 * Plain data, so Pulumi's closure serializer can ship it with the providers.
 */
export interface EnvKnob {
    name: string;
    fallback: number;
    min: number;
    max: number;
    /** What the number counts, for the error message: "ms", "attempts", "retries". */
    unit: string;
}

export const ENV_KNOBS = {
    httpTimeoutMs: { name: "DBT_ADO_HTTP_TIMEOUT_MS", fallback: defaultHttpSettings.timeoutMs, min: 100, max: 600_000, unit: "ms" },
    httpMaxRetries: { name: "DBT_ADO_HTTP_MAX_RETRIES", fallback: defaultHttpSettings.maxRetries, min: 0, max: 10, unit: "retries" },
    httpRetryBaseMs: { name: "DBT_ADO_HTTP_RETRY_BASE_MS", fallback: defaultHttpSettings.retryBaseMs, min: 0, max: 60_000, unit: "ms" },
    httpRetryMaxMs: { name: "DBT_ADO_HTTP_RETRY_MAX_MS", fallback: defaultHttpSettings.retryMaxMs, min: 0, max: 600_000, unit: "ms" },
    httpRetryAfterCapMs: { name: "DBT_ADO_HTTP_RETRY_AFTER_CAP_MS", fallback: defaultHttpSettings.retryAfterCapMs, min: 0, max: 600_000, unit: "ms" },
    connectVerifyAttempts: { name: "DBT_ADO_CONNECT_VERIFY_ATTEMPTS", fallback: 10, min: 1, max: 100, unit: "attempts" },
    connectVerifyPauseMs: { name: "DBT_ADO_CONNECT_VERIFY_PAUSE_MS", fallback: 3_000, min: 0, max: 60_000, unit: "ms" },
    identityAttempts: { name: "DBT_ADO_IDENTITY_ATTEMPTS", fallback: 5, min: 1, max: 100, unit: "attempts" },
    identityPauseMs: { name: "DBT_ADO_IDENTITY_PAUSE_MS", fallback: 2_000, min: 0, max: 60_000, unit: "ms" },
} satisfies Record<string, EnvKnob>;

/**
 * The knob's value: unset or blank means the default; anything else must be plain decimal
 * digits within bounds ("1e3", "0x10", "1.5", "-1", "abc" are refused), or this throws an
 * error naming the variable, the value it had and what to set instead.
 */
export function envInteger(knob: EnvKnob, env: NodeJS.ProcessEnv = process.env): number {
    const raw = env[knob.name];
    if (raw === undefined || raw.trim() === "") {
        return knob.fallback;
    }
    const text = raw.trim();
    const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isInteger(value) && value >= knob.min && value <= knob.max) {
        return value;
    }
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    throw new Error(`Environment variable ${knob.name} is "${shown}", which is not a whole number of ${knob.unit} from ${knob.min} to ${knob.max}. ` +
        `Set ${knob.name} to such a number (default ${knob.fallback}), or unset it to use the default.`);
}

/** Settings from DBT_ADO_HTTP_* variables, falling back to the defaults above; throws on a bad value. */
export function httpSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpSettings {
    return {
        timeoutMs: envInteger(ENV_KNOBS.httpTimeoutMs, env),
        maxRetries: envInteger(ENV_KNOBS.httpMaxRetries, env),
        retryBaseMs: envInteger(ENV_KNOBS.httpRetryBaseMs, env),
        retryMaxMs: envInteger(ENV_KNOBS.httpRetryMaxMs, env),
        retryAfterCapMs: envInteger(ENV_KNOBS.httpRetryAfterCapMs, env),
    };
}
