/**
 * A fake `azuread` resource provider for engine tests: the resources and invokes this project's
 * program uses, served by `@pulumi/pulumi/provider`'s `main()` (see main.ts), backed by the JSON
 * tenant file of tenant.ts. Behaviour follows terraform-provider-azuread v3.8.0 (bridged by
 * @pulumi/azuread 6.9.1); each rule names the file it comes from. Read, never copied.
 *
 * Every API-like call (create, read, update, delete, invoke) is one locked read-modify-write of
 * the tenant file and one entry in its `calls` log; check and diff are plan-time and local, as in
 * the real provider, so they neither touch the file nor count as calls.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import type {
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    InvokeResult,
    Provider,
    ReadResult,
    UpdateResult,
} from "@pulumi/pulumi/provider";
import { addPassword, isRefusal, POLICY_ERROR_CODE } from "./credentials";
import { containsUnknown, isSecret, plainProps, rewrapSecrets, secret, UNKNOWN } from "./rpcValues";
import { diffInputs, INVOKES, isResourceType, nameOfUrn, ResourceType, TYPES, typeOfUrn } from "./schema";
import {
    CallOp,
    CallOutcome,
    FakeApplication,
    FakeGrant,
    FakePassword,
    FakeRequiredResourceAccess,
    FakeServicePrincipal,
    FakeWeb,
    findApplication,
    findServicePrincipal,
    newApplicationObject,
    newServicePrincipalObject,
    normalizeTenant,
    Tenant,
    tenantFileFromEnv,
    withTenantLock,
    writeTenant,
} from "./tenant";

export const DEFAULT_VERSION = "6.9.1";
export const VERSION_ENV = "FAKE_AZUREAD_VERSION";


export interface FakeAzureadOptions {
    /** Tenant file; default: env FAKE_AZUREAD_TENANT_FILE, read on every call. */
    tenantFile?: string;
    /** Reported by GetPluginInfo; default: env FAKE_AZUREAD_VERSION or 6.9.1. */
    version?: string;
    /** Clock, when neither the tenant's `clock.now` nor the process clock should be used. */
    now?: () => Date;
}

type Props = Record<string, unknown>;

interface CallInfo {
    op: CallOp;
    type?: string;
    token?: string;
    urn?: string;
    id?: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Go's time.Parse(time.RFC3339): fractional seconds optional, Z or a numeric offset.
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// ---- ids (go-azure-sdk microsoft-graph/common-types/stable id_*.go; parse/credentials.go) ----

/** `/applications/{objectId}` (stable.NewApplicationID). */
export const applicationResourceId = (objectId: string) => `/applications/${objectId}`;
/** `/servicePrincipals/{objectId}` (stable.NewServicePrincipalID). */
export const servicePrincipalResourceId = (objectId: string) => `/servicePrincipals/${objectId}`;
/** `/oauth2PermissionGrants/{id}` (stable.NewOAuth2PermissionGrantID). */
export const grantResourceId = (grantId: string) => `/oauth2PermissionGrants/${grantId}`;
/** `{objectId}/password/{keyId}` (applications/parse/credentials.go, NewCredentialID(...).String()). */
export const passwordResourceId = (objectId: string, keyId: string) => `${objectId}/password/${keyId}`;

function parseSegmentId(id: string, prefix: string, what: string): string {
    const m = new RegExp(`^/${prefix}/([^/]+)$`).exec(id);
    if (!m) {
        throw new Error(`parsing ${what} ID ${JSON.stringify(id)}: expected /${prefix}/{id}`);
    }
    return m[1];
}

export const parseApplicationId = (id: string) => parseSegmentId(id, "applications", "application");
export const parseServicePrincipalId = (id: string) => parseSegmentId(id, "servicePrincipals", "service principal");
export const parseGrantId = (id: string) => parseSegmentId(id, "oauth2PermissionGrants", "delegated permission grant");

export function parsePasswordId(id: string): { objectId: string; keyId: string } {
    const m = /^([^/]+)\/password\/([^/]+)$/.exec(id);
    if (!m) {
        throw new Error(`unable to parse Password ID ${JSON.stringify(id)}: expected {objectId}/password/{keyId}`);
    }
    return { objectId: m[1], keyId: m[2] };
}

// ---- small value helpers ----

const str = (v: unknown, dflt = ""): string => (typeof v === "string" ? v : dflt);
const bool = (v: unknown, dflt = false): boolean => (typeof v === "boolean" ? v : dflt);
const strings = (v: unknown): string[] => (Array.isArray(v) ? [...new Set(v.map(String))] : []);
const obj = (v: unknown): Props => (v && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {});

/** The inputs not in `stored`, or undefined when there are none. */
function extras(props: Props, stored: string[]): Props | undefined {
    const rest = Object.entries(props).filter(([k]) => !stored.includes(k) && !k.startsWith("__"));
    return rest.length > 0 ? Object.fromEntries(rest) : undefined;
}

/** Graph's error body, flattened as go-azure-sdk prints it. */
function graphError(action: string, status: number, code: string, message: string): Error {
    const statusText: Record<number, string> = {
        400: "Bad Request",
        404: "Not Found",
        503: "Service Unavailable",
    };
    return new Error(
        `${action}: unexpected status ${status} (${status} ${statusText[status] ?? ""}) with error: ${code}: ${message}`,
    );
}

function notFound(what: string, id: string): Error {
    return graphError(
        `Retrieving ${what} ${JSON.stringify(id)}`,
        404,
        "Request_ResourceNotFound",
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
}

// ---- live object -> bridged properties ----

function webFrom(v: unknown): FakeWeb {
    const w = obj(v);
    const g = obj(w.implicitGrant);
    return {
        homepageUrl: str(w.homepageUrl),
        logoutUrl: str(w.logoutUrl),
        redirectUris: strings(w.redirectUris),
        implicitGrant: {
            accessTokenIssuanceEnabled: bool(g.accessTokenIssuanceEnabled),
            idTokenIssuanceEnabled: bool(g.idTokenIssuanceEnabled),
        },
    };
}

function requiredResourceAccessesFrom(v: unknown): FakeRequiredResourceAccess[] {
    return (Array.isArray(v) ? v : []).map((r) => ({
        resourceAppId: str(obj(r).resourceAppId),
        resourceAccesses: (Array.isArray(obj(r).resourceAccesses) ? (obj(r).resourceAccesses as unknown[]) : []).map(
            (a) => ({ id: str(obj(a).id), type: str(obj(a).type) }),
        ),
    }));
}

/** Inputs of Application the fake stores on the live object; anything else is echoed via extraInputs. */
const APPLICATION_STORED = [
    "displayName",
    "signInAudience",
    "owners",
    "web",
    "requiredResourceAccesses",
    "description",
    "notes",
    "identifierUris",
    "tags",
    "templateId",
];

/** application_resource.go applicationResourceRead: what a read puts into state. */
export function applicationOutputs(app: FakeApplication): Props {
    return {
        ...(app.extraInputs ?? {}),
        appRoleIds: {},
        appRoles: [],
        clientId: app.clientId,
        description: app.description,
        disabledByMicrosoft: "<nil>",
        displayName: app.displayName,
        identifierUris: app.identifierUris,
        logoUrl: "",
        notes: app.notes,
        oauth2PermissionScopeIds: {},
        objectId: app.objectId,
        owners: app.owners,
        publisherDomain: app.publisherDomain,
        requiredResourceAccesses: app.requiredResourceAccesses,
        signInAudience: app.signInAudience,
        tags: app.tags,
        templateId: app.templateId,
        web: app.web,
    };
}

/** What an import adopts as the program's inputs: the live object's non-empty input properties. */
export function applicationInputs(app: FakeApplication): Props {
    const web: Props = {};
    if (app.web.homepageUrl) web.homepageUrl = app.web.homepageUrl;
    if (app.web.logoutUrl) web.logoutUrl = app.web.logoutUrl;
    if (app.web.redirectUris.length > 0) web.redirectUris = app.web.redirectUris;
    if (app.web.implicitGrant.accessTokenIssuanceEnabled || app.web.implicitGrant.idTokenIssuanceEnabled) {
        web.implicitGrant = app.web.implicitGrant;
    }
    return {
        ...(app.extraInputs ?? {}),
        displayName: app.displayName,
        signInAudience: app.signInAudience,
        ...(app.owners.length > 0 ? { owners: app.owners } : {}),
        ...(Object.keys(web).length > 0 ? { web } : {}),
        ...(app.requiredResourceAccesses.length > 0 ? { requiredResourceAccesses: app.requiredResourceAccesses } : {}),
        ...(app.description ? { description: app.description } : {}),
        ...(app.notes ? { notes: app.notes } : {}),
        ...(app.identifierUris.length > 0 ? { identifierUris: app.identifierUris } : {}),
        ...(app.tags.length > 0 ? { tags: app.tags } : {}),
        ...(app.templateId ? { templateId: app.templateId } : {}),
    };
}

const SERVICE_PRINCIPAL_STORED = [
    "clientId",
    "owners",
    "accountEnabled",
    "appRoleAssignmentRequired",
    "alternativeNames",
    "notificationEmailAddresses",
    "description",
    "notes",
    "loginUrl",
    "preferredSingleSignOnMode",
    "tags",
];

function byValue(items: { value: string; id: string }[]): Record<string, string> {
    return Object.fromEntries(items.filter((i) => i.value).map((i) => [i.value, i.id]));
}

/** service_principal_resource.go / service_principal_data_source.go: what a read reports. */
export function servicePrincipalOutputs(sp: FakeServicePrincipal): Props {
    return {
        ...(sp.extraInputs ?? {}),
        accountEnabled: sp.accountEnabled,
        alternativeNames: sp.alternativeNames,
        appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
        appRoleIds: byValue(sp.appRoles),
        appRoles: sp.appRoles,
        applicationTenantId: sp.applicationTenantId,
        clientId: sp.clientId,
        description: sp.description,
        displayName: sp.displayName,
        featureTags: [],
        features: [],
        homepageUrl: sp.homepageUrl,
        loginUrl: sp.loginUrl,
        logoutUrl: sp.logoutUrl,
        notes: sp.notes,
        notificationEmailAddresses: sp.notificationEmailAddresses,
        oauth2PermissionScopeIds: byValue(sp.oauth2PermissionScopes),
        oauth2PermissionScopes: sp.oauth2PermissionScopes,
        objectId: sp.objectId,
        owners: sp.owners,
        preferredSingleSignOnMode: sp.preferredSingleSignOnMode,
        redirectUris: sp.redirectUris,
        samlMetadataUrl: "",
        // The app id itself is left out of the names (service_principal_data_source.go).
        servicePrincipalNames: sp.servicePrincipalNames.filter((n) => n.toLowerCase() !== sp.clientId.toLowerCase()),
        signInAudience: sp.signInAudience,
        tags: sp.tags,
        type: sp.type,
    };
}

export function servicePrincipalInputs(sp: FakeServicePrincipal): Props {
    return {
        ...(sp.extraInputs ?? {}),
        clientId: sp.clientId,
        ...(sp.owners.length > 0 ? { owners: sp.owners } : {}),
        ...(sp.accountEnabled ? {} : { accountEnabled: false }),
        ...(sp.appRoleAssignmentRequired ? { appRoleAssignmentRequired: true } : {}),
        ...(sp.alternativeNames.length > 0 ? { alternativeNames: sp.alternativeNames } : {}),
        ...(sp.notificationEmailAddresses.length > 0 ? { notificationEmailAddresses: sp.notificationEmailAddresses } : {}),
        ...(sp.description ? { description: sp.description } : {}),
        ...(sp.notes ? { notes: sp.notes } : {}),
        ...(sp.loginUrl ? { loginUrl: sp.loginUrl } : {}),
        ...(sp.preferredSingleSignOnMode ? { preferredSingleSignOnMode: sp.preferredSingleSignOnMode } : {}),
        ...(sp.tags.length > 0 ? { tags: sp.tags } : {}),
    };
}

/** service_principal_delegated_permission_grant_resource.go servicePrincipalDelegatedPermissionGrantResourceRead. */
export function grantOutputs(g: FakeGrant): Props {
    return {
        claimValues: g.scope.split(" ").filter((s) => s !== ""),
        resourceServicePrincipalObjectId: g.resourceId,
        servicePrincipalObjectId: g.clientId,
        userObjectId: g.principalId,
    };
}

export function grantInputs(g: FakeGrant): Props {
    const { userObjectId, ...rest } = grantOutputs(g);
    return { ...rest, ...(userObjectId ? { userObjectId } : {}) };
}

// ---- check: the schema's ValidateFuncs, skipped for values not known yet ----

function known(v: unknown): boolean {
    return v !== undefined && v !== null && !containsUnknown(v);
}

/** internal/helpers/tf/validation/uri.go IsRedirectUriFunc(urnAllowed=true, allowAllSchemes=false). */
function redirectUriProblem(v: string): string | undefined {
    if (v === "") return "URI must not be empty";
    if (/^urn:[^:]*:./.test(v)) return undefined;
    let u: URL;
    try {
        u = new URL(v);
    } catch {
        return "URI is in an invalid format";
    }
    if (u.host === "") return "URI has no host";
    if (!["http:", "https:", "ms-appx-web:", "brk-multihub:"].includes(u.protocol)) {
        return `unexpected URI scheme ${u.protocol.replace(/:$/, "")}`;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+([?#].*)?$/i.test(v)) {
        return "URI must have a trailing slash when there is no path segment";
    }
    if (v.length > 256) return "URI must be 256 characters or less";
    return undefined;
}

function validate(type: ResourceType, news: Props): CheckFailure[] {
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason });
    const required = (p: string) => {
        if (news[p] === undefined || news[p] === null) fail(p, `Missing required property '${p}'`);
    };
    const uuid = (p: string, v: unknown) => {
        if (known(v) && !(typeof v === "string" && UUID_RE.test(v))) fail(p, `expected "${p}" to be a valid UUID, got ${String(v)}`);
    };
    const uuids = (p: string) => {
        if (known(news[p])) strings(news[p]).forEach((v) => uuid(p, v));
    };
    const rfc3339 = (p: string) => {
        const v = news[p];
        if (known(v) && !(typeof v === "string" && RFC3339_RE.test(v) && !isNaN(Date.parse(v)))) {
            fail(p, `"${p}" must be a valid RFC3339 date, got ${JSON.stringify(v)}`);
        }
    };

    switch (type) {
        case TYPES.application: {
            // application_resource.go schema
            required("displayName");
            if (known(news.displayName) && news.displayName === "") fail("displayName", "expected \"displayName\" not to be an empty string");
            const audiences = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"];
            if (known(news.signInAudience) && !audiences.includes(String(news.signInAudience))) {
                fail("signInAudience", `expected signInAudience to be one of ${JSON.stringify(audiences)}, got ${String(news.signInAudience)}`);
            }
            uuids("owners");
            if (known(news.owners) && strings(news.owners).length > 100) fail("owners", "owners: at most 100 items");
            uuid("templateId", news.templateId);
            const redirectUris = obj(news.web).redirectUris;
            if (Array.isArray(redirectUris)) {
                if (redirectUris.length > 256) fail("web.redirectUris", "at most 256 redirect URIs");
                for (const uri of redirectUris) {
                    const problem = known(uri) ? redirectUriProblem(String(uri)) : undefined;
                    if (problem) fail("web.redirectUris", `${problem} for ${JSON.stringify(uri)}`);
                }
            }
            for (const rra of Array.isArray(news.requiredResourceAccesses) ? news.requiredResourceAccesses : []) {
                for (const access of Array.isArray(obj(rra).resourceAccesses) ? (obj(rra).resourceAccesses as unknown[]) : []) {
                    uuid("requiredResourceAccesses.resourceAccesses.id", obj(access).id);
                    const t = obj(access).type;
                    if (known(t) && t !== "Role" && t !== "Scope") {
                        fail("requiredResourceAccesses.resourceAccesses.type", `expected type to be one of ["Role","Scope"], got ${String(t)}`);
                    }
                }
            }
            break;
        }
        case TYPES.servicePrincipal:
            // service_principal_resource.go schema
            required("clientId");
            uuid("clientId", news.clientId);
            uuids("owners");
            break;
        case TYPES.grant: {
            // service_principal_delegated_permission_grant_resource.go schema
            required("claimValues");
            required("resourceServicePrincipalObjectId");
            required("servicePrincipalObjectId");
            uuid("resourceServicePrincipalObjectId", news.resourceServicePrincipalObjectId);
            uuid("servicePrincipalObjectId", news.servicePrincipalObjectId);
            uuid("userObjectId", news.userObjectId);
            const claims = news.claimValues;
            if (known(claims) && (!Array.isArray(claims) || claims.length === 0)) fail("claimValues", "claimValues: at least 1 item");
            if (Array.isArray(claims) && claims.some((c) => known(c) && (typeof c !== "string" || c === ""))) {
                fail("claimValues", "claim values must not be empty strings");
            }
            break;
        }
        case TYPES.password: {
            // application_password_resource.go schema
            required("applicationId");
            const appId = news.applicationId;
            if (known(appId) && !(typeof appId === "string" && /^\/applications\/[^/]+$/.test(appId))) {
                fail("applicationId", `parsing ${JSON.stringify(appId)}: expected an application ID of the form /applications/{objectId}`);
            }
            rfc3339("startDate");
            rfc3339("endDate");
            if (news.endDate !== undefined && news.endDateRelative !== undefined) {
                fail("endDate", "\"endDate\": conflicts with endDateRelative");
            }
            break;
        }
    }
    return failures;
}

// ---- the provider ----

export class FakeAzureadProvider implements Provider {
    readonly version: string;

    constructor(private readonly options: FakeAzureadOptions = {}) {
        this.version = options.version ?? process.env[VERSION_ENV] ?? DEFAULT_VERSION;
    }

    private tenantFile(): string {
        return this.options.tenantFile ?? tenantFileFromEnv();
    }

    private now(tenant: Tenant): Date {
        if (tenant.clock?.now) {
            return new Date(tenant.clock.now);
        }
        return this.options.now?.() ?? new Date();
    }

    /**
     * One API call: lock, read, inject faults, run `fn`, log, write. If `fn` throws, its changes
     * are dropped (the tenant is reloaded) and only the failed call is logged: creates are
     * transactional, as the Provider interface requires.
     */
    private transact<T>(call: CallInfo, fn: (tenant: Tenant, now: Date) => T, outcomeOf?: (result: T) => CallOutcome): T {
        const file = this.tenantFile();
        return withTenantLock(file, () => {
            const text = fs.readFileSync(file, "utf8");
            const load = () => normalizeTenant(JSON.parse(text));
            const tenant = load();
            const now = this.now(tenant);
            const record = (t: Tenant, outcome: CallOutcome, message?: string) =>
                t.calls.push({
                    n: t.calls.length + 1,
                    time: now.toISOString(),
                    op: call.op,
                    ...(call.type ? { type: call.type } : {}),
                    ...(call.token ? { token: call.token } : {}),
                    ...(call.urn ? { urn: call.urn, name: nameOfUrn(call.urn) } : {}),
                    ...(call.id ? { id: call.id } : {}),
                    outcome,
                    ...(message ? { message } : {}),
                });
            const what = `${call.op} ${call.type ?? call.token ?? ""}${call.urn ? ` (${nameOfUrn(call.urn)})` : ""}`;

            const limit = tenant.faults.failAfterCalls;
            if (typeof limit === "number" && tenant.calls.length >= limit) {
                const message = `fake azuread: injected fault (faults.failAfterCalls = ${limit}): ${what} refused`;
                record(tenant, "fault", message);
                writeTenant(file, tenant);
                throw new Error(message);
            }
            if (call.op === "create" && call.type === TYPES.password && tenant.faults.failNextPasswordCreate) {
                tenant.faults.failNextPasswordCreate = false;
                const message = graphError(
                    "Adding password",
                    503,
                    "ServiceUnavailable",
                    "fake azuread: injected fault (faults.failNextPasswordCreate, now cleared)",
                ).message;
                record(tenant, "fault", message);
                writeTenant(file, tenant);
                throw new Error(message);
            }

            let result: T;
            try {
                result = fn(tenant, now);
            } catch (err) {
                const fresh = load();
                record(fresh, "error", err instanceof Error ? err.message : String(err));
                writeTenant(file, fresh);
                throw err;
            }
            record(tenant, outcomeOf ? outcomeOf(result) : "ok");
            writeTenant(file, tenant);
            return result;
        });
    }

    private resourceType(urn: string): ResourceType {
        const type = typeOfUrn(urn);
        if (!isResourceType(type)) {
            throw new Error(`fake azuread: resource type ${JSON.stringify(type)} is not implemented`);
        }
        return type;
    }

    async check(urn: string, _olds: unknown, news: unknown): Promise<CheckResult> {
        const type = typeOfUrn(urn);
        const inputs = { ...obj(news) };
        if (!isResourceType(type)) {
            return { inputs, failures: [{ property: "", reason: `fake azuread does not implement ${type}` }] };
        }
        const failures = validate(type, plainProps(inputs));
        // Schema defaults, as the bridge's Check fills them in (application_resource.go sign_in_audience).
        if (type === TYPES.application && inputs.signInAudience === undefined) {
            inputs.signInAudience = "AzureADMyOrg";
        }
        return { inputs, failures };
    }

    async diff(_id: string, urn: string, olds: unknown, news: unknown): Promise<DiffResult> {
        const d = diffInputs(this.resourceType(urn), obj(olds), obj(news));
        return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false };
    }

    async create(urn: string, inputs: unknown): Promise<CreateResult> {
        const type = this.resourceType(urn);
        const raw = obj(inputs);
        if (containsUnknown(raw)) {
            // Only reachable on preview (the engine skips Create on preview for this server,
            // which does not declare preview support): echo inputs, computed outputs unknown.
            return { id: "", outs: previewOutputs(type, raw) };
        }
        const news = plainProps(raw);
        const result = this.transact({ op: "create", type, urn }, (t, now) => {
            switch (type) {
                case TYPES.application:
                    return createApplication(t, now, news);
                case TYPES.servicePrincipal:
                    return createServicePrincipal(t, now, news);
                case TYPES.grant:
                    return createGrant(t, now, news);
                case TYPES.password:
                    return createPassword(t, now, news);
            }
        });
        return { id: result.id, outs: rewrapSecrets(result.outs, raw) };
    }

    async read(id: string, urn: string, props?: unknown): Promise<ReadResult> {
        const type = this.resourceType(urn);
        const state = obj(props);
        const result = this.transact(
            { op: "read", type, urn, id },
            (t): ReadResult => {
                switch (type) {
                    case TYPES.application: {
                        const app = findApplication(t, { objectId: parseApplicationId(id) });
                        return app ? { id, props: applicationOutputs(app), inputs: applicationInputs(app) } : gone();
                    }
                    case TYPES.servicePrincipal: {
                        const sp = findServicePrincipal(t, { objectId: parseServicePrincipalId(id) });
                        return sp ? { id, props: servicePrincipalOutputs(sp), inputs: servicePrincipalInputs(sp) } : gone();
                    }
                    case TYPES.grant: {
                        const grantId = parseGrantId(id);
                        const g = t.grants.find((x) => x.id === grantId);
                        return g ? { id, props: grantOutputs(g), inputs: grantInputs(g) } : gone();
                    }
                    case TYPES.password:
                        return readPassword(t, id, state);
                }
            },
            (r) => (r.id ? "ok" : "notFound"),
        );
        if (!result.id) {
            return result;
        }
        return { ...result, props: rewrapSecrets(obj(result.props), state), inputs: rewrapSecrets(obj(result.inputs), state) };
    }

    async update(id: string, urn: string, olds: unknown, news: unknown): Promise<UpdateResult> {
        const type = this.resourceType(urn);
        const raw = obj(news);
        if (containsUnknown(raw)) {
            return { outs: { ...obj(olds), ...previewOutputs(type, raw) } };
        }
        const next = plainProps(raw);
        const outs = this.transact({ op: "update", type, urn, id }, (t) => {
            switch (type) {
                case TYPES.application:
                    return updateApplication(t, id, next);
                case TYPES.servicePrincipal:
                    return updateServicePrincipal(t, id, next);
                case TYPES.grant:
                    return updateGrant(t, id, next);
                case TYPES.password:
                    // application_password_resource.go has no UpdateContext: every argument is ForceNew.
                    throw new Error("azuread_application_password cannot be updated: every argument forces replacement");
            }
        });
        return { outs: rewrapSecrets(outs, raw) };
    }

    async delete(id: string, urn: string, props: unknown): Promise<void> {
        const type = this.resourceType(urn);
        const state = plainProps(obj(props));
        this.transact({ op: "delete", type, urn, id }, (t) => {
            switch (type) {
                case TYPES.application:
                    return deleteApplication(t, id);
                case TYPES.servicePrincipal:
                    return deleteServicePrincipal(t, id, bool(state.useExisting));
                case TYPES.grant:
                    return deleteGrant(t, id);
                case TYPES.password:
                    return deletePassword(t, id);
            }
        });
    }

    async invoke(token: string, inputs: unknown): Promise<InvokeResult> {
        const args = plainProps(obj(inputs));
        const outputs = this.transact({ op: "invoke", token }, (t) => {
            switch (token) {
                case INVOKES.getClientConfig:
                    // serviceprincipals/client_config_data_source.go: id = tenant-client-object.
                    return {
                        clientId: t.clientId,
                        id: `${t.tenantId}-${t.clientId}-${t.deployerObjectId}`,
                        objectId: t.deployerObjectId,
                        tenantId: t.tenantId,
                    };
                case INVOKES.getServicePrincipal:
                    return getServicePrincipal(t, args);
                default:
                    throw new Error(`fake azuread: function ${JSON.stringify(token)} is not implemented`);
            }
        });
        return { outputs };
    }
}

function gone(): ReadResult {
    // An empty id tells the engine the object is gone: refresh drops it from state.
    return { id: "", props: {} };
}

function previewOutputs(type: ResourceType, inputs: Props): Props {
    const computed: Record<ResourceType, string[]> = {
        [TYPES.application]: ["clientId", "objectId", "publisherDomain"],
        [TYPES.servicePrincipal]: ["objectId", "displayName", "applicationTenantId"],
        [TYPES.grant]: [],
        [TYPES.password]: ["keyId", "value"],
    };
    return { ...inputs, ...Object.fromEntries(computed[type].map((k) => [k, UNKNOWN])) };
}

// ---- Application (application_resource.go) ----

function createApplication(t: Tenant, now: Date, news: Props): { id: string; outs: Props } {
    const displayName = str(news.displayName);
    // CustomizeDiff: prevent_duplicate_names refuses a second app of the same name.
    if (bool(news.preventDuplicateNames) && t.applications.some((a) => a.displayName === displayName)) {
        const existing = t.applications.find((a) => a.displayName === displayName)!;
        throw new Error(
            `A resource with the ID ${JSON.stringify(existing.objectId)} already exists - to be managed via Terraform this resource needs to be imported into the State. ` +
                `Existing azuread_application with display name ${JSON.stringify(displayName)}.`,
        );
    }
    const app = newApplicationObject(
        {
            displayName,
            signInAudience: str(news.signInAudience, "AzureADMyOrg"),
            description: str(news.description),
            notes: str(news.notes),
            tags: strings(news.tags),
            identifierUris: strings(news.identifierUris),
            templateId: str(news.templateId),
            publisherDomain: t.domain,
            web: webFrom(news.web),
            requiredResourceAccesses: requiredResourceAccessesFrom(news.requiredResourceAccesses),
            // The caller is added as first owner and removed again unless configured, so the
            // owners end up exactly as configured (applicationResourceCreate, removeCallerOwner).
            owners: strings(news.owners),
            extraInputs: extras(news, APPLICATION_STORED),
        },
        now,
    );
    t.applications.push(app);
    return { id: applicationResourceId(app.objectId), outs: applicationOutputs(app) };
}

function liveApplication(t: Tenant, id: string): FakeApplication {
    const objectId = parseApplicationId(id);
    const app = findApplication(t, { objectId });
    if (!app) {
        throw notFound("application", id);
    }
    return app;
}

function updateApplication(t: Tenant, id: string, news: Props): Props {
    const app = liveApplication(t, id);
    app.displayName = str(news.displayName);
    app.signInAudience = str(news.signInAudience, "AzureADMyOrg");
    app.description = str(news.description);
    app.notes = str(news.notes);
    app.identifierUris = strings(news.identifierUris);
    if (news.tags !== undefined) app.tags = strings(news.tags); // Optional+Computed
    app.web = webFrom(news.web);
    app.requiredResourceAccesses = requiredResourceAccessesFrom(news.requiredResourceAccesses);
    app.owners = strings(news.owners);
    app.extraInputs = extras(news, APPLICATION_STORED);
    return applicationOutputs(app);
}

/**
 * Deleting an application takes its password credentials with it (they live on the object), and
 * Entra deletes the app's service principal in its home tenant too (Microsoft's "Deletion and
 * recovery of applications FAQ"); grants held by that principal go with it.
 */
function deleteApplication(t: Tenant, id: string): void {
    const app = liveApplication(t, id);
    t.applications = t.applications.filter((a) => a !== app);
    const homeSps = t.servicePrincipals.filter((s) => s.clientId.toLowerCase() === app.clientId.toLowerCase());
    for (const sp of homeSps) {
        removeServicePrincipal(t, sp);
    }
}

// ---- ServicePrincipal (service_principal_resource.go) ----

function applyServicePrincipalInputs(sp: FakeServicePrincipal, news: Props): void {
    sp.owners = strings(news.owners);
    sp.accountEnabled = bool(news.accountEnabled, true);
    sp.appRoleAssignmentRequired = bool(news.appRoleAssignmentRequired);
    sp.alternativeNames = strings(news.alternativeNames);
    sp.notificationEmailAddresses = strings(news.notificationEmailAddresses);
    sp.description = str(news.description);
    sp.notes = str(news.notes);
    sp.loginUrl = str(news.loginUrl);
    sp.preferredSingleSignOnMode = str(news.preferredSingleSignOnMode);
    if (news.tags !== undefined) sp.tags = strings(news.tags); // Optional+Computed
    sp.extraInputs = extras(news, SERVICE_PRINCIPAL_STORED);
}

function createServicePrincipal(t: Tenant, now: Date, news: Props): { id: string; outs: Props } {
    const clientId = str(news.clientId);
    const existing = findServicePrincipal(t, { clientId });
    if (existing) {
        // use_existing adopts it (then updates it); otherwise the create is refused.
        if (bool(news.useExisting)) {
            applyServicePrincipalInputs(existing, news);
            return { id: servicePrincipalResourceId(existing.objectId), outs: servicePrincipalOutputs(existing) };
        }
        throw new Error(
            `A resource with the ID ${JSON.stringify(existing.objectId)} already exists - to be managed via Terraform this resource needs to be imported into the State. ` +
                `Please see the resource documentation for "azuread_service_principal" for more information.`,
        );
    }
    const app = findApplication(t, { clientId });
    if (!app) {
        throw graphError(
            "Could not create service principal",
            400,
            "Request_BadRequest",
            `The appId '${clientId}' of the service principal does not reference a valid application object.`,
        );
    }
    const sp = newServicePrincipalObject(
        {
            clientId: app.clientId,
            displayName: app.displayName,
            applicationTenantId: t.tenantId,
            signInAudience: app.signInAudience,
            servicePrincipalNames: [app.clientId, ...app.identifierUris],
            redirectUris: [...app.web.redirectUris],
            homepageUrl: app.web.homepageUrl,
            logoutUrl: app.web.logoutUrl,
        },
        now,
    );
    applyServicePrincipalInputs(sp, news);
    t.servicePrincipals.push(sp);
    return { id: servicePrincipalResourceId(sp.objectId), outs: servicePrincipalOutputs(sp) };
}

function liveServicePrincipal(t: Tenant, id: string): FakeServicePrincipal {
    const sp = findServicePrincipal(t, { objectId: parseServicePrincipalId(id) });
    if (!sp) {
        throw notFound("service principal", id);
    }
    return sp;
}

function updateServicePrincipal(t: Tenant, id: string, news: Props): Props {
    const sp = liveServicePrincipal(t, id);
    applyServicePrincipalInputs(sp, news);
    return servicePrincipalOutputs(sp);
}

function removeServicePrincipal(t: Tenant, sp: FakeServicePrincipal): void {
    t.servicePrincipals = t.servicePrincipals.filter((s) => s !== sp);
    t.grants = t.grants.filter((g) => g.clientId !== sp.objectId && g.resourceId !== sp.objectId);
}

/** servicePrincipalResourceDelete: with use_existing, a failed delete is not an error. */
function deleteServicePrincipal(t: Tenant, id: string, useExisting: boolean): void {
    const sp = findServicePrincipal(t, { objectId: parseServicePrincipalId(id) });
    if (!sp) {
        if (useExisting) return;
        throw notFound("service principal", id);
    }
    removeServicePrincipal(t, sp);
}

function getServicePrincipal(t: Tenant, args: Props): Props {
    // service_principal_data_source.go: ExactlyOneOf client_id, display_name, object_id.
    const given = (["clientId", "displayName", "objectId"] as const).filter((k) => str(args[k]) !== "");
    if (given.length !== 1) {
        throw new Error(`getServicePrincipal: exactly one of clientId, displayName, objectId must be given (got ${given.join(", ") || "none"})`);
    }
    const key = given[0];
    const matches = t.servicePrincipals.filter((s) =>
        key === "clientId" ? s.clientId.toLowerCase() === str(args.clientId).toLowerCase() : s[key] === args[key],
    );
    if (key === "displayName" && matches.length > 1) {
        throw new Error(`Multiple service principals found: found multiple service principals matching filter: "displayName eq '${str(args.displayName)}'"`);
    }
    if (matches.length === 0) {
        if (key === "objectId") {
            throw new Error(`${servicePrincipalResourceId(str(args.objectId))} was not found`);
        }
        throw new Error("No service principal found: no service principal found");
    }
    const sp = matches[0];
    return { ...servicePrincipalOutputs(sp), id: servicePrincipalResourceId(sp.objectId), samlSingleSignOns: [] };
}

// ---- ServicePrincipalDelegatedPermissionGrant (service_principal_delegated_permission_grant_resource.go) ----

function newGrantId(): string {
    return crypto.randomBytes(32).toString("base64url").slice(0, 43);
}

function createGrant(t: Tenant, now: Date, news: Props): { id: string; outs: Props } {
    const clientId = str(news.servicePrincipalObjectId);
    const resourceId = str(news.resourceServicePrincipalObjectId);
    if (!findServicePrincipal(t, { objectId: clientId })) {
        throw new Error(`principal_object_id: ${servicePrincipalResourceId(clientId)} was not found)`);
    }
    if (!findServicePrincipal(t, { objectId: resourceId })) {
        throw new Error(`principal_object_id: ${servicePrincipalResourceId(resourceId)} not found for resource`);
    }
    const principalId = str(news.userObjectId);
    const consentType = principalId ? "Principal" : "AllPrincipals";
    if (t.grants.some((g) => g.clientId === clientId && g.resourceId === resourceId && g.consentType === consentType && g.principalId === principalId)) {
        throw graphError("Could not create delegated permission grant", 400, "Request_BadRequest", "Permission entry already exists.");
    }
    const grant: FakeGrant = {
        id: newGrantId(),
        clientId,
        resourceId,
        scope: strings(news.claimValues).join(" "),
        consentType,
        principalId,
        createdAt: now.toISOString(),
    };
    t.grants.push(grant);
    return { id: grantResourceId(grant.id), outs: grantOutputs(grant) };
}

function liveGrant(t: Tenant, id: string): FakeGrant {
    const grantId = parseGrantId(id);
    const grant = t.grants.find((g) => g.id === grantId);
    if (!grant) {
        throw notFound("delegated permission grant", id);
    }
    return grant;
}

/** Only the scope (claim values) is updated in place. */
function updateGrant(t: Tenant, id: string, news: Props): Props {
    const grant = liveGrant(t, id);
    grant.scope = strings(news.claimValues).join(" ");
    return grantOutputs(grant);
}

function deleteGrant(t: Tenant, id: string): void {
    const grant = liveGrant(t, id);
    t.grants = t.grants.filter((g) => g !== grant);
}

// ---- ApplicationPassword (application_password_resource.go; helpers/credentials/credentials.go) ----

export { POLICY_ERROR_CODE };

function createPassword(t: Tenant, now: Date, news: Props): { id: string; outs: Props } {
    const applicationId = str(news.applicationId);
    const objectId = parseApplicationId(applicationId);
    const app = findApplication(t, { objectId });
    if (!app) {
        throw new Error(`application_id: Application (Object ID ${JSON.stringify(objectId)}) was not found`);
    }
    // credentials.PasswordCredential passes the dates on as given (end_date_relative is not
    // passed on by v3.8); Entra's own rules are shared with the fake Graph (credentials.ts).
    const added = addPassword(t, app, {
        displayName: str(news.displayName),
        ...(news.startDate !== undefined ? { startDate: str(news.startDate) } : {}),
        ...(news.endDate !== undefined ? { endDate: str(news.endDate) } : {}),
    }, now);
    if (isRefusal(added)) {
        throw graphError(`Adding password for Application (Object ID ${JSON.stringify(objectId)})`, added.status, added.code, added.message);
    }
    return {
        id: passwordResourceId(app.objectId, added.keyId),
        outs: passwordOutputs(app, added, news),
    };
}

/** State of a password: `value` only ever exists in state (a read cannot fetch it), and is secret. */
function passwordOutputs(app: FakeApplication, p: FakePassword, carried: Props, value: unknown = p.value): Props {
    return {
        applicationId: applicationResourceId(app.objectId),
        displayName: p.displayName,
        endDate: p.endDate,
        ...(carried.endDateRelative !== undefined ? { endDateRelative: carried.endDateRelative } : {}),
        keyId: p.keyId,
        ...(carried.rotateWhenChanged !== undefined ? { rotateWhenChanged: carried.rotateWhenChanged } : {}),
        startDate: p.startDate,
        value: isSecret(value) ? value : secret(value),
    };
}

/**
 * applicationPasswordResourceRead: gone if the app or the key is gone; the secret and
 * rotate_when_changed come from state, never from Entra. The resource has no Importer.
 */
function readPassword(t: Tenant, id: string, state: Props): ReadResult {
    const { objectId, keyId } = parsePasswordId(id);
    if (state.keyId === undefined && state.applicationId === undefined) {
        throw new Error("resource azuread_application_password doesn't support import");
    }
    const app = findApplication(t, { objectId });
    const password = app?.passwords.find((p) => p.keyId.toLowerCase() === keyId.toLowerCase());
    if (!app || !password) {
        return gone();
    }
    const carried = plainProps(state);
    const props = passwordOutputs(app, password, carried, state.value ?? "");
    const inputs: Props = {
        applicationId: props.applicationId,
        displayName: props.displayName,
        endDate: props.endDate,
        startDate: props.startDate,
        ...(carried.rotateWhenChanged !== undefined ? { rotateWhenChanged: carried.rotateWhenChanged } : {}),
        ...(carried.endDateRelative !== undefined ? { endDateRelative: carried.endDateRelative } : {}),
    };
    return { id, props, inputs };
}

/** applicationPasswordResourceDelete: RemovePassword on the app; a missing app is Graph's 404. */
function deletePassword(t: Tenant, id: string): void {
    const { objectId } = parsePasswordId(id);
    const app = findApplication(t, { objectId });
    if (!app) {
        throw notFound("application", applicationResourceId(objectId));
    }
    const { keyId } = parsePasswordId(id);
    app.passwords = app.passwords.filter((p) => p.keyId.toLowerCase() !== keyId.toLowerCase());
}
