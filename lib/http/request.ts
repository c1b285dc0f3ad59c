/**
 * The single HTTP client behind every dynamic provider: timeouts, bounded retries with
 * jittered exponential backoff that honours Retry-After, JSON parsing with errors that
 * name the endpoint, 401/403 messages that name the missing permission, and redaction of
 * every credential from every message.
 */
import { AZURE_DEVOPS_SIGN_IN_PAGE, explainKnownError } from "../../domain/knownErrors";
import { backoffDelayMs } from "./backoff";
import { HttpError, isHttpError, makeHttpError } from "./httpError";
import { createRedactor, describeUrl, Redact } from "./redact";
import { parseRetryAfterMs } from "./retryAfter";
import { HttpSettings } from "./settings";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";

export interface HttpRequestSpec {
    method: HttpMethod;
    url: string;
    /** Authorization and any extra headers. Never echoed into messages. */
    headers?: Record<string, string>;
    /** Sent as JSON. */
    body?: unknown;
    /** Defaults to application/json when a body is present. */
    contentType?: string;
    /** What the caller must hold for this call: shown on 401/403, e.g. "PAT scope Graph (Read & manage)". */
    permissionHint: string;
    /** Where the credential came from, shown on 401/403, e.g. "AZDO_PERSONAL_ACCESS_TOKEN". */
    credentialSource?: string;
    /** Secret values (tokens, client secrets) to strip from every message. */
    secrets?: ReadonlyArray<string | undefined>;
    /** Statuses returned to the caller instead of thrown (e.g. 404 for "already gone"). */
    acceptStatuses?: ReadonlyArray<number>;
    /**
     * "manual" returns a 3xx answer as it came instead of following it (default "follow"),
     * e.g. to read a header from Azure DevOps' sign-in redirect. List the 3xx in acceptStatuses.
     */
    redirect?: "follow" | "manual";
}

export interface HttpResult<T> {
    status: number;
    headers: Headers;
    /** Parsed JSON, or undefined for an empty body. */
    body: T | undefined;
}

/** Injectable for tests: how to wait, and where jitter comes from. */
export interface HttpHooks {
    sleep: (ms: number) => Promise<void>;
    random: () => number;
}

export const realHttpHooks: HttpHooks = {
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
};

const RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504];
const RETRYABLE_NETWORK_CODES = ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ECONNABORTED"];

function networkCode(error: unknown): string | undefined {
    let current: unknown = error;
    for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
        const code = (current as { code?: unknown }).code;
        if (typeof code === "string") {
            return code;
        }
        current = (current as { cause?: unknown }).cause;
    }
    return undefined;
}

function isTimeout(error: unknown): boolean {
    const name = (error as { name?: unknown } | null)?.name;
    return name === "TimeoutError" || name === "AbortError";
}

/** A short, redacted excerpt of a response body for error messages. */
function excerpt(text: string, redact: Redact): string {
    const compact = text.replace(/\s+/g, " ").trim();
    const cut = compact.length > 300 ? `${compact.slice(0, 300)}...` : compact;
    return redact(cut);
}

/** Azure DevOps and dbt Cloud both put a human message in the JSON error body; surface it. */
function serverMessage(parsed: unknown): string | undefined {
    if (typeof parsed !== "object" || parsed === null) {
        return undefined;
    }
    const record = parsed as Record<string, unknown>;
    if (typeof record.message === "string") {
        return record.message;
    }
    const status = record.status as Record<string, unknown> | undefined;
    if (status && typeof status.user_message === "string") {
        return status.user_message;
    }
    return undefined;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
    try {
        return { ok: true, value: JSON.parse(text) };
    } catch {
        return { ok: false };
    }
}

/** Azure DevOps answers a rejected PAT with 203 and an HTML sign-in page instead of 401. */
function looksLikeSignInPage(status: number, headers: Headers): boolean {
    return status === 203 && (headers.get("content-type") ?? "").includes("text/html");
}

function statusMessage(spec: HttpRequestSpec, endpoint: string, status: number, text: string, redact: Redact): string {
    const parsed = tryParseJson(text);
    const detail = parsed.ok ? serverMessage(parsed.value) ?? excerpt(text, redact) : excerpt(text, redact);
    const source = spec.credentialSource ? ` from ${spec.credentialSource}` : "";
    if (status === 203) {
        // Azure DevOps' sign-in page: a refused credential (domain/knownErrors.ts says why and what to do).
        return `${endpoint} was refused: it answered HTTP 203 with a sign-in page instead of data, so the credential${source} was not accepted. ` +
            `It needs: ${spec.permissionHint}. ${AZURE_DEVOPS_SIGN_IN_PAGE}`;
    }
    if (status === 401) {
        const known = explainKnownError(text);
        return `${endpoint} was refused (HTTP 401 Unauthorized): the credential${source} is missing, expired or invalid. ` +
            `It needs: ${spec.permissionHint}.${detail ? ` Server said: ${redact(detail)}` : ""}${known ? ` ${known}` : ""}`;
    }
    if (status === 403) {
        return `${endpoint} was refused (HTTP 403 Forbidden): the credential${source} lacks a permission. ` +
            `It needs: ${spec.permissionHint}.${detail ? ` Server said: ${redact(detail)}` : ""}`;
    }
    return `${endpoint} failed with HTTP ${status}.${detail ? ` Server said: ${redact(detail)}` : ""}`;
}

/**
 * Sends one logical request, retrying transient failures, and returns parsed JSON.
 * Throws an HttpError whose message has passed through the redactor.
 */
export async function requestJson<T>(spec: HttpRequestSpec, settings: HttpSettings, hooks: HttpHooks = realHttpHooks): Promise<HttpResult<T>> {
    const redact = createRedactor(spec.secrets ?? []);
    const endpoint = `${spec.method} ${describeUrl(spec.url)}`;
    const headers: Record<string, string> = { Accept: "application/json", ...(spec.headers ?? {}) };
    let payload: string | undefined;
    if (spec.body !== undefined) {
        payload = JSON.stringify(spec.body);
        headers["Content-Type"] = spec.contentType ?? "application/json";
    }

    for (let attempt = 0; ; attempt++) {
        const attemptsLeft = attempt < settings.maxRetries;
        let response: Response;
        let text: string;
        try {
            response = await fetch(spec.url, {
                method: spec.method,
                headers,
                body: payload,
                redirect: spec.redirect ?? "follow",
                signal: AbortSignal.timeout(settings.timeoutMs),
            });
            text = await response.text();
        } catch (error) {
            const timedOut = isTimeout(error);
            const code = networkCode(error);
            const transient = timedOut || (code !== undefined && RETRYABLE_NETWORK_CODES.includes(code));
            // Retried whatever the method; see below for why a repeated POST is safe here.
            if (transient && attemptsLeft) {
                await hooks.sleep(backoffDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs, hooks.random));
                continue;
            }
            const what = timedOut
                ? `timed out after ${settings.timeoutMs} ms`
                : `failed before a response arrived (${code ?? redact(String((error as Error)?.message ?? error))})`;
            throw makeHttpError(redact(`${endpoint} ${what}, after ${attempt + 1} attempt(s).`), {
                kind: timedOut ? "timeout" : "network",
                endpoint,
            });
        }

        const status = response.status;
        // POSTs are retried here too (and on timeouts/dropped connections above) although POST is not
        // idempotent: a 5xx or a lost answer may mean the server did the work. That is safe for these
        // providers: the create POSTs (dbt Cloud record, Azure DevOps entitlement) stand for objects the
        // service keeps one of, and their callers adopt an existing record/entitlement, also when the
        // repeat is rejected as a duplicate, so a second POST converges instead of making a second object;
        // the other POSTs (dbt update, ACE merge with merge:true) set the same values again.
        if (RETRYABLE_STATUSES.includes(status) && attemptsLeft && !(spec.acceptStatuses ?? []).includes(status)) {
            const serverWait = parseRetryAfterMs(response.headers.get("retry-after"), settings.retryAfterCapMs);
            await hooks.sleep(serverWait ?? backoffDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs, hooks.random));
            continue;
        }

        const accepted = (spec.acceptStatuses ?? []).includes(status);
        if (!accepted && (status >= 400 || looksLikeSignInPage(status, response.headers))) {
            const parsed = tryParseJson(text);
            throw makeHttpError(redact(statusMessage(spec, endpoint, status, text, redact)), {
                kind: "status",
                status: looksLikeSignInPage(status, response.headers) ? 401 : status,
                endpoint,
                responseBody: parsed.ok ? JSON.parse(redact(JSON.stringify(parsed.value))) : undefined,
                responseText: redact(text.slice(0, 65_536)),
            });
        }

        if (text.trim() === "" || spec.method === "HEAD") {
            return { status, headers: response.headers, body: undefined };
        }
        const parsed = tryParseJson(text);
        if (!parsed.ok && accepted) {
            // A status the caller listed (404 "not found", a 203 or 302 sign-in answer) may come
            // with an HTML page; the status and headers are the answer.
            return { status, headers: response.headers, body: undefined };
        }
        if (!parsed.ok) {
            throw makeHttpError(redact(`${endpoint} returned malformed JSON (HTTP ${status}): ${excerpt(text, redact)}`), {
                kind: "malformed-json",
                status,
                endpoint,
            });
        }
        return { status, headers: response.headers, body: parsed.value as T };
    }
}

/** Re-exported so callers can branch on failures without importing two modules. */
export { isHttpError };
export type { HttpError };
