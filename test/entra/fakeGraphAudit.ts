/**
 * The Microsoft Graph reads the drift audit makes (tools/audit), served by the fake Entra
 * (./fakeEntra.ts) over the same tenant file as the fake azuread plugin. Each route, with the
 * Microsoft Graph v1.0 reference page it follows (microsoftgraph/microsoft-graph-docs-contrib,
 * api-reference/v1.0/api/):
 *
 * - `GET /applications(appId='{appId}')` ("Get application", application-get.md: the alternate
 *   key by client id; `$select` narrows the answer, `id` always included): the application with
 *   `web`, `spa`, `publicClient` (each `{ redirectUris }`, empty lists when none),
 *   `isFallbackPublicClient` (null when never set), `requiredResourceAccess`,
 *   `passwordCredentials` (no `secretText`), `keyCredentials` (no `key`) and
 *   `servicePrincipalLockConfiguration`. A new app answers 404 `Request_ResourceNotFound` for
 *   `tenant.entra.readLagMs`, as the object-id route does (directory replication).
 * - `GET /applications/{id}/owners` ("List owners", application-list-owners.md) and
 *   `GET /servicePrincipals/{id}/owners` (serviceprincipal-list-owners.md): directoryObject
 *   collections, each owner as its derived type (`@odata.type` `#microsoft.graph.user` or
 *   `#microsoft.graph.servicePrincipal`) with its names. The tenant file models users only in
 *   `users`; an owner id it does not know is answered as a user with only its id (the fake's choice).
 *   The deploying identity (`deployerObjectId`) is a service principal.
 * - `GET /applications/{id}/federatedIdentityCredentials` (application-list-federatedidentitycredentials.md).
 * - `GET /servicePrincipals/{id}` and `GET /servicePrincipals(appId='{appId}')` ("Get
 *   servicePrincipal", serviceprincipal-get.md), with `passwordCredentials`, `keyCredentials`,
 *   `oauth2PermissionScopes` and `appRoles`.
 * - `GET /servicePrincipals/{id}/appRoleAssignments` ("List appRoleAssignments granted to a service
 *   principal", serviceprincipal-list-approleassignments.md: the roles it holds) and
 *   `GET /servicePrincipals/{id}/appRoleAssignedTo` (serviceprincipal-list-approleassignedto.md:
 *   who holds its roles), from the tenant's `appRoleAssignments`.
 * - `GET /servicePrincipals/{id}/oauth2PermissionGrants` ("List a service principal's
 *   oauth2PermissionGrants", serviceprincipal-list-oauth2permissiongrants.md: grants with this
 *   principal as the client), from the tenant's `grants`.
 *
 * Collections page as "Paging Microsoft Graph data in your app" (paging.md) describes: `{ value }`
 * and, while more remain, `@odata.nextLink`, an absolute URL carrying an opaque `$skiptoken`. Graph's
 * page size varies by API (100 for these by default); `pageSize` makes it small so tests page. A
 * missing object answers 404 `Request_ResourceNotFound` with Graph's error body.
 */
import { FakeApplication, FakeServicePrincipal, findServicePrincipal, Tenant } from "../engine/fakeAzuread/tenant";
import { RecordedRequest, Reply } from "../http/fakeServer";
import { applicationBody, FakeEntra, graphError, GraphRouteResult } from "./fakeEntra";

export interface AuditRoutesOptions {
    /** Items per page of every collection (Graph's default for these lists is 100). */
    pageSize?: number;
}

const GUID = "([0-9a-fA-F-]{36})";

function notFound(id: string): GraphRouteResult {
    return {
        reply: graphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
        outcome: "notFound",
    };
}

/** `$select` as Graph applies it: the listed properties, and `id` always. */
function selected(full: Record<string, unknown>, request: RecordedRequest): Record<string, unknown> {
    const select = request.query.get("$select");
    if (!select) {
        return full;
    }
    const keys = select.split(",").map((k) => k.trim());
    return Object.fromEntries(Object.entries(full).filter(([k]) => k === "id" || keys.includes(k)));
}

function auditApplicationBody(app: FakeApplication): Record<string, unknown> {
    return {
        ...applicationBody(app, null),
        isFallbackPublicClient: app.isFallbackPublicClient ?? null,
        spa: { redirectUris: app.spa?.redirectUris ?? [] },
        publicClient: { redirectUris: app.publicClient?.redirectUris ?? [] },
        keyCredentials: (app.keyCredentials ?? []).map((k) => ({ ...k, customKeyIdentifier: null, key: null })),
    };
}

function servicePrincipalBody(sp: FakeServicePrincipal): Record<string, unknown> {
    return {
        id: sp.objectId,
        appId: sp.clientId,
        displayName: sp.displayName,
        appOwnerOrganizationId: sp.applicationTenantId,
        servicePrincipalType: sp.type,
        passwordCredentials: (sp.passwordCredentials ?? []).map((p) => ({ ...p, customKeyIdentifier: null, hint: null, secretText: null })),
        keyCredentials: (sp.keyCredentials ?? []).map((k) => ({ ...k, customKeyIdentifier: null, key: null })),
        oauth2PermissionScopes: sp.oauth2PermissionScopes.map((s) => ({ id: s.id, value: s.value, type: s.type, isEnabled: s.enabled })),
        appRoles: sp.appRoles.map((r) => ({ id: r.id, value: r.value, displayName: r.displayName, allowedMemberTypes: r.allowedMemberTypes, isEnabled: r.enabled })),
    };
}

function directoryObject(tenant: Tenant, id: string): Record<string, unknown> {
    const sp = findServicePrincipal(tenant, { objectId: id });
    if (sp) {
        return { "@odata.type": "#microsoft.graph.servicePrincipal", id, appId: sp.clientId, displayName: sp.displayName };
    }
    if (id.toLowerCase() === tenant.deployerObjectId.toLowerCase()) {
        return { "@odata.type": "#microsoft.graph.servicePrincipal", id, appId: tenant.clientId, displayName: "deploying identity" };
    }
    const user = tenant.users?.find((u) => u.objectId.toLowerCase() === id.toLowerCase());
    return user
        ? { "@odata.type": "#microsoft.graph.user", id, displayName: user.displayName, userPrincipalName: user.userPrincipalName }
        : { "@odata.type": "#microsoft.graph.user", id };
}

/** Serves the Graph reads of the drift audit on `entra`. */
export function installAuditRoutes(entra: FakeEntra, options: AuditRoutesOptions = {}): void {
    const pageSize = options.pageSize ?? 100;
    /** One page of `items`, with Graph's absolute next link while more remain. */
    const page = (request: RecordedRequest, items: unknown[]): GraphRouteResult => {
        const skip = Number(request.query.get("$skiptoken") ?? "0");
        const start = Number.isInteger(skip) && skip >= 0 ? skip : 0;
        const body: Record<string, unknown> = { "@odata.context": `${entra.server.baseUrl}/v1.0/$metadata#directoryObjects`, value: items.slice(start, start + pageSize) };
        if (start + pageSize < items.length) {
            body["@odata.nextLink"] = `${entra.server.baseUrl}/v1.0${request.path.slice("/v1.0".length)}?$skiptoken=${start + pageSize}`;
        }
        return { reply: { status: 200, body } as Reply, outcome: "ok" };
    };
    const application = (tenant: Tenant, now: Date, by: { objectId?: string; clientId?: string }): FakeApplication | undefined => {
        const app = tenant.applications.find((a) => (by.objectId === undefined || a.objectId.toLowerCase() === by.objectId.toLowerCase()) &&
            (by.clientId === undefined || a.clientId.toLowerCase() === by.clientId.toLowerCase()));
        const lagMs = tenant.entra?.readLagMs ?? 0;
        return app && now.getTime() - Date.parse(app.createdAt) >= lagMs ? app : undefined;
    };
    const servicePrincipal = (tenant: Tenant, objectId: string) => tenant.servicePrincipals.find((s) => s.objectId.toLowerCase() === objectId.toLowerCase());

    entra.addGraphRoute({
        method: "GET", path: /^\/applications\(appId='([^']+)'\)$/, op: "graph:get",
        handle: (m, request, tenant, now) => {
            const app = application(tenant, now, { clientId: m[1] });
            return app ? { reply: { status: 200, body: selected(auditApplicationBody(app), request) }, outcome: "ok", id: app.objectId } : notFound(m[1]);
        },
    });
    entra.addGraphRoute({
        method: "GET", path: new RegExp(`^/applications/${GUID}/owners$`), op: "graph:get",
        handle: (m, request, tenant, now) => {
            const app = application(tenant, now, { objectId: m[1] });
            return app ? page(request, app.owners.map((id) => directoryObject(tenant, id))) : notFound(m[1]);
        },
    });
    entra.addGraphRoute({
        method: "GET", path: new RegExp(`^/applications/${GUID}/federatedIdentityCredentials$`), op: "graph:get",
        handle: (m, request, tenant, now) => {
            const app = application(tenant, now, { objectId: m[1] });
            return app ? page(request, (app.federatedIdentityCredentials ?? []).map((f) => ({ description: null, ...f }))) : notFound(m[1]);
        },
    });
    entra.addGraphRoute({
        method: "GET", path: /^\/servicePrincipals\(appId='([^']+)'\)$/, op: "graph:get",
        handle: (m, request, tenant) => {
            const sp = findServicePrincipal(tenant, { clientId: m[1] });
            return sp ? { reply: { status: 200, body: selected(servicePrincipalBody(sp), request) }, outcome: "ok", id: sp.objectId } : notFound(m[1]);
        },
    });
    entra.addGraphRoute({
        method: "GET", path: new RegExp(`^/servicePrincipals/${GUID}$`), op: "graph:get",
        handle: (m, request, tenant) => {
            const sp = servicePrincipal(tenant, m[1]);
            return sp ? { reply: { status: 200, body: selected(servicePrincipalBody(sp), request) }, outcome: "ok" } : notFound(m[1]);
        },
    });
    entra.addGraphRoute({
        method: "GET", path: new RegExp(`^/servicePrincipals/${GUID}/owners$`), op: "graph:get",
        handle: (m, request, tenant) => {
            const sp = servicePrincipal(tenant, m[1]);
            return sp ? page(request, sp.owners.map((id) => directoryObject(tenant, id))) : notFound(m[1]);
        },
    });
    entra.addGraphRoute({
        method: "GET", path: new RegExp(`^/servicePrincipals/${GUID}/(appRoleAssignments|appRoleAssignedTo)$`), op: "graph:get",
        handle: (m, request, tenant) => {
            if (!servicePrincipal(tenant, m[1])) {
                return notFound(m[1]);
            }
            const key = m[2] === "appRoleAssignments" ? "principalId" : "resourceId";
            return page(request, (tenant.appRoleAssignments ?? []).filter((a) => a[key].toLowerCase() === m[1].toLowerCase()));
        },
    });
    entra.addGraphRoute({
        method: "GET", path: new RegExp(`^/servicePrincipals/${GUID}/oauth2PermissionGrants$`), op: "graph:get",
        handle: (m, request, tenant) => {
            if (!servicePrincipal(tenant, m[1])) {
                return notFound(m[1]);
            }
            return page(request, tenant.grants.filter((g) => g.clientId.toLowerCase() === m[1].toLowerCase()).map((g) => ({
                id: g.id, clientId: g.clientId, consentType: g.consentType, principalId: g.consentType === "Principal" ? g.principalId : null, resourceId: g.resourceId, scope: g.scope,
            })));
        },
    });
}
