/**
 * Security namespace calls: read a principal's explicit ACE, merge allow bits in, and remove
 * exactly given bits. Removal uses "Permissions - Remove" (DELETE _apis/permissions/{ns}/{bits}),
 * which clears only those bits; "Access Control Entries - Remove" would drop the whole ACE,
 * including bits someone else granted.
 */
import { AdoSession, adoRequest, AdoList, PERMISSION_HINTS } from "./client";

interface AccessControlEntry {
    descriptor?: string;
    allow?: number;
    deny?: number;
}

interface AccessControlList {
    token?: string;
    acesDictionary?: Record<string, AccessControlEntry>;
}

/** The allow and deny bits explicitly set for one identity on one token (not inherited ones). */
export interface ExplicitBits {
    allow: number;
    deny: number;
}

/**
 * This identity's explicit ACE on this token, both halves (the ACE carries `allow` and `deny`:
 * vsts-rest-api-specs security 7.1 "Access Control Lists - Query"). An explicit Deny takes
 * precedence over an Allow (Microsoft Learn, Azure DevOps "About permissions and inheritance").
 */
export async function explicitBits(session: AdoSession, namespaceId: string, token: string, identityDescriptor: string): Promise<ExplicitBits> {
    const result = await adoRequest<AdoList<AccessControlList>>(session, {
        method: "GET", host: "core",
        path: `_apis/accesscontrollists/${namespaceId}?token=${encodeURIComponent(token)}&descriptors=${encodeURIComponent(identityDescriptor)}&includeExtendedInfo=false&api-version=7.1`,
        permissionHint: PERMISSION_HINTS.securityManage,
    });
    const bits: ExplicitBits = { allow: 0, deny: 0 };
    for (const acl of result.body?.value ?? []) {
        for (const ace of Object.values(acl.acesDictionary ?? {})) {
            if ((ace.descriptor ?? "").toLowerCase() === identityDescriptor.toLowerCase()) {
                bits.allow |= ace.allow ?? 0;
                bits.deny |= ace.deny ?? 0;
            }
        }
    }
    return bits;
}

/** Bits that are in effect allowed by the explicit ACE: allowed and not denied. */
export function effectiveAllow(bits: ExplicitBits): number {
    return bits.allow & ~bits.deny;
}

/** Adds allow bits with merge semantics: whatever else the ACE holds stays. */
export async function mergeAllowBits(session: AdoSession, namespaceId: string, token: string, identityDescriptor: string, bits: number): Promise<void> {
    await adoRequest<unknown>(session, {
        method: "POST", host: "core", path: `_apis/accesscontrolentries/${namespaceId}?api-version=7.1`,
        body: { token, merge: true, accessControlEntries: [{ descriptor: identityDescriptor, allow: bits, deny: 0, extendedInfo: {} }] },
        permissionHint: PERMISSION_HINTS.securityManage,
    });
}

/** Clears exactly these bits from the identity's ACE on the token. */
export async function removeBits(session: AdoSession, namespaceId: string, token: string, identityDescriptor: string, bits: number): Promise<void> {
    await adoRequest<unknown>(session, {
        method: "DELETE", host: "core",
        path: `_apis/permissions/${namespaceId}/${bits}?descriptor=${encodeURIComponent(identityDescriptor)}&token=${encodeURIComponent(token)}&api-version=7.1`,
        permissionHint: PERMISSION_HINTS.securityManage, acceptStatuses: [404],
    });
}
