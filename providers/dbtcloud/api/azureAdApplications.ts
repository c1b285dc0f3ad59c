/**
 * dbt Cloud's Azure AD application endpoints, as terraform-provider-dbtcloud calls them
 * (pkg/dbt_cloud/azure_ad_application.go): responses are {data, status}; update is a POST
 * to the record's id with every field; client id, secret and tenant are never returned.
 */
import { AuthMode } from "../../../domain/authMode";
import { dbtCloudCredentials } from "../../../lib/http/dbtCloudAuth";
import { isHttpError } from "../../../lib/http/httpError";
import { HttpMethod, requestJson } from "../../../lib/http/request";
import { httpSettingsFromEnv } from "../../../lib/http/settings";

export interface AzureAdApplicationRecord {
    id: number;
    account_id?: number;
    organization_name?: string;
    azure_service_authentication_method?: string;
    oauth_redirect_uri_domain?: string | null;
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
    return (env.DBT_CLOUD_HOST_URL || apiBaseUrl).replace(/\/+$/, "");
}

export function openDbtSession(apiBaseUrl: string, accountId: string, extraSecrets: string[]): DbtSession {
    const credentials = dbtCloudCredentials();
    return {
        host: dbtApiHost(apiBaseUrl), accountId, authorization: credentials.authorization,
        secrets: [...credentials.secrets, ...extraSecrets], source: credentials.source,
    };
}

async function call<T>(session: DbtSession, method: HttpMethod, path: string, body?: unknown, acceptStatuses?: number[]) {
    return requestJson<{ data?: T }>({
        method,
        url: `${session.host}/v3/accounts/${encodeURIComponent(session.accountId)}/azure-ad-applications/${path}`,
        headers: { Authorization: session.authorization },
        body,
        permissionHint: PERMISSION_HINT,
        credentialSource: session.source,
        secrets: session.secrets,
        acceptStatuses,
    }, httpSettingsFromEnv());
}

/** Every record the account has at this host (the list is scoped to the account in the path). */
export async function listAccountApplications(session: DbtSession): Promise<AzureAdApplicationRecord[]> {
    const result = await call<AzureAdApplicationRecord[]>(session, "GET", "");
    const data = result.body?.data;
    return Array.isArray(data) ? data.filter((r) => typeof r?.id === "number") : [];
}

/** The account's record, if one is visible (there is at most one per account). */
export async function findAccountApplication(session: DbtSession): Promise<AzureAdApplicationRecord | undefined> {
    return (await listAccountApplications(session))[0];
}

export type CreateOutcome = { created: AzureAdApplicationRecord } | { duplicate: true };

/** Creates the record; a unique-constraint rejection is reported, not thrown, so the caller can adopt. */
export async function createApplication(session: DbtSession, fields: AzureAdApplicationFields): Promise<CreateOutcome> {
    try {
        const result = await call<AzureAdApplicationRecord>(session, "POST", "", fields);
        if (!result.body?.data || typeof result.body.data.id !== "number") {
            throw new Error(`POST ${session.host}/v3/accounts/${session.accountId}/azure-ad-applications/ answered without a record id.`);
        }
        return { created: result.body.data };
    } catch (error) {
        if (isHttpError(error) && error.status !== undefined && error.status < 500 && /duplicate key|already exists|unique/i.test(error.message)) {
            return { duplicate: true };
        }
        throw error;
    }
}

export async function updateApplication(session: DbtSession, id: number, fields: AzureAdApplicationFields): Promise<AzureAdApplicationRecord> {
    const result = await call<AzureAdApplicationRecord>(session, "POST", `${id}/`, fields);
    return result.body?.data && typeof result.body.data.id === "number" ? result.body.data : { id };
}

/** dbt Cloud marks the record inactive (soft delete); already gone counts as deleted. */
export async function deleteApplication(session: DbtSession, id: number): Promise<void> {
    await call<unknown>(session, "DELETE", `${id}/`, undefined, [404]);
}
