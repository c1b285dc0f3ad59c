/**
 * One authenticated Azure DevOps session for a provider call: which organization, which hosts,
 * which credential. Every REST helper goes through adoRequest so auth, retries and redaction
 * are applied the same way everywhere.
 */
import { azureDevOpsCredentials, AzureDevOpsCredentials } from "../../../lib/http/azureDevOpsAuth";
import { HttpMethod, HttpResult, requestJson } from "../../../lib/http/request";
import { httpSettingsFromEnv } from "../../../lib/http/settings";
import { azureDevOpsHosts, AzureDevOpsHosts, orgUrl } from "./endpoints";

export interface AdoSession {
    organization: string;
    hosts: AzureDevOpsHosts;
    credentials: AzureDevOpsCredentials;
}

export async function openAdoSession(organization: string): Promise<AdoSession> {
    return { organization, hosts: azureDevOpsHosts(), credentials: await azureDevOpsCredentials() };
}

export interface AdoCall {
    method: HttpMethod;
    host: keyof AzureDevOpsHosts;
    /** Path under /{organization}/, including the query string. */
    path: string;
    body?: unknown;
    contentType?: string;
    permissionHint: string;
    acceptStatuses?: number[];
}

export function adoRequest<T>(session: AdoSession, call: AdoCall): Promise<HttpResult<T>> {
    return requestJson<T>({
        method: call.method,
        url: orgUrl(session.hosts[call.host], session.organization, call.path),
        headers: { Authorization: session.credentials.authorization },
        body: call.body,
        contentType: call.contentType,
        permissionHint: call.permissionHint,
        credentialSource: session.credentials.source,
        secrets: session.credentials.secrets,
        acceptStatuses: call.acceptStatuses,
    }, httpSettingsFromEnv());
}

/** Azure DevOps list responses: {count, value}. */
export interface AdoList<T> {
    count?: number;
    value?: T[];
}

/** Follows x-ms-continuationtoken pages (graph, projects) up to a generous bound. */
export async function adoListAll<T>(session: AdoSession, call: AdoCall): Promise<T[]> {
    const items: T[] = [];
    let continuation: string | undefined;
    for (let page = 0; page < 100; page++) {
        const separator = call.path.includes("?") ? "&" : "?";
        const path = continuation ? `${call.path}${separator}continuationToken=${encodeURIComponent(continuation)}` : call.path;
        const result = await adoRequest<AdoList<T>>(session, { ...call, path });
        items.push(...(result.body?.value ?? []));
        continuation = result.headers.get("x-ms-continuationtoken") ?? undefined;
        if (!continuation) {
            break;
        }
    }
    return items;
}

export const PERMISSION_HINTS = {
    entitlements: "PAT scope \"Member Entitlement Management (Read & write)\" (vso.memberentitlementmanagement_write) and, in the organization, Project Collection Administrator or the \"Basic + manage users\" role",
    graphRead: "PAT scope \"Graph (Read)\" (vso.graph) and membership in the organization",
    graphManage: "PAT scope \"Graph (Read & manage)\" (vso.graph_manage) and Project Administrator of the project (or Project Collection Administrator)",
    identityRead: "PAT scope \"Identity (Read)\" (vso.identity)",
    projectRead: "PAT scope \"Project and Team (Read)\" (vso.project)",
    securityManage: "PAT scope \"Security (Manage)\" (vso.security_manage) and the \"Manage permissions\" right on the project (Project Administrator)",
};
