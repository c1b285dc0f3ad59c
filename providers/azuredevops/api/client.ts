/**
 * One authenticated Azure DevOps session for a provider call: which organization, which hosts,
 * which credential. Every REST helper goes through adoRequest so auth, retries and redaction
 * are applied the same way everywhere.
 */
import { azureDevOpsCredentials, AzureDevOpsCredentials } from "../../../lib/http/azureDevOpsAuth";
import { HttpMethod, HttpResult, isHttpError, requestJson } from "../../../lib/http/request";
import { httpSettingsFromEnv } from "../../../lib/http/settings";
import { describeUrl } from "../../../lib/http/redact";
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
    /** "manual" returns a 3xx as it came (see HttpRequestSpec.redirect); default "follow". */
    redirect?: "follow" | "manual";
}

/**
 * Connecting an organization to a directory can invalidate the PATs created before it:
 * Microsoft's guide "Connect your organization to Microsoft Entra ID" (learn.microsoft.com,
 * azure/devops/organizations/accounts/connect-organization-to-azure-ad) tells admins to have
 * users re-create their PATs (and SSH keys) afterwards. The directory connection marks the
 * provider process when it connects; a credential failure after that, in the same run, says so.
 * A process-wide global, because each dynamic resource's provider is serialized (and loaded)
 * separately, so module variables are not shared between them; one process runs them all. Its key
 * is a plain string: Pulumi's closure serializer turns a captured Symbol into a plain object
 * (`Object.create(Symbol.prototype)`, seen in serialized state), which cannot be a property key.
 */
const CONNECTED_THIS_RUN = "__dbtAzureDevOpsConnectedThisRun";

function connectsThisRun(): Record<string, string> {
    const registry = globalThis as unknown as Record<string, Record<string, string> | undefined>;
    registry[CONNECTED_THIS_RUN] = registry[CONNECTED_THIS_RUN] ?? {};
    return registry[CONNECTED_THIS_RUN]!;
}

export function markConnectedThisRun(organization: string, tenantId: string): void {
    connectsThisRun()[organization.toLowerCase()] = tenantId;
}

export function connectedThisRun(organization: string): string | undefined {
    return connectsThisRun()[organization.toLowerCase()];
}

/** For tests: forgets every connect this process made. */
export function forgetConnectedThisRun(): void {
    delete (globalThis as unknown as Record<string, unknown>)[CONNECTED_THIS_RUN];
}

export function credentialAfterConnectHint(organization: string, tenantId: string): string {
    return ` This run connected "${organization}" to Entra tenant ${tenantId} moments ago, and connecting invalidates ` +
        "personal access tokens created before it (Microsoft's connect guide says to reconfigure PATs afterwards). " +
        "The connection itself is done. Re-run `pulumi up` with a fresh PAT created after the connect by a member of that tenant " +
        "(AZDO_PERSONAL_ACCESS_TOKEN), or unset AZDO_PERSONAL_ACCESS_TOKEN to use an Entra login (az login, a managed or workload identity).";
}

export async function adoRequest<T>(session: AdoSession, call: AdoCall): Promise<HttpResult<T>> {
    try {
        return await sendAdoRequest<T>(session, call);
    } catch (error) {
        const tenant = connectedThisRun(session.organization);
        if (tenant && isHttpError(error) && error.status === 401) {
            error.message += credentialAfterConnectHint(session.organization, tenant);
        }
        throw error;
    }
}

function sendAdoRequest<T>(session: AdoSession, call: AdoCall): Promise<HttpResult<T>> {
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
        redirect: call.redirect,
    }, httpSettingsFromEnv());
}

/** Azure DevOps list responses: {count, value}. */
export interface AdoList<T> {
    count?: number;
    value?: T[];
}

/** How many pages adoListAll follows before it gives up. */
export const ADO_MAX_PAGES = 100;

/**
 * Follows x-ms-continuationtoken pages (graph, projects) up to a generous bound: the response
 * header carries the token and the next request passes it as `continuationToken` (vsts-rest-api-specs
 * graph 7.1 "Service Principals - List" / "Groups - List", core "Projects - List"). Hitting the
 * bound throws, naming the endpoint: a cut-off list must never read as "not there".
 */
export async function adoListAll<T>(session: AdoSession, call: AdoCall): Promise<T[]> {
    const items: T[] = [];
    let continuation: string | undefined;
    for (let page = 0; page < ADO_MAX_PAGES; page++) {
        const separator = call.path.includes("?") ? "&" : "?";
        const path = continuation ? `${call.path}${separator}continuationToken=${encodeURIComponent(continuation)}` : call.path;
        const result = await adoRequest<AdoList<T>>(session, { ...call, path });
        items.push(...(result.body?.value ?? []));
        continuation = result.headers.get("x-ms-continuationtoken") ?? undefined;
        if (!continuation) {
            return items;
        }
    }
    throw new Error(`${call.method} ${describeUrl(orgUrl(session.hosts[call.host], session.organization, call.path))} still had more pages after ` +
        `${ADO_MAX_PAGES} (x-ms-continuationtoken): stopped rather than treat a cut-off list (${items.length} items so far) as complete.`);
}

export const PERMISSION_HINTS = {
    entitlements: "PAT scope \"Member Entitlement Management (Read & write)\" (vso.memberentitlementmanagement_write) and, in the organization, Project Collection Administrator or the \"Basic + manage users\" role",
    graphRead: "PAT scope \"Graph (Read)\" (vso.graph) and membership in the organization",
    graphManage: "PAT scope \"Graph (Read & manage)\" (vso.graph_manage) and Project Administrator of the project (or Project Collection Administrator)",
    identityRead: "PAT scope \"Identity (Read)\" (vso.identity)",
    projectRead: "PAT scope \"Project and Team (Read)\" (vso.project)",
    securityManage: "PAT scope \"Security (Manage)\" (vso.security_manage) and the \"Manage permissions\" right on the project (Project Administrator)",
};
