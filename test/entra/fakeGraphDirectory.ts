/**
 * Microsoft Graph directory reads for the fake Entra (test/entra/fakeEntra.ts, `addGraphRoute`):
 * what `npm run doctor` asks of a tenant, read from the same tenant file. Each route names the
 * Microsoft Graph v1.0 reference page it follows; Graph's error body is `{ error: { code, message } }`.
 *
 * Permissions: Graph refuses an app-only call whose token lacks the permission the page names with
 * 403 `Authorization_RequestDenied` "Insufficient privileges to complete the operation." (Graph's
 * "Microsoft Graph error responses" page). The caller's permissions are the deployer's app roles
 * (tenant.directory.deployerAppRoles, its tokens' `roles`).
 */
import { FakeApplication, DEFAULT_DEPLOYER_APP_ROLES, FakeAppManagementPolicy, findApplication, findServicePrincipal, Tenant } from "../engine/fakeAzuread/tenant";
import { FakeEntra, graphError, GraphRouteResult } from "./fakeEntra";

/** The roles a caller's token carries: the deployer's, or none for anyone else (an app's own secret). */
function rolesOf(t: Tenant, clientId: string): string[] {
    return clientId.toLowerCase() === t.clientId.toLowerCase() ? (t.directory?.deployerAppRoles ?? DEFAULT_DEPLOYER_APP_ROLES) : [];
}

/** Answers 403 unless the caller holds one of `anyOf` (each page's permission table, least privileged first). */
function requireRole(t: Tenant, clientId: string, anyOf: string[]): GraphRouteResult | undefined {
    const roles = rolesOf(t, clientId);
    return anyOf.some((role) => roles.includes(role))
        ? undefined
        : { reply: graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."), outcome: "error" };
}

const READ_APPS = ["Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.Read.All"];
const READ_POLICIES = ["Policy.Read.All", "Policy.Read.ApplicationConfiguration", "Policy.ReadWrite.ApplicationConfiguration"];

function notFound(id: string): GraphRouteResult {
    return { reply: graphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`), outcome: "notFound" };
}

/** A service principal as Graph returns it (the fields the doctor reads). */
function servicePrincipalBody(sp: { objectId: string; clientId: string; displayName: string; applicationTenantId: string }) {
    return { id: sp.objectId, appId: sp.clientId, displayName: sp.displayName, appOwnerOrganizationId: sp.applicationTenantId, servicePrincipalType: "Application" };
}

/** The deployer's own service principal: the tenant file names it by ids only. */
function deployerPrincipal(t: Tenant) {
    return { objectId: t.deployerObjectId, clientId: t.clientId, displayName: t.directory?.deployerDisplayName ?? "dbt-azure-devops deployer", applicationTenantId: t.tenantId };
}

/**
 * Password restrictions as Graph lists them. The tenant default comes from `tenant.policy`, the
 * same fields the fake's addPassword enforces (test/engine/fakeAzuread/credentials.ts), so what the
 * doctor reads and what a `pulumi up` meets are one rule.
 */
function tenantDefaultPolicy(t: Tenant) {
    const passwordCredentials = [
        ...(t.policy.blockPasswordAddition ? [{ restrictionType: "passwordAddition", maxLifetime: null, restrictForAppsCreatedAfterDateTime: "2019-01-01T00:00:00Z", state: "enabled" }] : []),
        ...(typeof t.policy.maxPasswordLifetimeDays === "number"
            ? [{ restrictionType: "passwordLifetime", maxLifetime: `P${t.policy.maxPasswordLifetimeDays}D`, restrictForAppsCreatedAfterDateTime: "2019-01-01T00:00:00Z", state: "enabled" }]
            : []),
    ];
    return {
        id: t.policy.policyId ?? "00000000-0000-0000-0000-000000000000",
        displayName: "Default app management tenant policy",
        description: "Default tenant policy that enforces app management restrictions on applications and service principals.",
        isEnabled: passwordCredentials.length > 0,
        applicationRestrictions: { passwordCredentials, keyCredentials: [] },
        servicePrincipalRestrictions: { passwordCredentials: [], keyCredentials: [] },
    };
}

function appPolicyBody(policy: FakeAppManagementPolicy) {
    return {
        id: policy.id,
        displayName: policy.displayName,
        description: policy.displayName,
        isEnabled: policy.isEnabled,
        restrictions: { passwordCredentials: policy.passwordCredentials.map((r) => ({ maxLifetime: null, restrictForAppsCreatedAfterDateTime: "2019-01-01T00:00:00Z", state: "enabled", ...r })), keyCredentials: [] },
    };
}

function applicationSummary(app: FakeApplication) {
    return { id: app.objectId, appId: app.clientId, displayName: app.displayName, createdDateTime: app.createdAt };
}

/** Adds the directory routes to `fake`. */
export function addDirectoryRoutes(fake: FakeEntra): void {
    // "Get servicePrincipal" (servicePrincipal-get): GET /servicePrincipals/{id} and /servicePrincipals(appId='{appId}').
    fake.addGraphRoute({
        method: "GET",
        path: /^\/servicePrincipals(?:\/([0-9a-fA-F-]{36})|\(appId='([^']+)'\))$/,
        op: "graph:get",
        handle(match, _request, t, _now, caller) {
            const denied = requireRole(t, caller.clientId, READ_APPS);
            if (denied) return denied;
            const [objectId, appId] = [match[1], match[2]];
            const deployer = deployerPrincipal(t);
            const sp = objectId
                ? findServicePrincipal(t, { objectId }) ?? (objectId.toLowerCase() === deployer.objectId.toLowerCase() ? deployer : undefined)
                : findServicePrincipal(t, { clientId: appId }) ?? (appId.toLowerCase() === deployer.clientId.toLowerCase() ? deployer : undefined);
            return sp ? { reply: { status: 200, body: servicePrincipalBody(sp) }, outcome: "ok" } : notFound(objectId ?? appId);
        },
    });

    // "List applications" (application-list) with $filter=displayName eq '...' (the filter the doctor sends).
    fake.addGraphRoute({
        method: "GET",
        path: /^\/applications$/,
        op: "graph:get",
        handle(_match, request, t, _now, caller) {
            const denied = requireRole(t, caller.clientId, READ_APPS);
            if (denied) return denied;
            const filter = /^displayName eq '((?:[^']|'')*)'$/.exec(request.query.get("$filter") ?? "");
            if (!filter) {
                return { reply: graphError(400, "Request_UnsupportedQuery", "fake Graph: only $filter=displayName eq '...' is modelled."), outcome: "error" };
            }
            const name = filter[1].replace(/''/g, "'");
            return { reply: { status: 200, body: { value: t.applications.filter((a) => a.displayName === name).map(applicationSummary) } }, outcome: "ok" };
        },
    });

    // "List owners" (application-list-owners): directory objects with their @odata.type.
    fake.addGraphRoute({
        method: "GET",
        path: /^\/applications\/([0-9a-fA-F-]{36})\/owners$/,
        op: "graph:get",
        handle(match, _request, t, _now, caller) {
            const denied = requireRole(t, caller.clientId, READ_APPS);
            if (denied) return denied;
            const app = findApplication(t, { objectId: match[1] });
            if (!app) return notFound(match[1]);
            const value = app.owners.map((id) => ({
                "@odata.type": id === t.deployerObjectId || findServicePrincipal(t, { objectId: id }) ? "#microsoft.graph.servicePrincipal" : "#microsoft.graph.user",
                id,
            }));
            return { reply: { status: 200, body: { value } }, outcome: "ok" };
        },
    });

    // "Get tenantAppManagementPolicy" (tenantappmanagementpolicy-get): Policy.Read.All.
    fake.addGraphRoute({
        method: "GET",
        path: /^\/policies\/defaultAppManagementPolicy$/,
        op: "graph:get",
        handle(_match, _request, t, _now, caller) {
            return requireRole(t, caller.clientId, READ_POLICIES) ?? { reply: { status: 200, body: tenantDefaultPolicy(t) }, outcome: "ok" };
        },
    });

    // "List appManagementPolicies" of an application (application-list-appmanagementpolicies):
    // Application.Read.All and Policy.Read.All; at most one policy is assigned to an app.
    fake.addGraphRoute({
        method: "GET",
        path: /^\/applications\/([0-9a-fA-F-]{36})\/appManagementPolicies$/,
        op: "graph:get",
        handle(match, _request, t, _now, caller) {
            const denied = requireRole(t, caller.clientId, READ_POLICIES) ?? requireRole(t, caller.clientId, READ_APPS);
            if (denied) return denied;
            if (!findApplication(t, { objectId: match[1] })) return notFound(match[1]);
            const assigned = t.directory?.appPolicyAssignments?.[match[1]];
            const policy = t.directory?.appManagementPolicies?.find((p) => p.id === assigned);
            return { reply: { status: 200, body: { value: policy ? [appPolicyBody(policy)] : [] } }, outcome: "ok" };
        },
    });
}
