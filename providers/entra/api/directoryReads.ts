/**
 * Read-only Microsoft Graph calls for auditing the app against what a stack declares
 * (tools/audit): the application as Graph has it, its owners and federated identity credentials,
 * and its service principal with its owners, app-role assignments and delegated permission
 * grants. Same transport, errors and redaction as ./graph.ts; nothing here writes.
 *
 * Sources (Microsoft Graph v1.0 reference): "Get application" (`GET /applications(appId='{appId}')`,
 * `$select`), "List owners" of an application and of a service principal (directoryObject
 * collections), "List federatedIdentityCredentials", "Get servicePrincipal", "List
 * appRoleAssignments granted to a service principal" (application permissions it holds), "List
 * appRoleAssignedTo" (who holds its app roles), "List a service principal's
 * oauth2PermissionGrants" (delegated grants to it), and "Paging Microsoft Graph data in your app":
 * a collection answers `{ value: [...] }` and, while more remain, `@odata.nextLink`, an absolute
 * URL to GET as it is.
 */
import { HttpError, makeHttpError } from "../../../lib/http/httpError";
import { GraphAnswer, GraphSession, graphFailure, InstanceLock, ok, send, sendToApplication } from "./graph";

/** What the audit's identity needs, said on a 401/403. */
export const READ_PERMISSION_HINT = "The identity running the audit needs the Microsoft Graph application permissions Application.Read.All and " +
    "DelegatedPermissionGrant.Read.All (or Directory.Read.All), or, for a user, the Global Reader role";

/** Pages a Graph list may have before the audit stops rather than read a cut-off list as complete. */
export const GRAPH_MAX_PAGES = 100;

export interface RedirectUris {
    redirectUris: string[];
}

export interface GraphKeyCredential {
    keyId: string;
    displayName?: string | null;
    type?: string;
    usage?: string;
    endDateTime?: string | null;
}

export interface GraphPasswordListing {
    keyId: string;
    displayName?: string | null;
    endDateTime?: string | null;
}

export interface GraphRequiredResourceAccess {
    resourceAppId: string;
    resourceAccess: Array<{ id: string; type: string }>;
}

/** The application as the audit reads it (credential values are never listed by Graph). */
export interface AppRegistration {
    id: string;
    appId: string;
    displayName: string;
    signInAudience: string;
    isFallbackPublicClient: boolean;
    web: RedirectUris & { implicitGrantSettings: { enableAccessTokenIssuance: boolean; enableIdTokenIssuance: boolean } };
    spa: RedirectUris;
    publicClient: RedirectUris;
    requiredResourceAccess: GraphRequiredResourceAccess[];
    passwordCredentials: GraphPasswordListing[];
    keyCredentials: GraphKeyCredential[];
    servicePrincipalLockConfiguration: InstanceLock | null;
}

/** An owner: a user, a service principal, ... (`@odata.type`), with what Graph says of it. */
export interface DirectoryObject {
    "@odata.type"?: string;
    id: string;
    displayName?: string | null;
    userPrincipalName?: string | null;
    appId?: string | null;
}

export interface FederatedIdentityCredential {
    id: string;
    name: string;
    issuer: string;
    subject: string;
    audiences: string[];
}

export interface PermissionScope {
    id: string;
    value: string;
}

export interface ServicePrincipalListing {
    id: string;
    appId: string;
    displayName: string;
    passwordCredentials: GraphPasswordListing[];
    keyCredentials: GraphKeyCredential[];
    oauth2PermissionScopes: PermissionScope[];
    appRoles: PermissionScope[];
}

export interface AppRoleAssignment {
    id: string;
    appRoleId: string;
    principalId: string;
    principalType?: string;
    principalDisplayName?: string | null;
    resourceId: string;
    resourceDisplayName?: string | null;
}

export interface DelegatedGrant {
    id: string;
    /** The client service principal's object id. */
    clientId: string;
    consentType: string;
    principalId: string | null;
    resourceId: string;
    /** Space-separated claim values. */
    scope: string;
}

const APP_SELECT = "id,appId,displayName,signInAudience,isFallbackPublicClient,web,spa,publicClient,requiredResourceAccess,passwordCredentials,keyCredentials,servicePrincipalLockConfiguration";
const SP_SELECT = "id,appId,displayName,passwordCredentials,keyCredentials,oauth2PermissionScopes,appRoles";

function failure(session: GraphSession, path: string, answer: GraphAnswer): HttpError {
    return graphFailure(session, "GET", path, answer, `${READ_PERMISSION_HINT}.`);
}

function list<T>(value: unknown): T[] {
    return Array.isArray(value) ? (value as T[]) : [];
}

function uris(value: unknown): RedirectUris {
    return { redirectUris: list<string>((value as RedirectUris | null | undefined)?.redirectUris).filter((u) => typeof u === "string") };
}

/** One object, or undefined when Graph answers 404. `lag`: a 404 is retried for the replication window (./graph.ts). */
async function getObject(session: GraphSession, path: string, lag = false): Promise<Record<string, unknown> | undefined> {
    const answer = lag ? await sendToApplication(session, "GET", path) : await send(session, "GET", path);
    if (answer.status === 404) {
        return undefined;
    }
    if (!ok(answer) || typeof answer.body !== "object" || answer.body === null) {
        throw failure(session, path, answer);
    }
    return answer.body as Record<string, unknown>;
}

/**
 * Every item of a collection, following `@odata.nextLink`. A next link is followed only on the
 * session's own Graph (the token goes with it); a list still going after GRAPH_MAX_PAGES fails.
 */
async function listAll<T>(session: GraphSession, path: string): Promise<T[]> {
    const items: T[] = [];
    const prefix = `${session.baseUrl}/v1.0`;
    let next: string | undefined = path;
    for (let page = 0; page < GRAPH_MAX_PAGES && next !== undefined; page++) {
        const answer: GraphAnswer = await send(session, "GET", next);
        if (!ok(answer)) {
            throw failure(session, next, answer);
        }
        const body = (answer.body ?? {}) as { value?: unknown; "@odata.nextLink"?: unknown };
        items.push(...list<T>(body.value));
        const link = body["@odata.nextLink"];
        if (typeof link !== "string") {
            return items;
        }
        if (!link.startsWith(`${prefix}/`)) {
            throw makeHttpError(`GET ${prefix}${path} answered a next page on another host; not followed (the token would go there).`, { kind: "malformed-json", endpoint: `GET ${prefix}${path}` });
        }
        next = link.slice(prefix.length);
    }
    throw makeHttpError(`GET ${prefix}${path} still had more pages after ${GRAPH_MAX_PAGES}: stopped rather than treat a cut-off list (${items.length} items so far) as complete.`,
        { kind: "malformed-json", endpoint: `GET ${prefix}${path}` });
}

const id = encodeURIComponent;

/** The application whose client id is `appId`; undefined when the directory has none (after the replication window). */
export async function getApplicationByAppId(session: GraphSession, appId: string): Promise<AppRegistration | undefined> {
    const app = await getObject(session, `/applications(appId='${id(appId)}')?$select=${APP_SELECT}`, true);
    if (!app) {
        return undefined;
    }
    const web = (app.web ?? {}) as { implicitGrantSettings?: { enableAccessTokenIssuance?: unknown; enableIdTokenIssuance?: unknown } };
    return {
        id: String(app.id ?? ""),
        appId: String(app.appId ?? appId),
        displayName: String(app.displayName ?? ""),
        signInAudience: String(app.signInAudience ?? ""),
        isFallbackPublicClient: app.isFallbackPublicClient === true,
        web: {
            ...uris(app.web),
            implicitGrantSettings: {
                enableAccessTokenIssuance: web.implicitGrantSettings?.enableAccessTokenIssuance === true,
                enableIdTokenIssuance: web.implicitGrantSettings?.enableIdTokenIssuance === true,
            },
        },
        spa: uris(app.spa),
        publicClient: uris(app.publicClient),
        requiredResourceAccess: list<GraphRequiredResourceAccess>(app.requiredResourceAccess).map((r) => ({ resourceAppId: r.resourceAppId, resourceAccess: list(r.resourceAccess) })),
        passwordCredentials: list<GraphPasswordListing>(app.passwordCredentials).filter((p) => typeof p?.keyId === "string"),
        keyCredentials: list<GraphKeyCredential>(app.keyCredentials).filter((k) => typeof k?.keyId === "string"),
        servicePrincipalLockConfiguration: (app.servicePrincipalLockConfiguration ?? null) as InstanceLock | null,
    };
}

export async function listApplicationOwners(session: GraphSession, objectId: string): Promise<DirectoryObject[]> {
    return listAll<DirectoryObject>(session, `/applications/${id(objectId)}/owners`);
}

export async function listFederatedIdentityCredentials(session: GraphSession, objectId: string): Promise<FederatedIdentityCredential[]> {
    return listAll<FederatedIdentityCredential>(session, `/applications/${id(objectId)}/federatedIdentityCredentials`);
}

function servicePrincipalOf(sp: Record<string, unknown>): ServicePrincipalListing {
    return {
        id: String(sp.id ?? ""),
        appId: String(sp.appId ?? ""),
        displayName: String(sp.displayName ?? ""),
        passwordCredentials: list<GraphPasswordListing>(sp.passwordCredentials).filter((p) => typeof p?.keyId === "string"),
        keyCredentials: list<GraphKeyCredential>(sp.keyCredentials).filter((k) => typeof k?.keyId === "string"),
        oauth2PermissionScopes: list<PermissionScope>(sp.oauth2PermissionScopes),
        appRoles: list<PermissionScope>(sp.appRoles),
    };
}

/** A service principal by object id; undefined when the directory has none. */
export async function getServicePrincipal(session: GraphSession, objectId: string): Promise<ServicePrincipalListing | undefined> {
    const sp = await getObject(session, `/servicePrincipals/${id(objectId)}?$select=${SP_SELECT}`);
    return sp ? servicePrincipalOf(sp) : undefined;
}

/** The tenant's service principal of the app `appId` (e.g. Microsoft Graph's), for permission names; undefined when none. */
export async function getServicePrincipalByAppId(session: GraphSession, appId: string): Promise<ServicePrincipalListing | undefined> {
    const sp = await getObject(session, `/servicePrincipals(appId='${id(appId)}')?$select=${SP_SELECT}`);
    return sp ? servicePrincipalOf(sp) : undefined;
}

export async function listServicePrincipalOwners(session: GraphSession, objectId: string): Promise<DirectoryObject[]> {
    return listAll<DirectoryObject>(session, `/servicePrincipals/${id(objectId)}/owners`);
}

/** App roles granted to the service principal: the application permissions it holds. */
export async function listAppRoleAssignments(session: GraphSession, objectId: string): Promise<AppRoleAssignment[]> {
    return listAll<AppRoleAssignment>(session, `/servicePrincipals/${id(objectId)}/appRoleAssignments`);
}

/** Users, groups and service principals granted one of this service principal's app roles. */
export async function listAppRoleAssignedTo(session: GraphSession, objectId: string): Promise<AppRoleAssignment[]> {
    return listAll<AppRoleAssignment>(session, `/servicePrincipals/${id(objectId)}/appRoleAssignedTo`);
}

/** Delegated permission grants to the service principal (as the client), tenant-wide and per user. */
export async function listDelegatedGrants(session: GraphSession, objectId: string): Promise<DelegatedGrant[]> {
    return listAll<DelegatedGrant>(session, `/servicePrincipals/${id(objectId)}/oauth2PermissionGrants`);
}
