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
import { backoffDelayMs } from "../../lib/http/backoff";
import { httpSettingsFromEnv } from "../../lib/http/settings";
import { AUTH_MODES, AuthMode } from "../../domain/authMode";
import { tokenUrlProblem } from "../../domain/baseUrlOverride";
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
    /**
     * Where the record lives: the API base the calls went to (after DBT_CLOUD_HOST_URL), canonical.
     * diff, update, delete and read compare against it, so a DBT_CLOUD_HOST_URL changed between runs
     * is seen instead of sending this record's id to another host. Absent in state written before.
     */
    effectiveApiBaseUrl?: string;
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

function outputsOf(inputs: AzureAdApplicationInputs, record: AzureAdApplicationRecord, adopted: boolean, host: string): AzureAdApplicationOutputs {
    return {
        ...inputs,
        accountId: accountIdText(inputs.accountId),
        applicationId: record.id,
        oauthRedirectUriDomain: record.oauth_redirect_uri_domain ?? "",
        adoptedExisting: adopted,
        effectiveApiBaseUrl: canonicalApiBase(host),
    };
}

function session(inputs: AzureAdApplicationInputs): DbtSession {
    return openDbtSession(inputs.apiBaseUrl, accountIdText(inputs.accountId), [inputs.clientSecret]);
}

/** Where a resource's record lives: the stored effective API base; for older state, as computed before. */
function recordHost(props: AzureAdApplicationOutputs): string {
    return props.effectiveApiBaseUrl ? canonicalApiBase(props.effectiveApiBaseUrl) : effectiveHost(props.apiBaseUrl);
}

/** A session at the host the record lives on, whatever DBT_CLOUD_HOST_URL says now. */
function sessionAtRecord(props: AzureAdApplicationOutputs): DbtSession {
    return { ...session(props), host: recordHost(props) };
}

/** The inputs part of state, for `read` to hand back so later diffs compare against the live record. */
function inputsOf(props: AzureAdApplicationOutputs): AzureAdApplicationInputs {
    const { accountId, apiBaseUrl, organizationName, clientId, clientSecret, tenantId, authMethod } = props;
    return { accountId, apiBaseUrl, organizationName, clientId, clientSecret, tenantId, authMethod };
}

/**
 * A value `check` may repeat in a failure: never one that holds the client secret or looks like one
 * (fields swapped in config put a secret where a name is expected, and check failures are printed),
 * and cut to 40 characters otherwise.
 */
function shown(value: unknown, secret: unknown): string {
    const text = String(value);
    if (typeof secret === "string" && secret.length >= 4 && text.includes(secret)) {
        return "(value not shown: it contains the client secret)";
    }
    if (/~/.test(text) && text.length >= 30) {
        return "(value not shown: it looks like a client secret)";
    }
    return `"${text.length > 40 ? `${text.slice(0, 40)}...` : text}"`;
}

function secretsOf(inputs: { clientSecret?: string } | undefined): string[] {
    return [process.env.DBT_CLOUD_TOKEN ?? "", inputs?.clientSecret ?? ""];
}

/**
 * Makes the account's record at the session's host carry these inputs: lists first and adopts
 * the record the account already has there, else creates one. A POST is never repeated blind:
 * after a duplicate rejection, or a POST whose outcome is unknown (no answer, 5xx, 429), the
 * list is read again first, and a record that attempt created is adopted rather than posted again.
 */
async function createOrAdopt(dbt: DbtSession, inputs: AzureAdApplicationInputs): Promise<{ record: AzureAdApplicationRecord; adopted: boolean }> {
    const existing = await findAccountApplication(dbt);
    if (existing) {
        providerLog(`dbt Cloud account ${dbt.accountId} already has Azure AD application record ${existing.id} at ${dbt.host}; adopting and updating it.`, dbt.secrets);
        const record = await updateApplication(dbt, existing.id, fieldsOf(inputs));
        return { record: { ...existing, ...record }, adopted: true };
    }
    const settings = httpSettingsFromEnv();
    for (let attempt = 0; ; attempt++) {
        const outcome = await createApplication(dbt, fieldsOf(inputs));
        if ("created" in outcome) {
            return { record: outcome.created, adopted: false };
        }
        // This or a previous attempt may have succeeded without us seeing the answer: look again.
        const raced = await findAccountApplication(dbt);
        if (raced) {
            providerLog(`dbt Cloud account ${dbt.accountId} lists Azure AD application record ${raced.id} at ${dbt.host} after a create without a clear answer; adopting it.`, dbt.secrets);
            const record = await updateApplication(dbt, raced.id, fieldsOf(inputs));
            return { record: { ...raced, ...record }, adopted: true };
        }
        if ("duplicate" in outcome) {
            break;
        }
        if (attempt >= settings.maxRetries) {
            throw outcome.uncertain;
        }
        const waitMs = backoffDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs);
        await new Promise<void>((resolve) => setTimeout(resolve, waitMs));
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
            failures.push({ property: "accountId", reason: `accountId must be the numeric dbt Cloud account id; got ${shown(news.accountId, news.clientSecret)}.` });
        }
        // The dbt Cloud token goes there: the same rule as for DBT_CLOUD_HOST_URL (domain/baseUrlOverride.ts).
        if (known(news.apiBaseUrl) && tokenUrlProblem(String(news.apiBaseUrl)) !== undefined) {
            failures.push({
                property: "apiBaseUrl", reason: "apiBaseUrl must be an https:// URL such as https://cloud.getdbt.com/api, without a user or password " +
                    `(plain http only for 127.0.0.1 and localhost), as the dbt Cloud token is sent there; got ${shown(news.apiBaseUrl, news.clientSecret)}.`,
            });
        }
        const organization = known(news.organizationName) ? organizationNameProblem(news.organizationName) : undefined;
        if (organization) {
            // organization.problem quotes the whole value: say it again with the value cut and never a secret.
            const value = shown(news.organizationName, news.clientSecret);
            const name = organization.nameInUrl !== undefined && !value.startsWith("(") ? shown(organization.nameInUrl, news.clientSecret) : undefined;
            failures.push({
                property: "organizationName", reason: name
                    ? `organizationName ${value} is a URL; the organization name alone is ${name}.`
                    : `organizationName ${value} is not an Azure DevOps organization name: use 1-50 letters, digits or hyphens, starting and ending ` +
                    "with a letter or digit, exactly as in https://dev.azure.com/<name>.",
            });
        }
        for (const key of ["clientId", "tenantId"] as const) {
            // Never echoed: swapped clientId and clientSecret would print the secret here.
            if (known(news[key]) && guidProblem(key, news[key]) !== undefined) {
                failures.push({ property: key, reason: `${key} must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47; the value given is not one ` +
                    "(not shown, as it may be a secret: check that clientId and clientSecret are not swapped)." });
            }
        }
        if (known(news.clientSecret) && (typeof news.clientSecret !== "string" || news.clientSecret === "")) {
            failures.push({ property: "clientSecret", reason: "clientSecret is required (the value is never shown)." });
        }
        if (known(news.authMethod) && !AUTH_MODES.includes(news.authMethod)) {
            failures.push({ property: "authMethod", reason: `authMethod must be one of ${AUTH_MODES.join(", ")}; got ${shown(news.authMethod, news.clientSecret)}.` });
        }
        return { inputs: news, failures };
    },

    /** See readApplication: drift for `pulumi refresh`, never the secret. */
    async read(id, props) {
        return readApplication(id, props);
    },

    /**
     * Compares inputs, secret included: dbt never returns the secret, so state is the only reference.
     * Only a different account replaces; a different API host is an in-place update (see the header).
     */
    async diff(_id, olds, news) {
        const replaces: string[] = [];
        if (accountIdText(olds.accountId) !== accountIdText(news.accountId)) replaces.push("accountId");
        // The input, or where the calls would now go (DBT_CLOUD_HOST_URL) against where the record lives.
        const hostChanged = canonicalApiBase(olds.apiBaseUrl) !== canonicalApiBase(news.apiBaseUrl) || recordHost(olds) !== effectiveHost(news.apiBaseUrl);
        const updated = hostChanged || (["organizationName", "clientId", "clientSecret", "tenantId", "authMethod"] as const).some((key) => olds[key] !== news[key]);
        return { changes: replaces.length > 0 || updated, replaces };
    },

    async create(inputs) {
        return withRedaction(() => secretsOf(inputs), async () => {
            const dbt = session(inputs);
            const { record, adopted } = await createOrAdopt(dbt, inputs);
            return { id: String(record.id), outs: outputsOf(inputs, record, adopted, dbt.host) };
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
            // Where the record lives (stored), not where DBT_CLOUD_HOST_URL points today.
            const oldHost = recordHost(olds);
            if (oldHost === effectiveHost(news.apiBaseUrl)) {
                const record = await updateApplication(dbt, recordId, fieldsOf(news));
                return { outs: outputsOf(news, { oauth_redirect_uri_domain: olds.oauthRedirectUriDomain, ...record }, olds.adoptedExisting, dbt.host) };
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
            return { outs: outputsOf(news, record, sameId ? olds.adoptedExisting : adopted, dbt.host) };
        });
    },

    /**
     * Deletes only a record still listed for this account at this host: one that is gone, or
     * that the account no longer lists here, is left alone rather than risk deleting a record
     * that is not this resource's.
     */
    async delete(id, props) {
        return withRedaction(() => secretsOf(props), async () => {
            // At the host the record lives on: DBT_CLOUD_HOST_URL may point elsewhere by now.
            const dbt = sessionAtRecord(props);
            const now = effectiveHost(props.apiBaseUrl);
            if (now !== dbt.host) {
                providerLog(`dbt Cloud calls now go to ${now}, but this resource's record lives at ${dbt.host}: deleting it there.`, dbt.secrets);
            }
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

/**
 * Reads the live record for `pulumi refresh` (the Node dynamic-provider host calls `read` on refresh
 * and, since 3.216, takes `inputs` as what later diffs compare against: pulumi/pulumi
 * sdk/nodejs/cmd/dynamic-provider/index.ts `read`, sdk/nodejs/dynamic/index.ts `ReadResult`).
 * At the host the record lives on. Not listed for the account there (dbt's delete is soft and the
 * list leaves deleted records out) means gone: `{ id: "" }`. Organization and authentication method
 * come from dbt; client id, tenant and secret are kept from state because dbt never returns them
 * (terraform-provider-dbtcloud azure_ad_application resource.go applyAPIResponse does the same),
 * so a secret changed in dbt's UI cannot be seen. Nothing read is logged; the engine re-marks
 * outputs that were secret.
 */
async function readApplication(id: string, props: AzureAdApplicationOutputs | undefined): Promise<pulumi.dynamic.ReadResult<AzureAdApplicationOutputs>> {
    if (!props) {
        return { id, props };
    }
    return withRedaction(() => secretsOf(props), async () => {
        const dbt = sessionAtRecord(props);
        const recordId = recordIdOf(id, props);
        const listed = (await listAccountApplications(dbt)).find((r) => r.id === recordId);
        if (!listed || (listed.account_id !== undefined && accountIdText(listed.account_id) !== dbt.accountId)) {
            providerLog(`dbt Cloud account ${dbt.accountId} no longer lists Azure AD application record ${recordId} at ${dbt.host}: it was deleted ` +
                "outside Pulumi. `pulumi up` creates it again (or adopts the record the account has by then).", dbt.secrets);
            return { id: "" };
        }
        const live: AzureAdApplicationOutputs = {
            ...props,
            organizationName: typeof listed.organization_name === "string" ? listed.organization_name : props.organizationName,
            authMethod: (typeof listed.azure_service_authentication_method === "string" ? listed.azure_service_authentication_method : props.authMethod) as AuthMode,
            applicationId: listed.id,
            oauthRedirectUriDomain: listed.oauth_redirect_uri_domain ?? props.oauthRedirectUriDomain ?? "",
            effectiveApiBaseUrl: dbt.host,
        };
        return { id, props: live, inputs: inputsOf(live) as AzureAdApplicationOutputs };
    });
}

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
    declare public readonly effectiveApiBaseUrl: pulumi.Output<string>;

    constructor(name: string, args: DbtCloudAzureAdApplicationArgs, opts?: pulumi.CustomResourceOptions) {
        super(azureAdApplicationProvider, name, {
            ...args, clientSecret: pulumi.secret(args.clientSecret),
            applicationId: undefined, oauthRedirectUriDomain: undefined, adoptedExisting: undefined, effectiveApiBaseUrl: undefined,
        }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["clientSecret"] }), "dbtcloud", "AzureAdApplication");
    }
}
