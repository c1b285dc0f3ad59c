/**
 * The program: stack config in, resources declared, stack outputs out. `index.ts` calls it with
 * the stack's config and the clock; the offline plan and the tests call it with their own instant.
 */
import * as pulumi from "@pulumi/pulumi";
import { AzureDevOpsOrganizationAccess, DbtAzureDevOpsApp, RotatingClientSecret } from "./components";
import { StackConfig } from "./config";

/** The stack outputs, named after the fields of dbt Cloud's Azure DevOps settings form. */
export interface ProgramOutputs {
    adoOrganization: string;
    clientId: pulumi.Output<string>;
    tenantId: pulumi.Output<string>;
    /** Only when a person copies it into dbt Cloud (no dbtCloudAccountId): with it, the secret never reaches Pulumi. */
    clientSecret?: pulumi.Output<string>;
    clientSecretExpiresAt: pulumi.Output<string>;
    /** Which slot (a or b) holds the secret dbt Cloud has, and that secret's key id (not secret). */
    clientSecretSlot: string;
    clientSecretKeyId: pulumi.Output<string>;
    /** The next period boundary: the first `pulumi up` from then on rotates into the other slot. */
    nextRotationAt: string;
    /** The other slot's secret, still valid until then ("" while there is none): part of any leak response. */
    previousSecretExpiresAt: pulumi.Output<string>;
    redirectUris: string[];
    authMode: string;
    /** What dbt Cloud says it redirects to; only when the stack manages dbt Cloud's record. */
    dbtOauthRedirectDomain?: pulumi.Output<string>;
}

/** Declares every resource for `config`, with the rotation schedule evaluated at `at`. */
export function buildProgram(config: StackConfig, at: Date): ProgramOutputs {
    const app = new DbtAzureDevOpsApp("dbt-azure-devops", {
        dbtCloudHost: config.dbtCloudHost,
        additionalDbtCloudHosts: config.dbtCloudAdditionalHosts,
        existingApplicationObjectId: config.existingApplicationObjectId,
        existingServicePrincipalObjectId: config.existingServicePrincipalObjectId,
        authMode: config.authMode,
        displayName: config.appDisplayName,
        owners: config.owners,
        adminConsent: config.adminConsent,
        protectApplication: config.protectApplication,
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

    // With dbtCloudAccountId, each new secret goes straight from Entra to dbt Cloud's record, once it
    // has proven itself and once the Azure DevOps access dbt relies on is in place; without it, to
    // the clientSecret output.
    const manageDbtCloud = config.dbtCloudAccountId > 0;
    const secret = new RotatingClientSecret(
        "dbt-azure-devops-secret",
        {
            applicationObjectId: app.objectId,
            clientId: app.clientId,
            tenantId: app.tenantId,
            rotationDays: config.secretRotationDays,
            overlapDays: config.secretOverlapDays,
            readinessChecks: config.secretReadinessChecks,
            readinessTimeoutSeconds: config.secretReadinessTimeoutSeconds,
            at,
            ...(manageDbtCloud
                ? { dbtCloud: { accountId: config.dbtCloudAccountId, host: config.dbtCloudHost, organization: config.adoOrganization, authMode: config.authMode, appHosts: app.dbtCloudHosts } }
                : {}),
        },
        // It was the app component's child until the secret moved out of Pulumi state.
        { dependsOn: manageDbtCloud ? [organizationAccess] : [], aliases: [{ parent: app }] },
    );

    return {
        adoOrganization: config.adoOrganization,
        clientId: app.clientId,
        tenantId: app.tenantId,
        ...(secret.value ? { clientSecret: secret.value } : {}),
        clientSecretExpiresAt: secret.expiresAt,
        clientSecretSlot: secret.currentSlot,
        clientSecretKeyId: secret.keyId,
        nextRotationAt: secret.nextRotationAt,
        previousSecretExpiresAt: secret.previousExpiresAt,
        redirectUris: app.redirectUris,
        authMode: config.authMode,
        ...(secret.dbtOauthRedirectDomain ? { dbtOauthRedirectDomain: secret.dbtOauthRedirectDomain } : {}),
    };
}
