/**
 * Desired state "dbt Cloud account A's Azure DevOps integration uses this Entra app".
 * There is one record per account and dbt's delete is soft, so create adopts an existing
 * record instead of failing. The client secret is compared on every diff, so a rotated
 * secret updates dbt Cloud in the same `pulumi up`, and it is a secret output in state.
 *
 * Replacement hazard. Because create adopts, a replacement whose new and old resource resolve
 * to the same dbt record is destructive: Pulumi creates the new resource first (it adopts
 * record X), and at the end of the update deletes the old one, which soft-deletes X, the record
 * the new resource now holds, and dbt's soft delete then blocks creating it again. So:
 * - only `accountId` replaces (another account has another record), compared in canonical
 *   form so "123", " 123" and 123 are one account and cannot trigger a replace;
 * - `apiBaseUrl` updates in place: two hosts may serve the same account (cloud.getdbt.com and
 *   a cell host like ab123.us1.dbt.com), so the old host's record is never deleted by a host
 *   change (see `update`);
 * - `delete` first confirms that the record is still listed for its account at its host.
 * A replacement forced from outside (`pulumi up --replace`, the replaceOnChanges option) would
 * still adopt-then-delete the same record; the provider cannot tell that from a destroy. To make
 * this resource take over a record again, use `pulumi state delete` and `pulumi up` (create adopts).
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown, providerLog, withRedaction } from "../providerSafety";
import { AUTH_MODES, AuthMode } from "../../domain/authMode";
import { guidProblem } from "../../domain/guid";
import { organizationNameProblem } from "../../domain/organizationName";
import {
    AzureAdApplicationFields, AzureAdApplicationRecord, createApplication, dbtApiHost, DbtSession,
    deleteApplication, findAccountApplication, listAccountApplications, openDbtSession, updateApplication,
} from "./api/azureAdApplications";

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
    authMethod: pulumi.Input<AuthMode>;
}

export interface AzureAdApplicationInputs {
    accountId: string | number;
    apiBaseUrl: string;
    organizationName: string;
    clientId: string;
    clientSecret: string;
    tenantId: string;
    authMethod: AuthMode;
}

export interface AzureAdApplicationOutputs extends AzureAdApplicationInputs {
    applicationId: number;
    oauthRedirectUriDomain: string;
    /** True when a record already existed for the account and this resource took it over. */
    adoptedExisting: boolean;
}

/**
 * The account id in one canonical spelling: "123", " 123", "0123" and 123 are the same account,
 * so they must compare equal in diff (else a replace would adopt and then delete one record).
 */
function accountIdText(value: string | number): string {
    const text = String(value).trim();
    return /^\d+$/.test(text) ? text.replace(/^0+(?=\d)/, "") : text;
}

/** An API base in one spelling: scheme and host lower-cased, default port and trailing slashes dropped. */
function canonicalApiBase(value: string): string {
    const text = String(value).trim().replace(/\/+$/, "");
    try {
        const url = new URL(text);
        return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
    } catch {
        return text;
    }
}

/** Where the record actually lives: the API base after the DBT_CLOUD_HOST_URL override, canonical. */
function effectiveHost(apiBaseUrl: string): string {
    return canonicalApiBase(dbtApiHost(apiBaseUrl));
}

/**
 * The dbt record this resource manages. Normally the Pulumi id, but an update cannot change the
 * Pulumi id, so after a host change adopted or created another record its id lives only in the
 * applicationId output; state written before that change has both equal.
 */
function recordIdOf(id: string, props: { applicationId?: unknown } | undefined): number {
    const fromState = Number(props?.applicationId);
    return Number.isInteger(fromState) && fromState > 0 ? fromState : Number(id);
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

/**
 * Makes the account's record at the session's host carry these inputs: lists first and adopts
 * the record the account already has there, else creates one; a duplicate rejection (a retried
 * POST that had in fact succeeded) is settled by listing again.
 */
async function createOrAdopt(dbt: DbtSession, inputs: AzureAdApplicationInputs): Promise<{ record: AzureAdApplicationRecord; adopted: boolean }> {
    const existing = await findAccountApplication(dbt);
    if (existing) {
        providerLog(`dbt Cloud account ${dbt.accountId} already has Azure AD application record ${existing.id} at ${dbt.host}; adopting and updating it.`, dbt.secrets);
        const record = await updateApplication(dbt, existing.id, fieldsOf(inputs));
        return { record: { ...existing, ...record }, adopted: true };
    }
    const outcome = await createApplication(dbt, fieldsOf(inputs));
    if ("created" in outcome) {
        return { record: outcome.created, adopted: false };
    }
    // A previous attempt may have succeeded without us seeing the answer: look again.
    const raced = await findAccountApplication(dbt);
    if (raced) {
        const record = await updateApplication(dbt, raced.id, fieldsOf(inputs));
        return { record: { ...raced, ...record }, adopted: true };
    }
    throw new Error(`dbt Cloud account ${dbt.accountId} rejected a new Azure AD application as a duplicate, but lists none. ` +
        "A record deleted earlier is kept (soft delete) and blocks a new one. Ask dbt Support to remove the inactive Azure AD " +
        "application record of this account, then re-run `pulumi up`.");
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
        const organization = known(news.organizationName) ? organizationNameProblem(news.organizationName) : undefined;
        if (organization) {
            failures.push({ property: "organizationName", reason: `organizationName ${organization.problem}` });
        }
        for (const key of ["clientId", "tenantId"] as const) {
            const problem = known(news[key]) ? guidProblem(key, news[key]) : undefined;
            if (problem) {
                failures.push({ property: key, reason: problem });
            }
        }
        if (known(news.clientSecret) && (typeof news.clientSecret !== "string" || news.clientSecret === "")) {
            failures.push({ property: "clientSecret", reason: "clientSecret is required (the value is never shown)." });
        }
        if (known(news.authMethod) && !AUTH_MODES.includes(news.authMethod)) {
            failures.push({ property: "authMethod", reason: `authMethod must be one of ${AUTH_MODES.join(", ")}; got "${String(news.authMethod)}".` });
        }
        return { inputs: news, failures };
    },

    /**
     * Compares inputs, secret included: dbt never returns the secret, so state is the only reference.
     * Only a different account replaces; a different API host is an in-place update (see the header).
     */
    async diff(_id, olds, news) {
        const replaces: string[] = [];
        if (accountIdText(olds.accountId) !== accountIdText(news.accountId)) replaces.push("accountId");
        const hostChanged = canonicalApiBase(olds.apiBaseUrl) !== canonicalApiBase(news.apiBaseUrl);
        const updated = hostChanged || (["organizationName", "clientId", "clientSecret", "tenantId", "authMethod"] as const).some((key) => olds[key] !== news[key]);
        return { changes: replaces.length > 0 || updated, replaces };
    },

    async create(inputs) {
        return withRedaction(() => secretsOf(inputs), async () => {
            const dbt = session(inputs);
            const { record, adopted } = await createOrAdopt(dbt, inputs);
            return { id: String(record.id), outs: outputsOf(inputs, record, adopted) };
        });
    },

    /**
     * Same host: POST every field to the record. Host changed (compared after the
     * DBT_CLOUD_HOST_URL override, as the calls are made): the record is looked up at the new
     * host and adopted, or created there if the account has none; the old host's record is left alone. It may be the very same record (two hosts of one
     * deployment), and if it is not, it may belong to another regional account with the same
     * number, so deleting it is not this program's call: the log says how to remove it by hand.
     */
    async update(id, olds, news) {
        return withRedaction(() => [...secretsOf(news), ...secretsOf(olds)], async () => {
            const dbt = session(news);
            const recordId = recordIdOf(id, olds);
            const oldHost = effectiveHost(olds.apiBaseUrl);
            if (oldHost === effectiveHost(news.apiBaseUrl)) {
                const record = await updateApplication(dbt, recordId, fieldsOf(news));
                return { outs: outputsOf(news, { oauth_redirect_uri_domain: olds.oauthRedirectUriDomain, ...record }, olds.adoptedExisting) };
            }
            const { record, adopted } = await createOrAdopt(dbt, news);
            // Listed at the new host under the same id: most likely one record seen through two hosts.
            // A record created just now cannot be the old one, whatever its id.
            const sameId = adopted && record.id === recordId;
            providerLog(`dbt Cloud API host changed from ${oldHost} to ${dbt.host}: account ${dbt.accountId} now uses Azure AD application record ${record.id} ` +
                `there (${sameId ? "same id as before" : adopted ? "adopted" : "created"}). Record ${recordId} at ${oldHost} was not touched` +
                (sameId ? " and is most likely this same record seen through another host of the same dbt Cloud deployment. " : " and may remain there. ") +
                `If ${oldHost} is a separate deployment and its account ${dbt.accountId} should no longer use this integration, remove the record by hand: ` +
                `DELETE ${oldHost}/v3/accounts/${dbt.accountId}/azure-ad-applications/${recordId}/ with a dbt Cloud token of that account ` +
                "(dbt keeps deleted records as inactive).", dbt.secrets);
            // Same record seen through another host: keep how it was first obtained.
            return { outs: outputsOf(news, record, sameId ? olds.adoptedExisting : adopted) };
        });
    },

    /**
     * Deletes only a record still listed for this account at this host: one that is gone, or
     * that the account no longer lists here, is left alone rather than risk deleting a record
     * that is not this resource's.
     */
    async delete(id, props) {
        return withRedaction(() => secretsOf(props), async () => {
            const dbt = session(props);
            const recordId = recordIdOf(id, props);
            const listed = (await listAccountApplications(dbt)).find((r) => r.id === recordId);
            if (!listed || (listed.account_id !== undefined && accountIdText(listed.account_id) !== dbt.accountId)) {
                providerLog(`dbt Cloud account ${dbt.accountId} has no Azure AD application record ${recordId} at ${dbt.host} (already deleted, or not this ` +
                    "account's); nothing was deleted.", dbt.secrets);
                return;
            }
            await deleteApplication(dbt, recordId);
            providerLog(`Deleted dbt Cloud Azure AD application record ${recordId} of account ${dbt.accountId}. dbt Cloud keeps it as inactive; ` +
                "creating a new one for this account may need dbt Support to remove it first.", dbt.secrets);
        });
    },
};

/** Configures dbt Cloud's Azure DevOps integration (Account settings > Integrations > Azure DevOps). */
export class DbtCloudAzureAdApplication extends pulumi.dynamic.Resource {
    declare public readonly accountId: pulumi.Output<string>;
    declare public readonly apiBaseUrl: pulumi.Output<string>;
    declare public readonly organizationName: pulumi.Output<string>;
    declare public readonly clientId: pulumi.Output<string>;
    declare public readonly clientSecret: pulumi.Output<string>;
    declare public readonly tenantId: pulumi.Output<string>;
    declare public readonly authMethod: pulumi.Output<AuthMode>;
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
