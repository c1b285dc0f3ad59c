import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { AZURE_DEVOPS_APP_ID, USER_IMPERSONATION, userImpersonationScopeId } from "../domain/wellKnownIds";
import { DbtAzureDevOpsAppArgs, resolveAppArgs } from "./dbtAzureDevOpsAppArgs";
import { dbtRedirectUris } from "../domain/redirectUris";
import { RotatingClientSecret } from "./rotatingClientSecret";

/**
 * The Entra ID side of dbt Cloud's Azure DevOps integration: a multitenant app registration with
 * dbt's redirect URIs and only the Azure DevOps `user_impersonation` permission, its service
 * principal, optional tenant-wide consent, and a rotating client secret.
 */
export class DbtAzureDevOpsApp extends pulumi.ComponentResource {
    public readonly clientId: pulumi.Output<string>;
    public readonly applicationId: pulumi.Output<string>;
    public readonly servicePrincipalObjectId: pulumi.Output<string>;
    public readonly tenantId: pulumi.Output<string>;
    public readonly redirectUris: string[];
    public readonly clientSecret: pulumi.Output<string>;
    public readonly clientSecretExpiresAt: pulumi.Output<string>;

    constructor(name: string, args: DbtAzureDevOpsAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dbt-azure-devops:entra:DbtAzureDevOpsApp", name, {}, opts);
        const settings = resolveAppArgs(args);

        const deployer = azuread.getClientConfigOutput({ parent: this });
        // Without configured owners the identity running the first `pulumi up` owns the app, and
        // keeps owning it: a later run from a laptop or another pipeline must not swap owners.
        const ownersFromConfig = settings.owners.length > 0;
        const owners = ownersFromConfig ? settings.owners : [deployer.objectId];
        const ownerOptions = ownersFromConfig ? {} : { ignoreChanges: ["owners"] };

        // The tenant's Azure DevOps service principal belongs to Microsoft: look it up, never
        // manage it. It publishes the scope id and is the resource side of the consent grant.
        const azureDevOps = azuread.getServicePrincipalOutput({ clientId: AZURE_DEVOPS_APP_ID }, { parent: this });
        const scopeId = azureDevOps.oauth2PermissionScopeIds.apply(userImpersonationScopeId);

        this.redirectUris = dbtRedirectUris(settings.dbtCloudHost, settings.authMode);
        // One authoritative Application (not the split resources): a permission or URI added in
        // the portal shows up as drift instead of being silently kept.
        const application = new azuread.Application(
            `${name}-app`,
            {
                displayName: settings.displayName,
                signInAudience: "AzureADMultipleOrgs",
                owners,
                web: { redirectUris: this.redirectUris },
                requiredResourceAccesses: [
                    { resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: scopeId, type: "Scope" }] },
                ],
            },
            { parent: this, protect: settings.protectApplication, ...ownerOptions },
        );

        const servicePrincipal = new azuread.ServicePrincipal(
            `${name}-sp`,
            { clientId: application.clientId, owners },
            { parent: this, ...ownerOptions },
        );

        if (settings.adminConsent) {
            new azuread.ServicePrincipalDelegatedPermissionGrant(
                `${name}-consent`,
                {
                    servicePrincipalObjectId: servicePrincipal.objectId,
                    resourceServicePrincipalObjectId: azureDevOps.objectId,
                    claimValues: [USER_IMPERSONATION],
                },
                { parent: this },
            );
        }

        const secret = new RotatingClientSecret(
            `${name}-secret`,
            {
                applicationId: application.id,
                rotationDays: settings.secretRotationDays,
                overlapDays: settings.secretOverlapDays,
                at: settings.at,
            },
            { parent: this },
        );

        this.clientId = application.clientId;
        this.applicationId = application.id;
        this.servicePrincipalObjectId = servicePrincipal.objectId;
        this.tenantId = deployer.tenantId;
        this.clientSecret = secret.value;
        this.clientSecretExpiresAt = secret.expiresAt;
        this.registerOutputs({
            applicationId: this.applicationId,
            clientId: this.clientId,
            clientSecret: this.clientSecret,
            clientSecretExpiresAt: this.clientSecretExpiresAt,
            redirectUris: this.redirectUris,
            servicePrincipalObjectId: this.servicePrincipalObjectId,
            tenantId: this.tenantId,
        });
    }
}
