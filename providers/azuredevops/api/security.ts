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

/** Allow bits explicitly set for this identity on this token (not inherited ones). */
export async function explicitAllowBits(session: AdoSession, namespaceId: string, token: string, identityDescriptor: string): Promise<number> {
    const result = await adoRequest<AdoList<AccessControlList>>(session, {
        method: "GET", host: "core",
        path: `_apis/accesscontrollists/${namespaceId}?token=${encodeURIComponent(token)}&descriptors=${encodeURIComponent(identityDescriptor)}&includeExtendedInfo=false&api-version=7.1`,
        permissionHint: PERMISSION_HINTS.securityManage,
    });
    let bits = 0;
    for (const acl of result.body?.value ?? []) {
        for (const ace of Object.values(acl.acesDictionary ?? {})) {
            if ((ace.descriptor ?? "").toLowerCase() === identityDescriptor.toLowerCase()) {
                bits |= ace.allow ?? 0;
            }
        }
    }
    return bits;
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
