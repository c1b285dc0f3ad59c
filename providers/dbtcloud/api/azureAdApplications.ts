/**
 * dbt Cloud's Azure AD application endpoints, as terraform-provider-dbtcloud calls them
 * (pkg/dbt_cloud/azure_ad_application.go): responses are {data, status}; update is a POST
 * to the record's id with every field; client id, secret and tenant are never returned.
 */
import { AuthMode } from "../../../domain/authMode";
import { explainDbtCloudAnswer } from "../../../domain/knownErrors";
import { baseUrlOverride } from "../../../domain/baseUrlOverride";
import { dbtCloudCredentials } from "../../../lib/http/dbtCloudAuth";
import { HttpError, isHttpError, makeHttpError } from "../../../lib/http/httpError";
import { describeUrl } from "../../../lib/http/redact";
import { HttpMethod, requestJson } from "../../../lib/http/request";
import { HttpSettings, httpSettingsFromEnv } from "../../../lib/http/settings";

export interface AzureAdApplicationRecord {
    id: number;
    account_id?: number;
    organization_name?: string;
    azure_service_authentication_method?: string;
    oauth_redirect_uri_domain?: string | null;
    /** dbt's object state: 1 active, 2 deleted (soft). */
    state?: number;
    /** When the record was last written (terraform-provider-dbtcloud pkg/dbt_cloud/azure_ad_application.go, `updated_at`). */
    updated_at?: string | null;
}

export interface AzureAdApplicationFields {
    organization_name: string;
    client_id: string;
    client_secret: string;
    tenant_id: string;
    azure_service_authentication_method: AuthMode;
}

export interface DbtSession {
    /** e.g. https://cloud.getdbt.com/api, without a trailing slash. */
    host: string;
    accountId: string;
    authorization: string;
    secrets: string[];
    source: string;
}

const PERMISSION_HINT = "a dbt Cloud service token (or an account admin's personal token) with the Account Admin permission set on this account, " +
    "on an Enterprise plan with the Azure DevOps integration available";

/** DBT_CLOUD_HOST_URL (the dbtcloud provider's variable) wins over the apiBaseUrl input. */
export function dbtApiHost(apiBaseUrl: string, env: NodeJS.ProcessEnv = process.env): string {
    // The override must be https (http only for 127.0.0.1/localhost): see domain/baseUrlOverride.ts.
    return (baseUrlOverride("DBT_CLOUD_HOST_URL", env) || apiBaseUrl).replace(/\/+$/, "");
}

export function openDbtSession(apiBaseUrl: string, accountId: string, extraSecrets: string[]): DbtSession {
    const credentials = dbtCloudCredentials();
    return {
        host: dbtApiHost(apiBaseUrl), accountId, authorization: credentials.authorization,
        secrets: [...credentials.secrets, ...extraSecrets], source: credentials.source,
    };
}

/** dbt's error envelope: `{status: {code, user_message, developer_message}, data}` (client.go ResponseStatus). */
interface DbtEnvelope {
    status?: { code?: number; user_message?: unknown; developer_message?: unknown };
    data?: unknown;
}

/** What dbt said in an error answer: user_message, else developer_message; "" when neither. */
export function dbtSaid(error: HttpError): string {
    const status = (error.responseBody as DbtEnvelope | undefined)?.status;
    for (const text of [status?.user_message, status?.developer_message]) {
        if (typeof text === "string" && text.trim() !== "") return text.trim();
    }
    return "";
}

/**
 * dbt's 404 for a token that may not act on the object: "... check that you have the proper
 * permissions" (terraform-provider-dbtcloud pkg/dbt_cloud/client.go attemptRequest, which looks for
 * "permission" in status.user_message of a 404).
 */
export function isPermission404(error: unknown): boolean {
    return isHttpError(error) && error.status === 404 && /permission/i.test(`${dbtSaid(error)} ${error.responseText ?? ""}`);
}

/**
 * A unique-constraint rejection: terraform-provider-dbtcloud's azure_ad_application resource.go Create
 * matches `duplicate key value` anywhere in the error, and client.go attemptRequest puts the whole
 * response body into the error at every status (400 "resource-not-found: <body>", 500
 * "internal-server-error: <body>", others "unexpected status code"). So: status.user_message,
 * status.developer_message, data and the raw text, at any status.
 */
export function isDuplicateKeyError(error: unknown): boolean {
    if (!isHttpError(error) || error.kind !== "status") return false;
    const body = error.responseBody as DbtEnvelope | undefined;
    const places = [body?.status?.user_message, body?.status?.developer_message, body?.data, error.responseText, error.message];
    return places.some((place) => /duplicate key value/i.test(typeof place === "string" ? place : JSON.stringify(place ?? "")));
}

/** The same HttpError (fields kept) with a clearer message, already free of secrets. */
function withMessage(error: HttpError, message: string): HttpError {
    const { kind, status, endpoint, responseBody, responseText } = error;
    return makeHttpError(message, { kind, status, endpoint, responseBody, responseText });
}

/**
 * Turns dbt's error answers into messages that say what dbt meant: the endpoint, what dbt said,
 * and the one sentence of cause and fix domain/knownErrors.ts holds for that answer. Every message
 * starts from the redacted HttpError's parts, and only fixed text is added.
 */
function explainDbtError(error: unknown, session: DbtSession): unknown {
    if (!isHttpError(error) || error.kind !== "status") return error;
    const said = dbtSaid(error);
    const known = explainDbtCloudAnswer(error.status, said, { accountId: session.accountId, host: session.host, tokenVariable: session.source });
    if (!known) return error;
    const saidText = said ? `: dbt Cloud said "${said}"` : "";
    switch (error.status) {
        case 404:
            return withMessage(error, `${error.message} ${known}`);
        case 429:
            // lib/http already waited within its bounded retry budget; waiting five more minutes inside `pulumi up` is not its call.
            return withMessage(error, `${error.endpoint} was refused with HTTP 429 Too Many Requests${saidText}. Nothing more was sent. ${known}`);
        default:
            return withMessage(error, `${error.endpoint} was refused (HTTP ${error.status})${saidText}. ${known}`);
    }
}

async function call<T>(session: DbtSession, method: HttpMethod, path: string, body?: unknown, settings?: HttpSettings) {
    try {
        return await requestJson<{ data?: T; extra?: { pagination?: { count?: number; total_count?: number } } }>({
            method,
            url: `${session.host}/v3/accounts/${encodeURIComponent(session.accountId)}/azure-ad-applications/${path}`,
            headers: { Authorization: session.authorization },
            body,
            permissionHint: PERMISSION_HINT,
            credentialSource: session.source,
            secrets: session.secrets,
        }, settings ?? httpSettingsFromEnv());
    } catch (error) {
        throw explainDbtError(error, session);
    }
}

/** Page size asked for, and a ceiling on pages so a server that never ends its list cannot loop us forever. */
const PAGE_LIMIT = 100;
export const MAX_PAGES = 50;

/**
 * Every active record the account has at this host (the list is scoped to the account in the path),
 * following pages: dbt lists page with `limit`/`offset` and say how far they go in
 * `extra.pagination` {count, total_count} (terraform-provider-dbtcloud pkg/dbt_cloud/paginate.go
 * GetRawData: offset += count while offset < total_count; stop on an empty page).
 */
export async function listAccountApplications(session: DbtSession): Promise<AzureAdApplicationRecord[]> {
    const records: AzureAdApplicationRecord[] = [];
    let offset = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
        const result = await call<AzureAdApplicationRecord[]>(session, "GET", `?limit=${PAGE_LIMIT}&offset=${offset}`);
        const data = Array.isArray(result.body?.data) ? result.body!.data : [];
        records.push(...data);
        const total = Number(result.body?.extra?.pagination?.total_count);
        offset += data.length;
        if (data.length === 0 || !Number.isFinite(total) || offset >= total) {
            // state 2 is dbt's "deleted" (soft delete); such a record is not the account's any more.
            return records.filter((r) => typeof r?.id === "number" && r.state !== 2);
        }
    }
    // A cut-off list could miss the account's record and read as "record gone": say so instead.
    throw new Error(`GET ${describeUrl(`${session.host}/v3/accounts/${encodeURIComponent(session.accountId)}/azure-ad-applications/`)} ` +
        `still had more pages after ${MAX_PAGES} (${records.length} records so far): stopped rather than treat a cut-off list as complete.`);
}

/** The account's record, if one is visible (there is at most one per account). */
export async function findAccountApplication(session: DbtSession): Promise<AzureAdApplicationRecord | undefined> {
    return (await listAccountApplications(session))[0];
}

export type CreateOutcome =
    | { created: AzureAdApplicationRecord }
    | { duplicate: true }
    /** No answer, or a 5xx/408/429: the POST may or may not have created the record. */
    | { uncertain: unknown };

const UNCERTAIN_STATUSES = [408, 429, 500, 502, 503, 504];

/**
 * One POST, never repeated here (lib/http retries are off for it): a repeat must first look
 * whether the lost attempt created the record (see createOrAdopt). A unique-constraint rejection
 * is reported, not thrown, so the caller can adopt.
 */
export async function createApplication(session: DbtSession, fields: AzureAdApplicationFields): Promise<CreateOutcome> {
    try {
        const result = await call<AzureAdApplicationRecord>(session, "POST", "", fields, { ...httpSettingsFromEnv(), maxRetries: 0 });
        if (!result.body?.data || typeof result.body.data.id !== "number") {
            throw new Error(`POST ${session.host}/v3/accounts/${session.accountId}/azure-ad-applications/ answered without a record id.`);
        }
        return { created: result.body.data };
    } catch (error) {
        if (isDuplicateKeyError(error)) {
            return { duplicate: true };
        }
        if (isHttpError(error) && (error.kind === "timeout" || error.kind === "network" || (error.status !== undefined && UNCERTAIN_STATUSES.includes(error.status)))) {
            return { uncertain: error };
        }
        throw error;
    }
}

export async function updateApplication(session: DbtSession, id: number, fields: AzureAdApplicationFields): Promise<AzureAdApplicationRecord> {
    const result = await call<AzureAdApplicationRecord>(session, "POST", `${id}/`, fields);
    return result.body?.data && typeof result.body.data.id === "number" ? result.body.data : { id };
}

/**
 * dbt Cloud marks the record inactive (soft delete). The caller has just seen the record listed,
 * so a 404 here is dbt's "no permission" answer (terraform-provider-dbtcloud client.go
 * attemptRequest), not "already gone": it throws, and Pulumi keeps the resource in state.
 */
export async function deleteApplication(session: DbtSession, id: number): Promise<void> {
    try {
        await call<unknown>(session, "DELETE", `${id}/`);
    } catch (error) {
        if (isHttpError(error) && error.status === 404) {
            throw withMessage(error, `dbt Cloud answered 404 to DELETE of Azure AD application record ${id} of account ${session.accountId} at ` +
                `${session.host}, although the account's list showed that record just before: the token in ${session.source} may see the ` +
                `record but not delete it. Nothing was deleted and the resource stays in Pulumi's state. It needs: ${PERMISSION_HINT}. ` +
                `Use such a token and re-run. (${error.message})`);
        }
        throw error;
    }
}
