/**
 * The program: stack config in, resources declared, stack outputs out. `index.ts` calls it with
 * the stack's config and the clock; the offline plan and the tests call it with their own instant.
 */
import * as pulumi from "@pulumi/pulumi";
import { AzureDevOpsOrganizationAccess, DbtAzureDevOpsApp, DbtCloudAzureDevOpsIntegration } from "./components";
import { StackConfig } from "./config";
import { redirectDomainProblem } from "./domain/redirectUris";

/** The stack outputs, named after the fields of dbt Cloud's Azure DevOps settings form. */
export interface ProgramOutputs {
    adoOrganization: string;
    clientId: pulumi.Output<string>;
    tenantId: pulumi.Output<string>;
    clientSecret: pulumi.Output<string>;
    clientSecretExpiresAt: pulumi.Output<string>;
    /** Which slot (a or b) holds the secret dbt Cloud has, and that secret's key id (not secret). */
    clientSecretSlot: string;
    clientSecretKeyId: pulumi.Output<string>;
    /** The next period boundary: the first `pulumi up` from then on rotates into the other slot. */
    nextRotationAt: string;
    /** The other slot's secret, still valid (and in state) until then: part of any leak response. */
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
    let dbtOauthRedirectDomain: pulumi.Output<string> | undefined;
    if (config.dbtCloudAccountId > 0) {
        const integration = new DbtCloudAzureDevOpsIntegration(
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
        // Known only once the record is written: a domain the app does not allow fails the run
        // then, naming the command that adds it.
        dbtOauthRedirectDomain = integration.oauthRedirectUriDomain.apply((domain) => {
            const problem = redirectDomainProblem(domain, app.dbtCloudHosts, config.dbtCloudAdditionalHosts.length);
            if (problem) {
                throw new pulumi.RunError(problem);
            }
            return domain;
        });
    }

    return {
        adoOrganization: config.adoOrganization,
        clientId: app.clientId,
        tenantId: app.tenantId,
        clientSecret: app.clientSecret,
        clientSecretExpiresAt: app.clientSecretExpiresAt,
        clientSecretSlot: app.clientSecretSlot,
        clientSecretKeyId: app.clientSecretKeyId,
        nextRotationAt: app.nextRotationAt,
        previousSecretExpiresAt: app.previousSecretExpiresAt,
        redirectUris: app.redirectUris,
        authMode: config.authMode,
        ...(dbtOauthRedirectDomain ? { dbtOauthRedirectDomain } : {}),
    };
}
