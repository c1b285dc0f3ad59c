import { DbtAzureDevOpsApp } from "./components/entra/dbtAzureDevOpsApp";
import { evaluationInstant } from "./stacks/evaluationInstant";
import { readStackConfig } from "./stacks/readStackConfig";

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

// Named after the fields of dbt Cloud's Azure DevOps settings form.
export const adoOrganization = config.adoOrganization;
export const clientId = app.clientId;
export const tenantId = app.tenantId;
export const clientSecret = app.clientSecret;
export const clientSecretExpiresAt = app.clientSecretExpiresAt;
export const redirectUris = app.redirectUris;
export const authMode = config.authMode;
