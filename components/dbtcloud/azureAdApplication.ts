/**
 * Desired state "dbt Cloud account A's Azure DevOps integration uses this Entra app".
 * There is one record per account and dbt's delete is soft, so create adopts an existing
 * record instead of failing. The client secret is compared on every diff, so a rotated
 * secret updates dbt Cloud in the same `pulumi up`, and it is a secret output in state.
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown, providerLog, withRedaction } from "../http/providerSafety";
import {
    AzureAdApplicationFields, AzureAdApplicationRecord, AzureServiceAuthenticationMethod, createApplication, DbtSession,
    deleteApplication, findAccountApplication, openDbtSession, updateApplication,
} from "./azureAdApplicationApi";

export type { AzureServiceAuthenticationMethod };

export interface DbtCloudAzureAdApplicationArgs {
    /** dbt Cloud account id. */
    accountId: pulumi.Input<string | number>;
    /** API base, e.g. https://cloud.getdbt.com/api; DBT_CLOUD_HOST_URL overrides it at run time. */
    apiBaseUrl: pulumi.Input<string>;
    /** Azure DevOps organization name, exactly, without dev.azure.com/. */
    organizationName: pulumi.Input<string>;
    /** Application (client) id of the Entra app. */
    clientId: pulumi.Input<string>;
    /** Client secret of the Entra app; pass a secret Output. */
    clientSecret: pulumi.Input<string>;
    /** Directory (tenant) id. */
    tenantId: pulumi.Input<string>;
    /** "service_principal" (recommended) or "service_user" (deprecated). */
    authMethod: pulumi.Input<AzureServiceAuthenticationMethod>;
}

export interface AzureAdApplicationInputs {
    accountId: string | number;
    apiBaseUrl: string;
    organizationName: string;
    clientId: string;
    clientSecret: string;
    tenantId: string;
    authMethod: AzureServiceAuthenticationMethod;
}

export interface AzureAdApplicationOutputs extends AzureAdApplicationInputs {
    applicationId: number;
    oauthRedirectUriDomain: string;
    /** True when a record already existed for the account and this resource took it over. */
    adoptedExisting: boolean;
}

const AUTH_METHODS: readonly AzureServiceAuthenticationMethod[] = ["service_principal", "service_user"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function accountIdText(value: string | number): string {
    return String(value).trim();
}

function fieldsOf(inputs: AzureAdApplicationInputs): AzureAdApplicationFields {
    return {
        organization_name: inputs.organizationName,
        client_id: inputs.clientId,
        client_secret: inputs.clientSecret,
        tenant_id: inputs.tenantId,
        azure_service_authentication_method: inputs.authMethod,
    };
}

function outputsOf(inputs: AzureAdApplicationInputs, record: AzureAdApplicationRecord, adopted: boolean): AzureAdApplicationOutputs {
    return {
        ...inputs,
        accountId: accountIdText(inputs.accountId),
        applicationId: record.id,
        oauthRedirectUriDomain: record.oauth_redirect_uri_domain ?? "",
        adoptedExisting: adopted,
    };
}

function session(inputs: AzureAdApplicationInputs): DbtSession {
    return openDbtSession(inputs.apiBaseUrl, accountIdText(inputs.accountId), [inputs.clientSecret]);
}

function secretsOf(inputs: { clientSecret?: string } | undefined): string[] {
    return [process.env.DBT_CLOUD_TOKEN ?? "", inputs?.clientSecret ?? ""];
}

export const azureAdApplicationProvider: pulumi.dynamic.ResourceProvider<AzureAdApplicationInputs, AzureAdApplicationOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        const known = (v: unknown) => !isUnknown(v);
        if (known(news.accountId) && !/^\d+$/.test(accountIdText(news.accountId))) {
            failures.push({ property: "accountId", reason: `accountId must be the numeric dbt Cloud account id; got "${String(news.accountId)}".` });
        }
        if (known(news.apiBaseUrl) && !/^https?:\/\/[^/]+/.test(String(news.apiBaseUrl))) {
            failures.push({ property: "apiBaseUrl", reason: `apiBaseUrl must be an http(s) URL such as https://cloud.getdbt.com/api; got "${String(news.apiBaseUrl)}".` });
        }
        if (known(news.organizationName) && (!news.organizationName || /dev\.azure\.com|visualstudio\.com|[/:\s]/i.test(news.organizationName))) {
            failures.push({ property: "organizationName", reason: `organizationName must be the exact Azure DevOps organization name without "dev.azure.com/"; got "${String(news.organizationName)}".` });
        }
        for (const key of ["clientId", "tenantId"] as const) {
            if (known(news[key]) && !GUID.test(String(news[key]))) {
                failures.push({ property: key, reason: `${key} must be a GUID; got "${String(news[key])}".` });
            }
        }
        if (known(news.clientSecret) && (typeof news.clientSecret !== "string" || news.clientSecret === "")) {
            failures.push({ property: "clientSecret", reason: "clientSecret is required (the value is never shown)." });
        }
        if (known(news.authMethod) && !AUTH_METHODS.includes(news.authMethod)) {
            failures.push({ property: "authMethod", reason: `authMethod must be one of ${AUTH_METHODS.join(", ")}; got "${String(news.authMethod)}".` });
        }
        return { inputs: news, failures };
    },

    /** Compares inputs, secret included: dbt never returns the secret, so state is the only reference. */
    async diff(_id, olds, news) {
        const replaces: string[] = [];
        if (accountIdText(olds.accountId) !== accountIdText(news.accountId)) replaces.push("accountId");
        if (olds.apiBaseUrl.replace(/\/+$/, "") !== news.apiBaseUrl.replace(/\/+$/, "")) replaces.push("apiBaseUrl");
        const updated = (["organizationName", "clientId", "clientSecret", "tenantId", "authMethod"] as const).some((key) => olds[key] !== news[key]);
        return { changes: replaces.length > 0 || updated, replaces };
    },

    async create(inputs) {
        return withRedaction(() => secretsOf(inputs), async () => {
            const dbt = session(inputs);
            const existing = await findAccountApplication(dbt);
            if (existing) {
                providerLog(`dbt Cloud account ${dbt.accountId} already has Azure AD application record ${existing.id}; adopting and updating it.`, dbt.secrets);
                const record = await updateApplication(dbt, existing.id, fieldsOf(inputs));
                return { id: String(record.id), outs: outputsOf(inputs, { ...existing, ...record }, true) };
            }
            const outcome = await createApplication(dbt, fieldsOf(inputs));
            if ("created" in outcome) {
                return { id: String(outcome.created.id), outs: outputsOf(inputs, outcome.created, false) };
            }
            // A previous attempt may have succeeded without us seeing the answer: look again.
            const raced = await findAccountApplication(dbt);
            if (raced) {
                const record = await updateApplication(dbt, raced.id, fieldsOf(inputs));
                return { id: String(record.id), outs: outputsOf(inputs, { ...raced, ...record }, true) };
            }
            throw new Error(`dbt Cloud account ${dbt.accountId} rejected a new Azure AD application as a duplicate, but lists none. ` +
                "A record deleted earlier is kept (soft delete) and blocks a new one. Ask dbt Support to remove the inactive Azure AD " +
                "application record of this account, then re-run `pulumi up`.");
        });
    },

    async update(id, olds, news) {
        return withRedaction(() => [...secretsOf(news), ...secretsOf(olds)], async () => {
            const dbt = session(news);
            const record = await updateApplication(dbt, Number(id), fieldsOf(news));
            return { outs: { ...outputsOf(news, { ...{ id: Number(id), oauth_redirect_uri_domain: olds.oauthRedirectUriDomain }, ...record }, olds.adoptedExisting) } };
        });
    },

    async delete(id, props) {
        return withRedaction(() => secretsOf(props), async () => {
            const dbt = session(props);
            await deleteApplication(dbt, Number(id));
            providerLog(`Deleted dbt Cloud Azure AD application record ${id} of account ${dbt.accountId}. dbt Cloud keeps it as inactive; ` +
                "creating a new one for this account may need dbt Support to remove it first.", dbt.secrets);
        });
    },
};

/** Configures dbt Cloud's Azure DevOps integration (Account settings > Integrations > Azure DevOps). */
export class DbtCloudAzureAdApplication extends pulumi.dynamic.Resource {
    // `declare`: with ES2022 class fields a plain declaration would reset what the base constructor set.
    declare public readonly accountId: pulumi.Output<string>;
    declare public readonly apiBaseUrl: pulumi.Output<string>;
    declare public readonly organizationName: pulumi.Output<string>;
    declare public readonly clientId: pulumi.Output<string>;
    declare public readonly clientSecret: pulumi.Output<string>;
    declare public readonly tenantId: pulumi.Output<string>;
    declare public readonly authMethod: pulumi.Output<AzureServiceAuthenticationMethod>;
    declare public readonly applicationId: pulumi.Output<number>;
    declare public readonly oauthRedirectUriDomain: pulumi.Output<string>;
    declare public readonly adoptedExisting: pulumi.Output<boolean>;

    constructor(name: string, args: DbtCloudAzureAdApplicationArgs, opts?: pulumi.CustomResourceOptions) {
        super(azureAdApplicationProvider, name, {
            ...args, clientSecret: pulumi.secret(args.clientSecret),
            applicationId: undefined, oauthRedirectUriDomain: undefined, adoptedExisting: undefined,
        }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["clientSecret"] }), "dbtcloud", "AzureAdApplication");
    }
}
