/**
 * A deployed dev stack for the audit's unit tests: a fake tenant holding the app as `pulumi up`
 * leaves it, and the matching `pulumi stack export`. The export's shape is the engine's: taken
 * from `pulumi stack export` of dev after `pulumi up` under the real engine and the fake azuread
 * plugin (test/engine/driftAudit.engine.ts runs the tool on the real one), trimmed of what the
 * audit does not read (timestamps, source positions), with the Azure DevOps resources kept as
 * noise. Two rotation slots are recorded: a (previous) and b (current, the one dbt Cloud holds).
 */
import {
    AZURE_DEVOPS_APP_ID, AZURE_DEVOPS_USER_IMPERSONATION_ID, DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID, FakePassword, MICROSOFT_GRAPH_APP_ID, MICROSOFT_SERVICES_TENANT_ID,
    newApplicationObject, newServicePrincipalObject, newTenant, Tenant, writeTenant,
} from "../engine/fakeAzuread/tenant";

export const IDS = {
    app: "c2fec1fb-6a87-4d55-a264-4cd2a16420ad",
    client: "e19aeb76-9562-4fff-907b-7cd3af717e1d",
    sp: "34e52b47-2a45-4607-97ee-66e9f2328544",
    owner: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    grant: "xtmuVIia4h3hz9C4H3Du7Xl0LzdSTYOO1fuv7GukHgk",
    slotA: "5a1a5a1a-0000-4000-8000-00000000000a",
    slotB: "5b1b5b1b-0000-4000-8000-00000000000b",
    graphSp: "9a9a9a9a-0000-4000-8000-000000000009",
    /** Microsoft Graph's delegated User.Read and application Directory.Read.All (Graph permissions reference). */
    userRead: "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    directoryReadAll: "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
};

export const REDIRECT_URI = "https://cloud.getdbt.com/complete/azure_active_directory";
export const STACK_OWNER = "dbt-azure-devops/dev";
export const LOCK = { allProperties: true, credentialsWithUsageSign: true, credentialsWithUsageVerify: true, identifierUris: true, isEnabled: true, tokenEncryptionKeyId: true };

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_MARK = "1b47061264138c4ac30d75fd1eb44270";

export function password(keyId: string, displayName: string, endDate: string, value: string): FakePassword {
    return { keyId, displayName, startDate: "2026-09-17T00:00:00.000Z", endDate, value, hint: value.slice(0, 3), createdAt: "2026-09-17T00:00:00.000Z" };
}

/** The tenant after `pulumi up` of dev: the app, its principal, consent, two slot secrets, the lock; Graph's principal for names. */
export function deployedTenant(): Tenant {
    const tenant = newTenant();
    tenant.applications.push({
        ...newApplicationObject({
            objectId: IDS.app, clientId: IDS.client, displayName: "dbt Labs Azure DevOps App (dev)", signInAudience: "AzureADMultipleOrgs",
            web: { homepageUrl: "", logoutUrl: "", redirectUris: [REDIRECT_URI], implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false } },
            requiredResourceAccesses: [{ resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: AZURE_DEVOPS_USER_IMPERSONATION_ID, type: "Scope" }] }],
            owners: [IDS.owner],
            passwords: [
                password(IDS.slotA, `dbt Cloud slot a 2026-06-19 [pulumi ${STACK_OWNER} 1a2b3c4d]`, "2026-12-30T00:00:00Z", "slot-a-secret-value-not-real-0123456789"),
                password(IDS.slotB, `dbt Cloud slot b 2026-09-17 [pulumi ${STACK_OWNER} 33b7ef41]`, "2027-03-30T00:00:00Z", "slot-b-secret-value-not-real-0123456789"),
            ],
            createdAt: "2026-06-19T00:00:00.000Z",
        }),
        servicePrincipalLockConfiguration: { ...LOCK },
    });
    tenant.servicePrincipals.push(newServicePrincipalObject({ objectId: IDS.sp, clientId: IDS.client, displayName: "dbt Labs Azure DevOps App (dev)", owners: [IDS.owner] }));
    tenant.servicePrincipals.push(newServicePrincipalObject({
        objectId: IDS.graphSp, clientId: MICROSOFT_GRAPH_APP_ID, displayName: "Microsoft Graph", applicationTenantId: MICROSOFT_SERVICES_TENANT_ID,
        oauth2PermissionScopes: [{ id: IDS.userRead, value: "User.Read", type: "User", enabled: true, adminConsentDisplayName: "Sign in and read user profile",
            adminConsentDescription: "", userConsentDisplayName: "", userConsentDescription: "" }],
        appRoles: [{ id: IDS.directoryReadAll, value: "Directory.Read.All", displayName: "Read directory data", description: "", allowedMemberTypes: ["Application"], enabled: true }],
    }));
    tenant.grants.push({ id: IDS.grant, clientId: IDS.sp, resourceId: DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID, scope: "user_impersonation", consentType: "AllPrincipals", principalId: "", createdAt: "2026-06-19T00:00:00.000Z" });
    return tenant;
}

export function writeDeployedTenant(file: string): Tenant {
    const tenant = deployedTenant();
    writeTenant(file, tenant);
    return tenant;
}

export interface ExportedResource {
    urn: string;
    custom: boolean;
    id?: string;
    type: string;
    parent?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    delete?: boolean;
    protect?: boolean;
}

export interface StateExport {
    version: number;
    deployment: { manifest: Record<string, unknown>; secrets_providers: Record<string, unknown>; resources: ExportedResource[] };
}

const STACK = "urn:pulumi:dev::dbt-azure-devops::pulumi:pulumi:Stack::dbt-azure-devops-dev";
const APP_COMPONENT = "urn:pulumi:dev::dbt-azure-devops::dbt-azure-devops:entra:DbtAzureDevOpsApp::dbt-azure-devops";
const SECRET_COMPONENT = "urn:pulumi:dev::dbt-azure-devops::dbt-azure-devops:entra:RotatingClientSecret::dbt-azure-devops-secret";

export function urn(type: string, name: string, parent = APP_COMPONENT): string {
    const parentType = parent.split("::")[2];
    return `urn:pulumi:dev::dbt-azure-devops::${parentType}$${type}::${name}`;
}

/** A value as `pulumi stack export` shows a secret without --show-secrets. */
export function encrypted(): Record<string, string> {
    return { [SIG]: SECRET_MARK, ciphertext: "v1:Xq0zxP6gQ9xZ1c2M:c2VjcmV0LWJ1dC1lbmNyeXB0ZWQ=" };
}

export function deployedExport(): StateExport {
    const app = {
        displayName: "dbt Labs Azure DevOps App (dev)",
        owners: [IDS.owner],
        requiredResourceAccesses: [{ resourceAccesses: [{ id: AZURE_DEVOPS_USER_IMPERSONATION_ID, type: "Scope" }], resourceAppId: AZURE_DEVOPS_APP_ID }],
        signInAudience: "AzureADMultipleOrgs",
        web: { redirectUris: [REDIRECT_URI] },
    };
    const slots = {
        a: { displayName: `dbt Cloud slot a 2026-06-19 [pulumi ${STACK_OWNER} 1a2b3c4d]`, endDate: "2026-12-30T00:00:00Z", keyId: IDS.slotA, period: 10 },
        b: { displayName: `dbt Cloud slot b 2026-09-17 [pulumi ${STACK_OWNER} 33b7ef41]`, endDate: "2027-03-30T00:00:00Z", keyId: IDS.slotB, period: 11 },
    };
    const rotationInputs = {
        applicationObjectId: IDS.app, clientId: IDS.client, current: { endDate: "2027-03-30T00:00:00Z", period: 11, periodStart: "2026-09-17T00:00:00Z", slot: "b" },
        handover: { accountId: "70403103926931", apiBaseUrl: "https://cloud.getdbt.com/api", authMethod: "service_principal", kind: "dbtCloud", organizationName: "contoso-data", redirectHosts: ["cloud.getdbt.com"] },
        owner: STACK_OWNER, readiness: { successes: 8, timeoutSeconds: 300 }, tenantId: "7e57a7e5-0000-4000-8000-000000000001",
        __provider: "exports.handler = __f0;\n// the serialized dynamic provider",
    };
    const resources: ExportedResource[] = [
        { urn: STACK, custom: false, type: "pulumi:pulumi:Stack" },
        { urn: "urn:pulumi:dev::dbt-azure-devops::pulumi:providers:azuread::default_6_9_1", custom: true, id: "f9b5ed99-b5e0-4029-bae1-9b52231ace8f", type: "pulumi:providers:azuread", inputs: { version: "6.9.1" }, outputs: { version: "6.9.1" } },
        { urn: APP_COMPONENT, custom: false, type: "dbt-azure-devops:entra:DbtAzureDevOpsApp", parent: STACK, inputs: { dbtCloudHosts: ["cloud.getdbt.com"] } },
        {
            urn: urn("azuread:index/application:Application", "dbt-azure-devops-app"), custom: true, id: `/applications/${IDS.app}`, type: "azuread:index/application:Application",
            parent: APP_COMPONENT, protect: true, inputs: app,
            outputs: { ...app, clientId: IDS.client, objectId: IDS.app, publisherDomain: "contoso.onmicrosoft.com", web: { ...app.web, homepageUrl: "", logoutUrl: "", implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false } } },
        },
        {
            urn: urn("azuread:index/servicePrincipal:ServicePrincipal", "dbt-azure-devops-sp"), custom: true, id: `/servicePrincipals/${IDS.sp}`, type: "azuread:index/servicePrincipal:ServicePrincipal",
            parent: APP_COMPONENT, inputs: { clientId: IDS.client, owners: [IDS.owner] }, outputs: { clientId: IDS.client, objectId: IDS.sp, owners: [IDS.owner], type: "Application" },
        },
        {
            urn: urn("pulumi-nodejs:dynamic/entra:AppInstanceLock", "dbt-azure-devops-lock"), custom: true, id: `${IDS.app}/servicePrincipalLockConfiguration`, type: "pulumi-nodejs:dynamic/entra:AppInstanceLock",
            parent: APP_COMPONENT, inputs: { applicationObjectId: IDS.app, lock: LOCK, __provider: "exports.handler = __f0;" }, outputs: { applicationObjectId: IDS.app, lock: LOCK, __provider: "exports.handler = __f0;" },
        },
        {
            urn: urn("azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant", "dbt-azure-devops-consent"), custom: true, id: `/oauth2PermissionGrants/${IDS.grant}`,
            type: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant", parent: APP_COMPONENT,
            inputs: { claimValues: ["user_impersonation"], resourceServicePrincipalObjectId: DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID, servicePrincipalObjectId: IDS.sp },
            outputs: { claimValues: ["user_impersonation"], resourceServicePrincipalObjectId: DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID, servicePrincipalObjectId: IDS.sp, userObjectId: "" },
        },
        {
            urn: "urn:pulumi:dev::dbt-azure-devops::dbt-azure-devops:azuredevops:OrganizationAccess$pulumi-nodejs:dynamic/azuredevops:ServicePrincipalEntitlement::dbt-azure-devops-ado-entitlement",
            custom: true, id: "a0b1c2d3-0000-4000-8000-000000000001", type: "pulumi-nodejs:dynamic/azuredevops:ServicePrincipalEntitlement",
            inputs: { organization: "contoso-data", servicePrincipalObjectId: IDS.sp, accessLevel: "express" }, outputs: { organization: "contoso-data", servicePrincipalObjectId: IDS.sp, accessLevel: "express" },
        },
        { urn: SECRET_COMPONENT, custom: false, type: "dbt-azure-devops:entra:RotatingClientSecret", parent: STACK, outputs: { expiresAt: "2027-03-30T00:00:00Z", keyId: IDS.slotB, previousExpiresAt: "2026-12-30T00:00:00Z" } },
        {
            urn: urn("pulumi-nodejs:dynamic/entra:ClientSecretRotation", "dbt-azure-devops-secret-rotation", SECRET_COMPONENT), custom: true, id: `${IDS.app}/dbt-70403103926931`,
            type: "pulumi-nodejs:dynamic/entra:ClientSecretRotation", parent: SECRET_COMPONENT, inputs: rotationInputs,
            outputs: {
                ...rotationInputs, slots, keyId: IDS.slotB, expiresAt: "2027-03-30T00:00:00Z", previousExpiresAt: "2026-12-30T00:00:00Z",
                dbtRecord: { adoptedExisting: false, applicationId: 501, effectiveApiBaseUrl: "https://cloud.getdbt.com/api", oauthRedirectUriDomain: "cloud.getdbt.com" },
            },
        },
    ];
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-12-06T02:14:58.3116808Z", magic: "a8ce862bb3201356034a2d41310dffb289d873f576feb681dd14b5ac87d739dd", version: "v3.276.0" },
            secrets_providers: { type: "passphrase", state: { salt: "v1:sZHr2dJDmXQ=:v1:y+HvAwx4pdks4D3i:UoANstLAcCyYRLc2S3BzSdtpPnW9tg==" } },
            resources,
        },
    };
}

/** The resource of `type` in an export (the first one). */
export function resourceOf(state: StateExport, type: string): ExportedResource {
    const found = state.deployment.resources.find((r) => r.type === type);
    if (!found) {
        throw new Error(`no ${type} in the export`);
    }
    return found;
}
