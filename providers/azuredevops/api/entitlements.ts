/**
 * Member Entitlement Management calls for service principals (vsaex.dev.azure.com, 7.1-preview.1).
 */
import { AccessLevel } from "../../../domain/accessLevel";
import { AdoSession, adoRequest, PERMISSION_HINTS } from "./client";

const ENTITLEMENT_API = "api-version=7.1-preview.1";

export interface ServicePrincipalEntitlement {
    id: string;
    accessLevel?: { accountLicenseType?: string; licensingSource?: string; status?: string };
    servicePrincipal?: { descriptor?: string; originId?: string; displayName?: string };
}

interface OperationResult {
    isSuccess?: boolean;
    errors?: Array<{ key?: unknown; value?: unknown }>;
}

interface PostResponse {
    isSuccess?: boolean;
    /** The standard Azure DevOps error body, when the add is refused without an operationResult. */
    message?: string;
    operationResult?: OperationResult;
    servicePrincipalEntitlement?: ServicePrincipalEntitlement;
}

interface PatchResponse {
    isSuccess?: boolean;
    operationResults?: OperationResult[];
}

function describeErrors(results: Array<OperationResult | undefined>): string {
    const messages = results.flatMap((r) => r?.errors ?? []).map((e) => `(${String(e.key)}) ${String(e.value)}`);
    return messages.length > 0 ? messages.join("; ") : "no error detail returned";
}

export type AddOutcome = { added: ServicePrincipalEntitlement } | { rejected: string };

export async function addServicePrincipalEntitlement(session: AdoSession, objectId: string, license: AccessLevel): Promise<AddOutcome> {
    const result = await adoRequest<PostResponse>(session, {
        method: "POST", host: "vsaex", path: `_apis/serviceprincipalentitlements?${ENTITLEMENT_API}`,
        body: {
            accessLevel: { accountLicenseType: license, licensingSource: "account" },
            servicePrincipal: { origin: "aad", originId: objectId, subjectKind: "servicePrincipal" },
        },
        permissionHint: PERMISSION_HINTS.entitlements,
        // An already-present principal may be reported as a conflict or a bad request.
        acceptStatuses: [400, 409],
    });
    const body = result.body;
    if (result.status < 300 && body?.isSuccess !== false && body?.servicePrincipalEntitlement?.id) {
        return { added: body.servicePrincipalEntitlement };
    }
    return { rejected: rejectionDetail(result.status, body) };
}

/**
 * Why an add was refused: the operationResult's errors when there are any (a 200 with
 * isSuccess false, per the spec's ServicePrincipalEntitlementsPostResponse), else the standard
 * `{ message }` body a 400 or 409 carries (e.g. "VS403283: ... already exists"), else the status.
 */
function rejectionDetail(status: number, body: PostResponse | undefined): string {
    if ((body?.operationResult?.errors ?? []).length > 0) {
        return describeErrors([body!.operationResult]);
    }
    if (typeof body?.message === "string" && body.message.trim() !== "") {
        return `HTTP ${status}: ${body.message}`;
    }
    return `HTTP ${status}, no error detail returned`;
}

/**
 * An entitlement that reads back with access level status "none" or "deleted" is a removed one:
 * Azure DevOps may keep answering GET for a principal removed from the organization instead of
 * 404. terraform-provider-azuredevops treats the same answer as deleted
 * (azuredevops/internal/service/memberentitlementmanagement/resource_service_principal_entitlement.go,
 * the deleted check on AccessLevel.Status == AccountUserStatusValues.Deleted || .None).
 */
export function isRemovedEntitlement(entitlement: ServicePrincipalEntitlement): boolean {
    const status = (entitlement.accessLevel?.status ?? "").toLowerCase();
    return status === "none" || status === "deleted";
}

export async function getServicePrincipalEntitlement(session: AdoSession, entitlementId: string): Promise<ServicePrincipalEntitlement | undefined> {
    const result = await adoRequest<ServicePrincipalEntitlement>(session, {
        method: "GET", host: "vsaex", path: `_apis/serviceprincipalentitlements/${encodeURIComponent(entitlementId)}?${ENTITLEMENT_API}`,
        permissionHint: PERMISSION_HINTS.entitlements, acceptStatuses: [404],
    });
    return result.status === 404 || !result.body?.id || isRemovedEntitlement(result.body) ? undefined : result.body;
}

export async function setAccessLevel(session: AdoSession, entitlementId: string, license: AccessLevel): Promise<void> {
    const result = await adoRequest<PatchResponse>(session, {
        method: "PATCH", host: "vsaex", path: `_apis/serviceprincipalentitlements/${encodeURIComponent(entitlementId)}?${ENTITLEMENT_API}`,
        contentType: "application/json-patch+json",
        body: [{ op: "replace", path: "/accessLevel", value: { accountLicenseType: license, licensingSource: "account" } }],
        permissionHint: PERMISSION_HINTS.entitlements,
    });
    if (result.body?.isSuccess === false) {
        throw new Error(`Azure DevOps refused to set access level "${license}" on entitlement ${entitlementId}: ${describeErrors(result.body.operationResults ?? [])}. ` +
            "Check that the organization has a free license of that kind (Organization settings > Billing).");
    }
}

/** Removes the principal from the organization; already gone counts as removed. */
export async function deleteServicePrincipalEntitlement(session: AdoSession, entitlementId: string): Promise<void> {
    await adoRequest<unknown>(session, {
        method: "DELETE", host: "vsaex", path: `_apis/serviceprincipalentitlements/${encodeURIComponent(entitlementId)}?${ENTITLEMENT_API}`,
        permissionHint: PERMISSION_HINTS.entitlements, acceptStatuses: [404],
    });
}
