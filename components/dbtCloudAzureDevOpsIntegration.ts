import * as pulumi from "@pulumi/pulumi";
import { AuthMode } from "../domain/authMode";
import { dbtCloudApiBaseUrl } from "../domain/dbtCloudHost";
import { DbtCloudAzureAdApplication } from "../providers/dbtcloud/azureAdApplication";

/** Arguments of {@link DbtCloudAzureDevOpsIntegration}: flat, each optional one with its default. */
export interface DbtCloudAzureDevOpsIntegrationArgs {
    /** dbt Cloud account id. */
    accountId: number;
    /**
     * dbt Cloud access host; its API is `https://<host>/api` (`DBT_CLOUD_HOST_URL` overrides it at run time).
     * @default "cloud.getdbt.com"
     */
    dbtCloudHost?: string;
    /** Azure DevOps organization name, exactly, without dev.azure.com/. */
    organization: string;
    /** Application (client) id of the Entra app. */
    clientId: pulumi.Input<string>;
    /** Client secret of the Entra app; kept secret whatever is passed. */
    clientSecret: pulumi.Input<string>;
    /** Directory (tenant) id. */
    tenantId: pulumi.Input<string>;
    /**
     * How dbt Cloud authenticates to Azure DevOps.
     * @default "service_principal"
     */
    authMode?: AuthMode;
}

/** The defaults the TSDoc above names; the stack config's own defaults are Pulumi.yaml's. */
export const DBT_CLOUD_AZURE_DEVOPS_INTEGRATION_DEFAULTS = {
    dbtCloudHost: "cloud.getdbt.com",
    authMode: "service_principal" as AuthMode,
} satisfies Partial<Required<DbtCloudAzureDevOpsIntegrationArgs>>;

/**
 * The dbt Cloud side: account settings › Integrations › Azure DevOps, filled in through dbt
 * Cloud's API with the five values of the Entra app. Its one child, dbt Cloud's Azure AD
 * application record, waits for whatever this component depends on (`dependsOn`), so it can be
 * made to follow the Azure DevOps access it relies on.
 */
export class DbtCloudAzureDevOpsIntegration extends pulumi.ComponentResource {
    /** dbt Cloud's id of the record. */
    public readonly applicationId: pulumi.Output<number>;
    /** The host dbt Cloud redirects the Azure DevOps sign-in to (`oauth_redirect_uri_domain`). */
    public readonly oauthRedirectUriDomain: pulumi.Output<string>;

    constructor(name: string, args: DbtCloudAzureDevOpsIntegrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dbt-azure-devops:dbtcloud:AzureDevOpsIntegration", name, {}, opts);

        // The record keeps the component's name: it is the component's only resource, and the
        // name it had before the component existed. Stacks from then hold it without a parent;
        // the alias carries it over instead of replacing it (a replacement would adopt the
        // account's record, then delete it).
        const record = new DbtCloudAzureAdApplication(
            name,
            {
                accountId: args.accountId,
                apiBaseUrl: dbtCloudApiBaseUrl(args.dbtCloudHost ?? DBT_CLOUD_AZURE_DEVOPS_INTEGRATION_DEFAULTS.dbtCloudHost),
                organizationName: args.organization,
                clientId: args.clientId,
                clientSecret: args.clientSecret,
                tenantId: args.tenantId,
                authMethod: args.authMode ?? DBT_CLOUD_AZURE_DEVOPS_INTEGRATION_DEFAULTS.authMode,
            },
            { parent: this, dependsOn: opts?.dependsOn, aliases: [{ parent: pulumi.rootStackResource }] },
        );

        this.applicationId = record.applicationId;
        this.oauthRedirectUriDomain = record.oauthRedirectUriDomain;
        this.registerOutputs({ applicationId: this.applicationId, oauthRedirectUriDomain: this.oauthRedirectUriDomain });
    }
}
