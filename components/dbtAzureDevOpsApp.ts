import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { AuthMode } from "../domain/authMode";
import { isDbtDomainHost } from "../domain/dbtCloudHost";
import { dbtRedirectUrisForHosts } from "../domain/redirectUris";
import { AZURE_DEVOPS_APP_ID, USER_IMPERSONATION, userImpersonationScopeId } from "../domain/wellKnownIds";
import { AppInstanceLock } from "../providers/entra/appInstanceLock";

/** Arguments of {@link DbtAzureDevOpsApp}: flat, each optional one with its default. */
export interface DbtAzureDevOpsAppArgs {
    /**
     * The dbt Cloud account's access host (Account settings > Access URLs), e.g.
     * `ab123.us1.dbt.com`. Required: no host serves every account (domain/dbtCloudHost.ts).
     */
    dbtCloudHost: string;
    /**
     * Further access hosts whose redirect URIs the app also allows (a move to a new access URL).
     * @default []
     */
    additionalDbtCloudHosts?: string[];
    /**
     * Object id of a hand-made app registration to adopt with Pulumi's `import` option (its
     * client id is kept); empty creates a new app.
     * @default ""
     */
    existingApplicationObjectId?: string;
    /**
     * Object id of that app's service principal, imported with it; empty creates one.
     * @default ""
     */
    existingServicePrincipalObjectId?: string;
    /**
     * How dbt Cloud authenticates to Azure DevOps; `service_user` adds its second redirect URI.
     * @default "service_principal"
     */
    authMode?: AuthMode;
    /**
     * Display name of the app registration.
     * @default "dbt Labs Azure DevOps App"
     */
    displayName?: string;
    /**
     * Object ids of the app's owners; empty means the identity running the first `pulumi up`.
     * @default []
     */
    owners?: string[];
    /**
     * Grant `user_impersonation` tenant-wide so developers are not each asked to consent.
     * @default true
     */
    adminConsent?: boolean;
    /**
     * Protect the app registration from `pulumi destroy` and accidental replacement.
     * @default true
     */
    protectApplication?: boolean;
}

/** The defaults the TSDoc above names; the stack config's own defaults are Pulumi.yaml's. */
export const DBT_AZURE_DEVOPS_APP_DEFAULTS = {
    additionalDbtCloudHosts: [] as string[],
    existingApplicationObjectId: "",
    existingServicePrincipalObjectId: "",
    authMode: "service_principal" as AuthMode,
    displayName: "dbt Labs Azure DevOps App",
    owners: [] as string[],
    adminConsent: true,
    protectApplication: true,
} satisfies Required<Omit<DbtAzureDevOpsAppArgs, "dbtCloudHost">>;

/**
 * The Entra ID side of dbt Cloud's Azure DevOps integration: a multitenant app registration with
 * dbt's redirect URIs and only the Azure DevOps `user_impersonation` permission, its instance
 * property lock, its service principal and optional tenant-wide consent. Its client secret is
 * {@link RotatingClientSecret}'s.
 */
export class DbtAzureDevOpsApp extends pulumi.ComponentResource {
    public readonly clientId: pulumi.Output<string>;
    public readonly applicationId: pulumi.Output<string>;
    /** The application's object id (what Graph addresses it by). */
    public readonly objectId: pulumi.Output<string>;
    public readonly servicePrincipalObjectId: pulumi.Output<string>;
    public readonly tenantId: pulumi.Output<string>;
    public readonly redirectUris: string[];
    /** Every access host the app allows, the primary first. */
    public readonly dbtCloudHosts: string[];

    constructor(name: string, args: DbtAzureDevOpsAppArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = withDefaults(args);
        const dbtCloudHosts = [settings.dbtCloudHost, ...settings.additionalDbtCloudHosts];
        // The hosts are the component's declared inputs, so the policy pack's redirect-URI rule
        // can accept exactly these and nothing else.
        // Hosts outside dbt's domains (dbtCloudCustomDomain): named, so the plan says they are custom.
        const customDomainHosts = dbtCloudHosts.filter((host) => !isDbtDomainHost(host));
        // The tenant's Azure DevOps service principal belongs to Microsoft: look it up, never
        // manage it. It publishes the scope id and is the resource side of the consent grant.
        // Registered with the hosts, so the policy pack can pin the grant's resource to it.
        const azureDevOps = azuread.getServicePrincipalOutput({ clientId: AZURE_DEVOPS_APP_ID });
        const azureDevOpsServicePrincipal = { clientId: azureDevOps.clientId, objectId: azureDevOps.objectId };
        super("dbt-azure-devops:entra:DbtAzureDevOpsApp", name, {
            dbtCloudHosts, ...(customDomainHosts.length > 0 ? { customDomainHosts } : {}), azureDevOpsServicePrincipal,
        }, opts);
        this.dbtCloudHosts = dbtCloudHosts;

        const deployer = azuread.getClientConfigOutput({ parent: this });
        // Without configured owners the identity running the first `pulumi up` owns the app, and
        // keeps owning it: a later run from a laptop or another pipeline must not swap owners.
        const ownersFromConfig = settings.owners.length > 0;
        const owners = ownersFromConfig ? settings.owners : [deployer.objectId];
        const ownerOptions = ownersFromConfig ? {} : { ignoreChanges: ["owners"] };

        const scopeId = azureDevOps.oauth2PermissionScopeIds.apply(userImpersonationScopeId);

        this.redirectUris = dbtRedirectUrisForHosts(dbtCloudHosts, settings.authMode);
        // Adoption of a hand-made app: Pulumi imports it (and its principal) in the first run and
        // updates it to the declared shape in the same run; the URNs are the ones a new app gets.
        const importApplication = settings.existingApplicationObjectId ? { import: `/applications/${settings.existingApplicationObjectId}` } : {};
        const importServicePrincipal = settings.existingApplicationObjectId && settings.existingServicePrincipalObjectId
            ? { import: `/servicePrincipals/${settings.existingServicePrincipalObjectId}` }
            : {};
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
            { parent: this, protect: settings.protectApplication, ...ownerOptions, ...importApplication },
        );

        const servicePrincipal = new azuread.ServicePrincipal(
            `${name}-sp`,
            { clientId: application.clientId, owners },
            { parent: this, ...ownerOptions, ...importServicePrincipal },
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

        // No tenant's copy of the app (its service principal there) can be given credentials of its own.
        new AppInstanceLock(`${name}-lock`, { applicationObjectId: application.objectId }, { parent: this });

        this.clientId = application.clientId;
        this.applicationId = application.id;
        this.objectId = application.objectId;
        this.servicePrincipalObjectId = servicePrincipal.objectId;
        this.tenantId = deployer.tenantId;
        this.registerOutputs({
            applicationId: this.applicationId,
            azureDevOpsServicePrincipal,
            clientId: this.clientId,
            dbtCloudHosts: this.dbtCloudHosts,
            redirectUris: this.redirectUris,
            servicePrincipalObjectId: this.servicePrincipalObjectId,
            tenantId: this.tenantId,
        });
    }
}

function withDefaults(args: DbtAzureDevOpsAppArgs): Required<DbtAzureDevOpsAppArgs> {
    const defaults = DBT_AZURE_DEVOPS_APP_DEFAULTS;
    return {
        dbtCloudHost: args.dbtCloudHost,
        additionalDbtCloudHosts: args.additionalDbtCloudHosts ?? defaults.additionalDbtCloudHosts,
        existingApplicationObjectId: args.existingApplicationObjectId ?? defaults.existingApplicationObjectId,
        existingServicePrincipalObjectId: args.existingServicePrincipalObjectId ?? defaults.existingServicePrincipalObjectId,
        authMode: args.authMode ?? defaults.authMode,
        displayName: args.displayName ?? defaults.displayName,
        owners: args.owners ?? defaults.owners,
        adminConsent: args.adminConsent ?? defaults.adminConsent,
        protectApplication: args.protectApplication ?? defaults.protectApplication,
    };
}
