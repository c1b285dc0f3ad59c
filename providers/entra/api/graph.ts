/**
 * The Microsoft Graph calls the Entra providers make, on the deploying identity's token:
 * an application's credentials and instance property lock (`GET|PATCH /v1.0/applications/{id}`),
 * `addPassword` and `removePassword` (Microsoft Graph v1.0 application reference).
 *
 * Transport is @azure/core-rest-pipeline, the pipeline @azure/identity itself runs on: its
 * bearer-token policy (token per scope, refreshed before expiry), retry policies (429/503 with
 * Retry-After, 408/5xx and dropped connections with exponential backoff), redirect policy and a
 * log policy that never logs bodies and redacts headers. It does not know Graph's one unpleasant
 * answer that matters here, so this module adds it: a 404 for an application created moments ago
 * (directory replication; hamilton's msgraph client retries it with RetryOn404ConsistencyFailureFunc),
 * retried for a bounded time. `@microsoft/microsoft-graph-client` was not used: it has no
 * per-request timeout, and its retry handler is the same as the pipeline's without that case.
 *
 * addPassword is a POST the pipeline may repeat after a lost answer; the caller tells a repeat by
 * the nonce in the credential's display name (domain/clientSecretCredentials.ts).
 */
import { GRAPH_SCOPE, graphBaseUrl } from "../../../domain/entraEndpoints";
import { sameGuid } from "../../../domain/guid";
import { deployerCredential, TokenSource } from "../../../lib/http/entraCredential";
import { HttpError, makeHttpError } from "../../../lib/http/httpError";
import { createRedactor } from "../../../lib/http/redact";
import { EnvKnob, envInteger, httpSettingsFromEnv } from "../../../lib/http/settings";
import { readUntil } from "../../azuredevops/api/eventually";

/** DBT_ADO_GRAPH_LAG_*: how long a just-created application may answer 404 before that is believed. */
export const GRAPH_LAG_KNOBS = {
    attempts: { name: "DBT_ADO_GRAPH_LAG_ATTEMPTS", fallback: 12, min: 1, max: 100, unit: "attempts" },
    pauseMs: { name: "DBT_ADO_GRAPH_LAG_PAUSE_MS", fallback: 5_000, min: 0, max: 60_000, unit: "ms" },
} satisfies Record<string, EnvKnob>;

export interface GraphSession {
    /** Graph's base URL without the version: https://graph.microsoft.com. */
    baseUrl: string;
    credential: TokenSource;
    /** Values to strip from every message (secrets minted in this session). */
    secrets: string[];
}

export function openGraphSession(env: NodeJS.ProcessEnv = process.env, credential: TokenSource = deployerCredential(env)): GraphSession {
    return { baseUrl: graphBaseUrl(env), credential, secrets: [] };
}

/** A password credential as Graph lists it: never a value. */
export interface GraphPasswordCredential {
    keyId: string;
    displayName: string;
    startDateTime: string;
    endDateTime: string;
    hint?: string;
}

export interface AddedPassword extends GraphPasswordCredential {
    /** The secret, returned this once. */
    secretText: string;
}

/** Graph's app instance property lock (servicePrincipalLockConfiguration). */
export type InstanceLock = Record<string, boolean>;

export interface ApplicationCredentials {
    passwordCredentials: GraphPasswordCredential[];
    keyCredentials: Array<{ keyId: string; displayName?: string; endDateTime?: string }>;
    servicePrincipalLockConfiguration: InstanceLock | null;
}

const PERMISSION_HINT = "Microsoft Graph application permission Application.ReadWrite.OwnedBy with the deploying identity among the app's owners " +
    "(or Application.ReadWrite.All), or, for a user, the Application Administrator or Cloud Application Administrator role";

export interface GraphAnswer {
    status: number;
    body: unknown;
}

interface CoreRestPipeline {
    createPipelineFromOptions(options: Record<string, unknown>): { addPolicy(policy: unknown): void; sendRequest(client: unknown, request: unknown): Promise<{ status: number; bodyAsText?: string | null }> };
    bearerTokenAuthenticationPolicy(options: { credential: TokenSource; scopes: string | string[] }): unknown;
    createDefaultHttpClient(): unknown;
    createPipelineRequest(options: Record<string, unknown>): unknown;
    createHttpHeaders(headers: Record<string, string>): unknown;
}

/** One Graph call through the pipeline; any status comes back (4xx/5xx included) for the caller to judge. */
export async function send(session: GraphSession, method: string, path: string, body?: unknown): Promise<GraphAnswer> {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const core = require("@azure/core-rest-pipeline") as CoreRestPipeline;
    const settings = httpSettingsFromEnv();
    const pipeline = core.createPipelineFromOptions({
        retryOptions: { maxRetries: settings.maxRetries, retryDelayInMs: settings.retryBaseMs, maxRetryDelayInMs: settings.retryMaxMs },
        userAgentOptions: { userAgentPrefix: "dbt-azure-devops" },
    });
    pipeline.addPolicy(core.bearerTokenAuthenticationPolicy({ credential: session.credential, scopes: GRAPH_SCOPE }));
    const url = `${session.baseUrl}/v1.0${path}`;
    const request = core.createPipelineRequest({
        url,
        method,
        timeout: settings.timeoutMs,
        headers: core.createHttpHeaders({ Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) }),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const redact = createRedactor(session.secrets);
    let response: { status: number; bodyAsText?: string | null };
    try {
        response = await pipeline.sendRequest(core.createDefaultHttpClient(), request);
    } catch (error) {
        // A transport failure after the pipeline's retries, or no token for the deploying identity.
        const text = redact(String((error as Error)?.message ?? error).split("\n")[0]);
        const credentials = /credential|token|authenticat/i.test(text) && !/ECONN|ETIMEDOUT|socket/i.test(text);
        throw makeHttpError(credentials
            ? `No Microsoft Graph token for the deploying identity (${text}). Sign in the way the azuread provider does: \`az login\` ` +
              "(and `az account set`), workload identity federation in CI (azure/login, AzureCLI@2), a managed identity, or " +
              "AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET."
            : `${method} ${url} failed before an answer arrived: ${text}`, { kind: credentials ? "credentials" : "network", endpoint: `${method} ${url}` });
    }
    const text = response.bodyAsText ?? "";
    let parsed: unknown;
    try {
        parsed = text ? JSON.parse(text) : undefined;
    } catch {
        parsed = undefined;
    }
    return { status: response.status, body: parsed };
}

/**
 * Graph's error `{ error: { code, message } }` as an HttpError naming the endpoint and, on 401/403, the
 * permission (`needs`: the sentence saying it; the providers' write permission unless given).
 */
export function graphFailure(session: GraphSession, method: string, path: string, answer: GraphAnswer, needs = `The deploying identity needs: ${PERMISSION_HINT}.`): HttpError {
    const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === "string" ? error.code : "";
    const message = typeof error?.message === "string" ? error.message : "";
    const endpoint = `${method} ${session.baseUrl}/v1.0${path}`;
    const said = `${code}${code && message ? ": " : ""}${message}`;
    const permission = answer.status === 401 || answer.status === 403 ? ` ${needs}` : "";
    const redact = createRedactor(session.secrets);
    // Graph's messages usually end with a period already.
    const sentence = `${endpoint} failed with HTTP ${answer.status}${said ? `: ${said}` : ""}`.replace(/\.?$/, ".");
    return makeHttpError(redact(`${sentence}${permission}`), {
        kind: "status",
        status: answer.status,
        endpoint,
        responseBody: { error: { code, message: redact(message) } },
        responseText: redact(said),
    });
}

/** The Graph error code of a failure from this module ("" when none). */
export function graphErrorCode(error: unknown): string {
    const body = (error as HttpError)?.responseBody as { error?: { code?: string } } | undefined;
    return body?.error?.code ?? "";
}

/** Calls until the app stops answering 404 (replication), within GRAPH_LAG_KNOBS; other answers return at once. */
export async function sendToApplication(session: GraphSession, method: string, path: string, body?: unknown): Promise<GraphAnswer> {
    const polling = { attempts: envInteger(GRAPH_LAG_KNOBS.attempts), pauseMs: envInteger(GRAPH_LAG_KNOBS.pauseMs) };
    return (await readUntil(polling, () => send(session, method, path, body), (answer) => answer.status !== 404)).value;
}

export function ok(answer: GraphAnswer): boolean {
    return answer.status >= 200 && answer.status < 300;
}

/** The application's credentials (without values) and its instance property lock. */
export async function getApplicationCredentials(session: GraphSession, objectId: string): Promise<ApplicationCredentials> {
    const path = `/applications/${encodeURIComponent(objectId)}?$select=id,passwordCredentials,keyCredentials,servicePrincipalLockConfiguration`;
    const answer = await sendToApplication(session, "GET", path);
    if (!ok(answer)) {
        throw graphFailure(session, "GET", path, answer);
    }
    const app = (answer.body ?? {}) as Partial<ApplicationCredentials>;
    return {
        passwordCredentials: Array.isArray(app.passwordCredentials) ? app.passwordCredentials.filter((p) => typeof p?.keyId === "string") : [],
        keyCredentials: Array.isArray(app.keyCredentials) ? app.keyCredentials : [],
        servicePrincipalLockConfiguration: app.servicePrincipalLockConfiguration ?? null,
    };
}

/** Mints a password credential; the answer holds its value once. */
export async function addPassword(session: GraphSession, objectId: string, credential: { displayName: string; endDateTime: string }): Promise<AddedPassword> {
    const path = `/applications/${encodeURIComponent(objectId)}/addPassword`;
    const answer = await sendToApplication(session, "POST", path, { passwordCredential: credential });
    if (!ok(answer)) {
        throw graphFailure(session, "POST", path, answer);
    }
    const added = answer.body as Partial<AddedPassword> | undefined;
    if (typeof added?.keyId !== "string" || typeof added.secretText !== "string" || added.secretText === "") {
        throw makeHttpError(`POST ${session.baseUrl}/v1.0${path} answered without a key id or secret.`, { kind: "malformed-json", status: answer.status, endpoint: `POST ${path}` });
    }
    session.secrets.push(added.secretText);
    return added as AddedPassword;
}

/** Removes a password credential; "absent" when the app no longer lists that key id. */
export async function removePassword(session: GraphSession, objectId: string, keyId: string): Promise<"removed" | "absent"> {
    const path = `/applications/${encodeURIComponent(objectId)}/removePassword`;
    const answer = await send(session, "POST", path, { keyId });
    if (ok(answer)) {
        return "removed";
    }
    // Whatever Graph answers for a key it does not hold, believe only a fresh listing.
    if (answer.status === 400 || answer.status === 404) {
        const listed = await getApplicationCredentials(session, objectId);
        if (!listed.passwordCredentials.some((p) => sameGuid(p.keyId, keyId))) {
            return "absent";
        }
    }
    throw graphFailure(session, "POST", path, answer);
}

/**
 * A read-only GET of `path` (under /v1.0, query included): the parsed body on 2xx, else Graph's
 * failure naming the endpoint (its `status` and Graph error code kept). For `npm run doctor`.
 */
export async function graphGet<T>(session: GraphSession, path: string): Promise<T> {
    const answer = await send(session, "GET", path);
    if (!ok(answer)) {
        throw graphFailure(session, "GET", path, answer);
    }
    return answer.body as T;
}

/** Sets the app instance property lock (PATCH of servicePrincipalLockConfiguration). */
export async function setInstanceLock(session: GraphSession, objectId: string, lock: InstanceLock): Promise<void> {
    const path = `/applications/${encodeURIComponent(objectId)}`;
    const answer = await sendToApplication(session, "PATCH", path, { servicePrincipalLockConfiguration: lock });
    if (!ok(answer)) {
        throw graphFailure(session, "PATCH", path, answer);
    }
}
