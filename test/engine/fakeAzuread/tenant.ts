/**
 * The fake Entra tenant behind the fake `azuread` provider plugin: one JSON file that the plugin
 * reads and writes under a lock on every API call, and that tests read and mutate between runs.
 * Path: env `FAKE_AZUREAD_TENANT_FILE` (see `TENANT_FILE_ENV`).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export const TENANT_FILE_ENV = "FAKE_AZUREAD_TENANT_FILE";

/** Microsoft's Azure DevOps first-party app (hashicorp/go-azure-sdk `sdk/environments/constants.go`). */
export const AZURE_DEVOPS_APP_ID = "499b84ac-1321-427f-aa17-267ca6975798";
/** Its only delegated scope, `user_impersonation` (widely published; see /work/shared/REFERENCE.md). */
export const AZURE_DEVOPS_USER_IMPERSONATION_ID = "ee69721e-6c3a-468f-a9ec-302d16a4c599";
/** Microsoft Graph's app id (same constants file). */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** The tenant that owns Microsoft's first-party apps: `applicationTenantId` of their service principals. */
export const MICROSOFT_SERVICES_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/** Fixed defaults, so that a test's expectations can name them. */
export const DEFAULT_TENANT_ID = "7e57a7e5-0000-4000-8000-000000000001";
export const DEFAULT_DEPLOYER_OBJECT_ID = "7e57a7e5-0000-4000-8000-0000000000d1";
export const DEFAULT_DEPLOYER_CLIENT_ID = "7e57a7e5-0000-4000-8000-0000000000c1";
export const DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID = "7e57a7e5-0000-4000-8000-0000000000a0";

export interface TenantPolicy {
    /** App-management policy: the longest password lifetime (endDate - startDate) Entra accepts. */
    maxPasswordLifetimeDays?: number;
    /** The policy id quoted in Entra's refusal. */
    policyId?: string;
    /** App-management policy restriction `passwordAddition`: no new password credentials at all (ScubaGear MS.AAD.5.5v1). */
    blockPasswordAddition?: boolean;
}

/**
 * How the fake Microsoft identity platform (test/entra/fakeEntra.ts) behaves; the fake azuread
 * plugin ignores it.
 */
export interface EntraBehaviour {
    /** The deploying identity's client secret, for its own token requests (client credentials). */
    deployerSecret?: string;
    /**
     * A new password credential is refused at the token endpoint (AADSTS7000215) until this many
     * milliseconds after it was added: Entra's replication delay, 4-18 s reported in
     * microsoftgraph/microsoft-graph-docs#17966.
     */
    newSecretDelayMs?: number;
    /** A new secret never becomes usable (the readiness wait must give up). */
    secretsNeverReady?: boolean;
    /**
     * After becoming usable, every Nth token request for an app's secret still fails with
     * AADSTS7000215: the intermittent failures terraform-provider-vault#2079 reports.
     */
    flakyEvery?: number;
    /**
     * Graph answers 404 Request_ResourceNotFound for an application this many milliseconds after
     * its creation: directory replication (hamilton's RetryOn404ConsistencyFailureFunc retries it).
     */
    readLagMs?: number;
}

/**
 * Microsoft Graph application permissions (app roles) the deploying identity holds by default:
 * the README's list for a service principal that deploys (Application.ReadWrite.OwnedBy,
 * Application.Read.All, DelegatedPermissionGrant.ReadWrite.All) and Policy.Read.All, which lets
 * `npm run doctor` read the tenant's app management policies. They are its tokens' `roles` claim.
 */
export const DEFAULT_DEPLOYER_APP_ROLES = ["Application.ReadWrite.OwnedBy", "Application.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Policy.Read.All"];

/**
 * A password-credential restriction of an app management policy, as Microsoft Graph's
 * `passwordCredentialConfiguration` has it (restrictionType passwordAddition, passwordLifetime,
 * customPasswordAddition; `maxLifetime` an ISO 8601 duration; `state` enabled or disabled).
 */
export interface FakePasswordRestriction {
    restrictionType: string;
    maxLifetime?: string | null;
    restrictForAppsCreatedAfterDateTime?: string;
    state?: "enabled" | "disabled";
}

/** An app management policy (Graph `policies/appManagementPolicies`), assignable to applications. */
export interface FakeAppManagementPolicy {
    id: string;
    displayName: string;
    isEnabled: boolean;
    passwordCredentials: FakePasswordRestriction[];
}

/** What the fake Graph directory routes (test/entra/fakeGraphDirectory.ts) serve beyond applications. */
export interface DirectoryFacts {
    /** The deploying identity's Graph app roles (its tokens' `roles`); default DEFAULT_DEPLOYER_APP_ROLES. */
    deployerAppRoles?: string[];
    /** Its service principal's display name. */
    deployerDisplayName?: string;
    /** App management policies that may be assigned to applications. */
    appManagementPolicies?: FakeAppManagementPolicy[];
    /** Application object id -> id of the app management policy assigned to it (one at most, as in Entra). */
    appPolicyAssignments?: Record<string, string>;
}

export interface TenantFaults {
    /** One-shot: the next ApplicationPassword create fails (transactionally); cleared when consumed. */
    failNextPasswordCreate?: boolean;
    /** Every API call numbered above N (N = entries in `calls` before it) fails. */
    failAfterCalls?: number;
}

export interface FakePassword {
    keyId: string;
    displayName: string;
    startDate: string;
    endDate: string;
    /** The secret itself (it is a fake): tests compare it with what dbt Cloud was given. */
    value: string;
    /** Entra's `hint`: the first three characters of the secret. */
    hint: string;
    createdAt: string;
    /** Token requests the fake identity platform has answered for this secret (its `flakyEvery`). */
    tokenRequests?: number;
}

export interface FakeImplicitGrant {
    accessTokenIssuanceEnabled: boolean;
    idTokenIssuanceEnabled: boolean;
}

export interface FakeWeb {
    homepageUrl: string;
    logoutUrl: string;
    redirectUris: string[];
    implicitGrant: FakeImplicitGrant;
}

export interface FakeResourceAccess {
    id: string;
    type: string;
}

export interface FakeRequiredResourceAccess {
    resourceAppId: string;
    resourceAccesses: FakeResourceAccess[];
}

/** A certificate credential as Graph lists it (keyCredential, without its key). */
export interface FakeKeyCredential {
    keyId: string;
    displayName: string;
    /** `AsymmetricX509Cert`, `Symmetric`, ... */
    type: string;
    /** `Verify` or `Sign`. */
    usage: string;
    startDateTime: string;
    endDateTime: string;
}

/** A federated identity credential (Graph's federatedIdentityCredential). */
export interface FakeFederatedIdentityCredential {
    id: string;
    name: string;
    issuer: string;
    subject: string;
    audiences: string[];
    description?: string;
}

/** A password credential on a service principal, as Graph lists it (no value). */
export interface FakeListedPassword {
    keyId: string;
    displayName: string;
    startDateTime: string;
    endDateTime: string;
}

/** An app role granted to a principal (Graph's appRoleAssignment). */
export interface FakeAppRoleAssignment {
    id: string;
    appRoleId: string;
    principalId: string;
    principalType: "User" | "Group" | "ServicePrincipal";
    principalDisplayName: string;
    /** Object id of the resource service principal whose role it is. */
    resourceId: string;
    resourceDisplayName: string;
    createdDateTime: string;
}

/** A user, for directory reads that name one (owners). */
export interface FakeUser {
    objectId: string;
    displayName: string;
    userPrincipalName: string;
}

export interface FakeApplication {
    objectId: string;
    clientId: string;
    displayName: string;
    signInAudience: string;
    description: string;
    notes: string;
    tags: string[];
    identifierUris: string[];
    templateId: string;
    publisherDomain: string;
    web: FakeWeb;
    requiredResourceAccesses: FakeRequiredResourceAccess[];
    owners: string[];
    passwords: FakePassword[];
    /** Inputs the fake does not model, kept so that reads echo them back. */
    extraInputs?: Record<string, unknown>;
    /** Graph's app instance property lock; set only through Graph (azuread v3.8 does not manage it). */
    servicePrincipalLockConfiguration?: Record<string, boolean>;
    /** Graph-only views for audits (test/entra/fakeGraphAudit.ts); the fake plugin neither reads nor writes them. */
    spa?: { redirectUris: string[] };
    publicClient?: { redirectUris: string[] };
    isFallbackPublicClient?: boolean;
    keyCredentials?: FakeKeyCredential[];
    federatedIdentityCredentials?: FakeFederatedIdentityCredential[];
    createdAt: string;
}

export interface FakePermissionScope {
    id: string;
    value: string;
    type: string;
    enabled: boolean;
    adminConsentDisplayName: string;
    adminConsentDescription: string;
    userConsentDisplayName: string;
    userConsentDescription: string;
}

export interface FakeAppRole {
    id: string;
    value: string;
    displayName: string;
    description: string;
    allowedMemberTypes: string[];
    enabled: boolean;
}

export interface FakeServicePrincipal {
    objectId: string;
    clientId: string;
    displayName: string;
    applicationTenantId: string;
    accountEnabled: boolean;
    appRoleAssignmentRequired: boolean;
    description: string;
    notes: string;
    loginUrl: string;
    homepageUrl: string;
    logoutUrl: string;
    preferredSingleSignOnMode: string;
    tags: string[];
    alternativeNames: string[];
    notificationEmailAddresses: string[];
    owners: string[];
    servicePrincipalNames: string[];
    redirectUris: string[];
    signInAudience: string;
    type: string;
    oauth2PermissionScopes: FakePermissionScope[];
    appRoles: FakeAppRole[];
    extraInputs?: Record<string, unknown>;
    /** Credentials added to the principal itself (Graph only; test/entra/fakeGraphAudit.ts). */
    passwordCredentials?: FakeListedPassword[];
    keyCredentials?: FakeKeyCredential[];
    createdAt: string;
}

export interface FakeGrant {
    id: string;
    /** Object id of the client service principal (`servicePrincipalObjectId`). */
    clientId: string;
    /** Object id of the resource service principal (`resourceServicePrincipalObjectId`). */
    resourceId: string;
    /** Space-separated claim values, as Graph stores them. */
    scope: string;
    consentType: "AllPrincipals" | "Principal";
    principalId: string;
    createdAt: string;
}

export type CallOp = "create" | "read" | "update" | "delete" | "invoke"
    /** Calls to the fake identity platform (test/entra/fakeEntra.ts). */
    | "token" | "graph:get" | "graph:patch" | "graph:addPassword" | "graph:removePassword";
export type CallOutcome = "ok" | "notFound" | "error" | "fault";

export interface CallRecord {
    n: number;
    time: string;
    op: CallOp;
    /** Resource type token, e.g. `azuread:index/application:Application`. */
    type?: string;
    /** Invoke token, e.g. `azuread:index/getClientConfig:getClientConfig`. */
    token?: string;
    urn?: string;
    name?: string;
    id?: string;
    outcome: CallOutcome;
    /** Error text on failure (never a secret). */
    message?: string;
}

export interface Tenant {
    version: 1;
    tenantId: string;
    /** The deploying principal, as `getClientConfig` reports it. */
    deployerObjectId: string;
    clientId: string;
    /** Verified domain: the `publisherDomain` of new applications. */
    domain: string;
    /** Pins the fake's clock (ISO instant) instead of the process clock. */
    clock?: { now?: string };
    policy: TenantPolicy;
    faults: TenantFaults;
    /** The fake identity platform's behaviour (token endpoint and Graph). */
    entra?: EntraBehaviour;
    /** Directory reads beyond applications: the deployer's roles, app management policies. */
    directory?: DirectoryFacts;
    applications: FakeApplication[];
    servicePrincipals: FakeServicePrincipal[];
    grants: FakeGrant[];
    /** App roles granted to principals (Graph only; test/entra/fakeGraphAudit.ts). */
    appRoleAssignments?: FakeAppRoleAssignment[];
    /** Users the directory names (Graph only; test/entra/fakeGraphAudit.ts). */
    users?: FakeUser[];
    calls: CallRecord[];
}

export interface NewTenantOptions {
    tenantId?: string;
    deployerObjectId?: string;
    clientId?: string;
    domain?: string;
    policy?: TenantPolicy;
    faults?: TenantFaults;
    /** Seed Microsoft's Azure DevOps service principal (default true). */
    withAzureDevOps?: boolean;
}

/** A fresh tenant: no applications, Microsoft's Azure DevOps service principal present. */
export function newTenant(options: NewTenantOptions = {}): Tenant {
    const tenant: Tenant = {
        version: 1,
        tenantId: options.tenantId ?? DEFAULT_TENANT_ID,
        deployerObjectId: options.deployerObjectId ?? DEFAULT_DEPLOYER_OBJECT_ID,
        clientId: options.clientId ?? DEFAULT_DEPLOYER_CLIENT_ID,
        domain: options.domain ?? "contoso.onmicrosoft.com",
        policy: { ...(options.policy ?? {}) },
        faults: { ...(options.faults ?? {}) },
        applications: [],
        servicePrincipals: [],
        grants: [],
        calls: [],
    };
    if (options.withAzureDevOps !== false) {
        tenant.servicePrincipals.push(azureDevOpsServicePrincipal());
    }
    return tenant;
}

/** Microsoft's Azure DevOps service principal as it appears in a tenant that uses Azure DevOps. */
export function azureDevOpsServicePrincipal(objectId = DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID): FakeServicePrincipal {
    return newServicePrincipalObject({
        objectId,
        clientId: AZURE_DEVOPS_APP_ID,
        displayName: "Azure DevOps",
        applicationTenantId: MICROSOFT_SERVICES_TENANT_ID,
        signInAudience: "AzureADMultipleOrgs",
        servicePrincipalNames: [AZURE_DEVOPS_APP_ID],
        oauth2PermissionScopes: [
            {
                id: AZURE_DEVOPS_USER_IMPERSONATION_ID,
                value: "user_impersonation",
                type: "User",
                enabled: true,
                adminConsentDisplayName: "Have full access to Azure DevOps REST APIs",
                adminConsentDescription: "Allows the application to access Azure DevOps on behalf of the signed-in user.",
                userConsentDisplayName: "Have full access to Azure DevOps REST APIs",
                userConsentDescription: "Allows the application to access Azure DevOps on your behalf.",
            },
        ],
    });
}

/** An application object with Entra's empty defaults; `objectId`/`clientId` random unless given. */
export function newApplicationObject(fields: Partial<FakeApplication> & { displayName: string }, now = new Date()): FakeApplication {
    return {
        objectId: fields.objectId ?? crypto.randomUUID(),
        clientId: fields.clientId ?? crypto.randomUUID(),
        displayName: fields.displayName,
        signInAudience: fields.signInAudience ?? "AzureADMyOrg",
        description: fields.description ?? "",
        notes: fields.notes ?? "",
        tags: fields.tags ?? [],
        identifierUris: fields.identifierUris ?? [],
        templateId: fields.templateId ?? "",
        publisherDomain: fields.publisherDomain ?? "contoso.onmicrosoft.com",
        web: {
            homepageUrl: fields.web?.homepageUrl ?? "",
            logoutUrl: fields.web?.logoutUrl ?? "",
            redirectUris: fields.web?.redirectUris ?? [],
            implicitGrant: {
                accessTokenIssuanceEnabled: fields.web?.implicitGrant?.accessTokenIssuanceEnabled ?? false,
                idTokenIssuanceEnabled: fields.web?.implicitGrant?.idTokenIssuanceEnabled ?? false,
            },
        },
        requiredResourceAccesses: fields.requiredResourceAccesses ?? [],
        owners: fields.owners ?? [],
        passwords: fields.passwords ?? [],
        ...(fields.extraInputs ? { extraInputs: fields.extraInputs } : {}),
        createdAt: fields.createdAt ?? now.toISOString(),
    };
}

/** A service principal object with Entra's defaults; `objectId` random unless given. */
export function newServicePrincipalObject(
    fields: Partial<FakeServicePrincipal> & { clientId: string; displayName: string },
    now = new Date(),
): FakeServicePrincipal {
    return {
        objectId: fields.objectId ?? crypto.randomUUID(),
        clientId: fields.clientId,
        displayName: fields.displayName,
        applicationTenantId: fields.applicationTenantId ?? DEFAULT_TENANT_ID,
        accountEnabled: fields.accountEnabled ?? true,
        appRoleAssignmentRequired: fields.appRoleAssignmentRequired ?? false,
        description: fields.description ?? "",
        notes: fields.notes ?? "",
        loginUrl: fields.loginUrl ?? "",
        homepageUrl: fields.homepageUrl ?? "",
        logoutUrl: fields.logoutUrl ?? "",
        preferredSingleSignOnMode: fields.preferredSingleSignOnMode ?? "",
        tags: fields.tags ?? [],
        alternativeNames: fields.alternativeNames ?? [],
        notificationEmailAddresses: fields.notificationEmailAddresses ?? [],
        owners: fields.owners ?? [],
        servicePrincipalNames: fields.servicePrincipalNames ?? [fields.clientId],
        redirectUris: fields.redirectUris ?? [],
        signInAudience: fields.signInAudience ?? "AzureADMyOrg",
        type: fields.type ?? "Application",
        oauth2PermissionScopes: fields.oauth2PermissionScopes ?? [],
        appRoles: fields.appRoles ?? [],
        ...(fields.extraInputs ? { extraInputs: fields.extraInputs } : {}),
        createdAt: fields.createdAt ?? now.toISOString(),
    };
}

/** Fills in what an older or hand-written tenant file leaves out. */
export function normalizeTenant(raw: unknown): Tenant {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
        throw new Error("fake azuread: the tenant file does not hold a JSON object");
    }
    const t = raw as Partial<Tenant>;
    if (typeof t.tenantId !== "string" || t.tenantId === "") {
        throw new Error("fake azuread: the tenant file has no tenantId");
    }
    return {
        ...t,
        version: 1,
        tenantId: t.tenantId,
        deployerObjectId: t.deployerObjectId ?? DEFAULT_DEPLOYER_OBJECT_ID,
        clientId: t.clientId ?? DEFAULT_DEPLOYER_CLIENT_ID,
        domain: t.domain ?? "contoso.onmicrosoft.com",
        policy: t.policy ?? {},
        faults: t.faults ?? {},
        applications: (t.applications ?? []).map((a) => ({ ...a, passwords: a.passwords ?? [] })),
        servicePrincipals: t.servicePrincipals ?? [],
        grants: t.grants ?? [],
        calls: t.calls ?? [],
    };
}

/** The tenant file named by `FAKE_AZUREAD_TENANT_FILE`. */
export function tenantFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
    const file = env[TENANT_FILE_ENV];
    if (!file) {
        throw new Error(`fake azuread: set ${TENANT_FILE_ENV} to the tenant file's path`);
    }
    return file;
}

export function readTenant(file: string): Tenant {
    return normalizeTenant(JSON.parse(fs.readFileSync(file, "utf8")));
}

/** Atomic replace: write a sibling temporary file, then rename it over the tenant file. */
export function writeTenant(file: string, tenant: Tenant): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(tenant, null, 2) + "\n", { mode: 0o600 });
    fs.renameSync(tmp, file);
}

/** Creates (or overwrites) a tenant file and returns the tenant written. */
export function createTenantFile(file: string, options: NewTenantOptions = {}): Tenant {
    const tenant = newTenant(options);
    writeTenant(file, tenant);
    return tenant;
}

const LOCK_WAIT_MS = 15_000;
const LOCK_STALE_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
    Atomics.wait(sleeper, 0, 0, ms);
}

/** Runs `fn` while holding `<file>.lock` (exclusive create), across processes. */
export function withTenantLock<T>(file: string, fn: () => T): T {
    const lock = `${file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
        try {
            fs.closeSync(fs.openSync(lock, "wx"));
            break;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
                throw err;
            }
            try {
                if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) {
                    fs.rmSync(lock, { force: true });
                    continue;
                }
            } catch {
                continue; // released between our open and stat
            }
            if (Date.now() > deadline) {
                throw new Error(`fake azuread: timed out waiting for ${lock}`);
            }
            sleepSync(5);
        }
    }
    try {
        return fn();
    } finally {
        fs.rmSync(lock, { force: true });
    }
}

/**
 * Read-modify-write under the lock. `fn` mutates the tenant it is given; the file is rewritten
 * only when `fn` returns. Use it from tests to change the tenant between engine runs.
 */
export function updateTenant<T>(file: string, fn: (tenant: Tenant) => T): T {
    return withTenantLock(file, () => {
        const tenant = readTenant(file);
        const result = fn(tenant);
        writeTenant(file, tenant);
        return result;
    });
}

/** Calls matching every given field, e.g. `callsMatching(t, { op: "create", type: TYPES.password })`. */
export function callsMatching(tenant: Tenant, filter: Partial<CallRecord>): CallRecord[] {
    return tenant.calls.filter((c) =>
        (Object.keys(filter) as (keyof CallRecord)[]).every((k) => filter[k] === undefined || c[k] === filter[k]),
    );
}

export function findApplication(
    tenant: Tenant,
    by: { objectId?: string; clientId?: string; displayName?: string },
): FakeApplication | undefined {
    return tenant.applications.find(
        (a) =>
            (by.objectId === undefined || a.objectId === by.objectId) &&
            (by.clientId === undefined || a.clientId === by.clientId) &&
            (by.displayName === undefined || a.displayName === by.displayName),
    );
}

export function findServicePrincipal(
    tenant: Tenant,
    by: { objectId?: string; clientId?: string; displayName?: string },
): FakeServicePrincipal | undefined {
    return tenant.servicePrincipals.find(
        (s) =>
            (by.objectId === undefined || s.objectId === by.objectId) &&
            (by.clientId === undefined || s.clientId.toLowerCase() === by.clientId.toLowerCase()) &&
            (by.displayName === undefined || s.displayName === by.displayName),
    );
}
