/**
 * Azure DevOps Graph and Identities calls: subject descriptors, identity descriptors,
 * project scope descriptors, project groups and direct memberships.
 */
import { sameGuid } from "../../../domain/guid";
import { describeUrl } from "../../../lib/http/redact";
import { AdoSession, adoListAll, adoRequest, AdoList, PERMISSION_HINTS } from "./client";
import { orgUrl } from "./endpoints";

const GRAPH_API = "api-version=7.1-preview.1";

export interface GraphSubject {
    descriptor: string;
    displayName?: string;
    principalName?: string;
    originId?: string;
    origin?: string;
}

/** The ADO graph subject of an Entra service principal already in the organization, if any. */
export async function findServicePrincipalByObjectId(session: AdoSession, objectId: string): Promise<GraphSubject | undefined> {
    const all = await adoListAll<GraphSubject>(session, {
        method: "GET", host: "vssps", path: `_apis/graph/serviceprincipals?${GRAPH_API}`, permissionHint: PERMISSION_HINTS.graphRead,
    });
    return all.find((sp) => sameGuid(sp.originId ?? "", objectId));
}

/** Storage key of a subject: the id member-entitlement APIs use for it. */
export function storageKeyOf(session: AdoSession, subjectDescriptor: string): Promise<string> {
    return graphValue(session, `_apis/graph/storagekeys/${encodeURIComponent(subjectDescriptor)}?${GRAPH_API}`,
        `Azure DevOps returned no storage key for subject ${subjectDescriptor}.`);
}

/** Scope descriptor ("scp.…") of a project, needed to list its groups. */
export function projectScopeDescriptor(session: AdoSession, projectId: string): Promise<string> {
    return graphValue(session, `_apis/graph/descriptors/${encodeURIComponent(projectId)}?${GRAPH_API}`,
        `Azure DevOps returned no scope descriptor for project ${projectId}.`);
}

/** A Graph lookup answered as `{ value }`, failing with `missing` when the value is absent. */
async function graphValue(session: AdoSession, path: string, missing: string): Promise<string> {
    const result = await adoRequest<{ value?: string }>(session, { method: "GET", host: "vssps", path, permissionHint: PERMISSION_HINTS.graphRead });
    if (!result.body?.value) {
        throw new Error(missing);
    }
    return result.body.value;
}

/** A built-in project group ("Readers", "Project Administrators") by its display name. */
export async function findProjectGroup(session: AdoSession, scopeDescriptor: string, projectName: string, groupName: string): Promise<GraphSubject> {
    const groups = await adoListAll<GraphSubject>(session, {
        method: "GET", host: "vssps", path: `_apis/graph/groups?scopeDescriptor=${encodeURIComponent(scopeDescriptor)}&${GRAPH_API}`,
        permissionHint: PERMISSION_HINTS.graphRead,
    });
    const wanted = groupName.toLowerCase();
    const group = groups.find((g) => (g.displayName ?? "").toLowerCase() === wanted || (g.principalName ?? "").toLowerCase().endsWith(`\\${wanted}`));
    if (!group) {
        const names = groups.map((g) => g.displayName).filter(Boolean).join(", ");
        throw new Error(`Project "${projectName}" has no group named "${groupName}" (groups found: ${names || "none"}).`);
    }
    return group;
}

/**
 * Whether the subject is a direct member of the container, with the documented existence check:
 * `HEAD _apis/graph/memberships/{subject}/{container}`, 404 when absent (vsts-rest-api-specs graph
 * 7.1 "Memberships - Check Membership Existence"; azure-devops-node-api GraphApi.checkMembershipExistence).
 */
export async function isDirectMember(session: AdoSession, subjectDescriptor: string, containerDescriptor: string): Promise<boolean> {
    const path = `_apis/graph/memberships/${encodeURIComponent(subjectDescriptor)}/${encodeURIComponent(containerDescriptor)}?${GRAPH_API}`;
    // Redirects are not followed: a sign-in redirect ending on a 200 page must not read as "member".
    const result = await adoRequest<unknown>(session, {
        method: "HEAD", host: "vssps", path, permissionHint: PERMISSION_HINTS.graphRead, acceptStatuses: [404], redirect: "manual",
    });
    if (result.status === 200 || result.status === 204) {
        return true;
    }
    if (result.status === 404) {
        return false;
    }
    const where = result.headers.get("location");
    throw new Error(`HEAD ${describeUrl(orgUrl(session.hosts.vssps, session.organization, path))} answered HTTP ${result.status}` +
        `${where ? ` (to ${describeUrl(where)})` : ""}, which says neither "member" (200/204) nor "not a member" (404). ` +
        `A redirect here is most often a sign-in page: check the credential. It needs: ${PERMISSION_HINTS.graphRead}.`);
}

export async function addMembership(session: AdoSession, subjectDescriptor: string, containerDescriptor: string): Promise<void> {
    await adoRequest<unknown>(session, {
        method: "PUT", host: "vssps",
        path: `_apis/graph/memberships/${encodeURIComponent(subjectDescriptor)}/${encodeURIComponent(containerDescriptor)}?${GRAPH_API}`,
        permissionHint: PERMISSION_HINTS.graphManage,
    });
}

/** Removes a direct membership; an already-absent one counts as removed. */
export async function removeMembership(session: AdoSession, subjectDescriptor: string, containerDescriptor: string): Promise<void> {
    await adoRequest<unknown>(session, {
        method: "DELETE", host: "vssps",
        path: `_apis/graph/memberships/${encodeURIComponent(subjectDescriptor)}/${encodeURIComponent(containerDescriptor)}?${GRAPH_API}`,
        permissionHint: PERMISSION_HINTS.graphManage, acceptStatuses: [404],
    });
}

/**
 * The identity descriptor ("Microsoft.VisualStudio.Services.Claims.AadServicePrincipal;…") that
 * security ACEs are keyed by, resolved from a graph subject descriptor.
 */
export async function identityDescriptorOf(session: AdoSession, subjectDescriptor: string): Promise<string | undefined> {
    const result = await adoRequest<AdoList<{ descriptor?: string }>>(session, {
        method: "GET", host: "vssps",
        path: `_apis/identities?subjectDescriptors=${encodeURIComponent(subjectDescriptor)}&queryMembership=None&api-version=7.1`,
        permissionHint: PERMISSION_HINTS.identityRead,
    });
    return result.body?.value?.find((identity) => identity && identity.descriptor)?.descriptor;
}
