/**
 * The program: stack config in, resources declared, stack outputs out. `index.ts` calls it with
 * the stack's config and the clock; the offline plan and the tests call it with their own instant.
 */
import * as pulumi from "@pulumi/pulumi";
import { AzureDevOpsOrganizationAccess, DbtAzureDevOpsApp, DbtCloudAzureDevOpsIntegration } from "./components";
import { StackConfig } from "./config";

/** The stack outputs, named after the fields of dbt Cloud's Azure DevOps settings form. */
export interface ProgramOutputs {
    adoOrganization: string;
    clientId: pulumi.Output<string>;
    tenantId: pulumi.Output<string>;
    clientSecret: pulumi.Output<string>;
    clientSecretExpiresAt: pulumi.Output<string>;
    redirectUris: string[];
    authMode: string;
}

/** Declares every resource for `config`, with the rotation schedule evaluated at `at`. */
export function buildProgram(config: StackConfig, at: Date): ProgramOutputs {
    const app = new DbtAzureDevOpsApp("dbt-azure-devops", {
        dbtCloudHost: config.dbtCloudHost,
        authMode: config.authMode,
        displayName: config.appDisplayName,
        owners: config.owners,
        adminConsent: config.adminConsent,
        protectApplication: config.protectApplication,
        secretRotationDays: config.secretRotationDays,
        secretOverlapDays: config.secretOverlapDays,
        at,
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
        new DbtCloudAzureDevOpsIntegration(
            "dbt-azure-devops-dbt-cloud",
            {
                accountId: config.dbtCloudAccountId,
                dbtCloudHost: config.dbtCloudHost,
                organization: config.adoOrganization,
                clientId: app.clientId,
                clientSecret: app.clientSecret,
                tenantId: app.tenantId,
                authMode: config.authMode,
            },
            { dependsOn: [organizationAccess] },
        );
    }

    return {
        adoOrganization: config.adoOrganization,
        clientId: app.clientId,
        tenantId: app.tenantId,
        clientSecret: app.clientSecret,
        clientSecretExpiresAt: app.clientSecretExpiresAt,
        redirectUris: app.redirectUris,
        authMode: config.authMode,
    };
}
