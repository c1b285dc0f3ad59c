import { AzureDevOpsOrganizationAccess, DbtAzureDevOpsApp } from "./components";
import { evaluationInstant, readStackConfig } from "./config";
import { dbtCloudApiBaseUrl } from "./domain";
import { DbtCloudAzureAdApplication } from "./providers";

const config = readStackConfig();

const app = new DbtAzureDevOpsApp("dbt-azure-devops", {
    dbtCloudHost: config.dbtCloudHost,
    authMode: config.authMode,
    displayName: config.appDisplayName,
    owners: config.owners,
    adminConsent: config.adminConsent,
    protectApplication: config.protectApplication,
    secretRotationDays: config.secretRotationDays,
    secretOverlapDays: config.secretOverlapDays,
    at: evaluationInstant(),
});

const organizationAccess = new AzureDevOpsOrganizationAccess("dbt-azure-devops-ado", {
    organization: config.adoOrganization,
    tenantId: app.tenantId,
    servicePrincipalObjectId: app.servicePrincipalObjectId,
    grantServicePrincipal: config.authMode === "service_principal",
    connectDirectory: config.connectDirectory,
    projects: config.adoProjects,
    projectAccess: config.adoProjectAccess,
    accessLevel: config.adoAccessLevel,
});

// dbt Cloud gets the newest secret in the same update that mints it; the secret it replaces is
// deleted only at the end of that update.
if (config.dbtCloudAccountId > 0) {
    new DbtCloudAzureAdApplication(
        "dbt-azure-devops-dbt-cloud",
        {
            accountId: config.dbtCloudAccountId,
            apiBaseUrl: dbtCloudApiBaseUrl(config.dbtCloudHost),
            organizationName: config.adoOrganization,
            clientId: app.clientId,
            clientSecret: app.clientSecret,
            tenantId: app.tenantId,
            authMethod: config.authMode,
        },
        { dependsOn: [organizationAccess] },
    );
}

// Named after the fields of dbt Cloud's Azure DevOps settings form.
export const adoOrganization = config.adoOrganization;
export const clientId = app.clientId;
export const tenantId = app.tenantId;
export const clientSecret = app.clientSecret;
export const clientSecretExpiresAt = app.clientSecretExpiresAt;
export const redirectUris = app.redirectUris;
export const authMode = config.authMode;
