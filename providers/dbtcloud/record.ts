/**
 * dbt Cloud's Azure AD application record (Account settings > Integrations > Azure DevOps), as the
 * secret handover writes it: one record per account, written with every field on every write
 * (dbt's API needs client id, secret and tenant each time and never returns the secret), created
 * or adopted, deleted softly. The REST calls are in ./api.
 *
 * Adoption, not duplication: dbt keeps one record per account and its delete is soft, so a create
 * first lists and adopts the account's record; a POST is never repeated blind (after a duplicate
 * rejection, or a POST whose outcome is unknown, the list is read again and a record that attempt
 * created is adopted).
 *
 * Hosts: two hosts may serve one account (cloud.getdbt.com and a cell host like ab123.us1.dbt.com),
 * so a host change looks the record up at the new host and adopts or creates it there, and leaves
 * the old host's record alone (it may be this same record; if not, it may belong to another
 * regional account with the same number). Where a record lives is kept as `effectiveApiBaseUrl`
 * (after the DBT_CLOUD_HOST_URL test override), and every later call goes there, after the same
 * rule as any address a token is sent to (domain/baseUrlOverride.ts tokenUrlProblem).
 */
import { AuthMode } from "../../domain/authMode";
import { tokenUrlProblem } from "../../domain/baseUrlOverride";
import { backoffDelayMs } from "../../lib/http/backoff";
import { httpSettingsFromEnv } from "../../lib/http/settings";
import { providerLog } from "../providerSafety";
import {
    AzureAdApplicationFields, AzureAdApplicationRecord, createApplication, dbtApiHost, DbtSession,
    deleteApplication, findAccountApplication, listAccountApplications, openDbtSession, updateApplication,
} from "./api/azureAdApplications";

/** What the stack declares of dbt's record. */
export interface DbtRecordTarget {
    accountId: string | number;
    /** e.g. https://ab123.us1.dbt.com/api. */
    apiBaseUrl: string;
    organizationName: string;
    authMethod: AuthMode;
}

/** What state keeps of the record: never the secret. */
export interface DbtRecordState {
    applicationId: number;
    /** Where the record lives: the API base the calls went to, canonical. */
    effectiveApiBaseUrl: string;
    /** True when the account already had a record and the stack took it over. */
    adoptedExisting: boolean;
    /** What dbt redirects the Azure DevOps sign-in to, as dbt last reported it. */
    oauthRedirectUriDomain: string;
    /**
     * dbt's `updated_at` after this resource's last write. A later one when the record is deleted
     * means another writer took it over since (a replacement of the rotation writes the account's
     * one record first, then the old resource is deleted): the record is then left alone. Absent in
     * states written before it was kept, and when dbt does not report it.
     */
    updatedAt?: string;
}

/** The three values dbt needs besides the target's on every write. */
export interface DbtAppCredentials {
    clientId: string;
    clientSecret: string;
    tenantId: string;
}

/**
 * The account id in one canonical spelling: "123", " 123", "0123" and 123 are the same account,
 * so they compare equal (a difference would replace the record, adopting and then deleting it).
 */
export function accountIdText(value: string | number): string {
    const text = String(value).trim();
    return /^\d+$/.test(text) ? text.replace(/^0+(?=\d)/, "") : text;
}

/** An API base in one spelling: scheme and host lower-cased, default port and trailing slashes dropped. */
export function canonicalApiBase(value: string): string {
    const text = String(value).trim().replace(/\/+$/, "");
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(text);
    if (!match) {
        return text;
    }
    const [, scheme, authority, rest] = match;
    const lowerScheme = scheme.toLowerCase();
    const host = authority.toLowerCase().replace(lowerScheme === "https" ? /:443$/ : /:80$/, "");
    return `${lowerScheme}://${host}${rest.replace(/\/+$/, "")}`;
}

/** Where the calls for `apiBaseUrl` go now: after the DBT_CLOUD_HOST_URL test override, canonical. */
export function effectiveHost(apiBaseUrl: string): string {
    return canonicalApiBase(dbtApiHost(apiBaseUrl));
}

function fieldsOf(target: DbtRecordTarget, credentials: DbtAppCredentials): AzureAdApplicationFields {
    return {
        organization_name: target.organizationName,
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        tenant_id: credentials.tenantId,
        azure_service_authentication_method: target.authMethod,
    };
}

function stateOf(record: AzureAdApplicationRecord, adopted: boolean, host: string, fallbackDomain = ""): DbtRecordState {
    return {
        applicationId: record.id,
        effectiveApiBaseUrl: canonicalApiBase(host),
        adoptedExisting: adopted,
        oauthRedirectUriDomain: record.oauth_redirect_uri_domain ?? fallbackDomain,
        ...(record.updated_at ? { updatedAt: record.updated_at } : {}),
    };
}

/** A session for `target` at the host calls go to now. */
export function dbtSession(target: Pick<DbtRecordTarget, "accountId" | "apiBaseUrl">, extraSecrets: string[] = []): DbtSession {
    return openDbtSession(target.apiBaseUrl, accountIdText(target.accountId), extraSecrets);
}

/**
 * A session at the host a record lives on (stored in state), refusing a stored address that the
 * token may not be sent to: state can be edited (`pulumi stack import`), and the token follows it.
 */
export function sessionAtRecord(accountId: string | number, state: Pick<DbtRecordState, "effectiveApiBaseUrl">, extraSecrets: string[] = []): DbtSession {
    const host = canonicalApiBase(state.effectiveApiBaseUrl);
    if (tokenUrlProblem(host) !== undefined) {
        // Never repeat a user or password the edited address carries.
        const shown = host.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1").slice(0, 80);
        throw notWritten(new Error(`Pulumi state says dbt Cloud's record lives at ${JSON.stringify(shown)}, which DBT_CLOUD_TOKEN may not be sent to ` +
            "(https only; plain http only for 127.0.0.1 and localhost). Nothing was sent. If the state was edited, restore it from a backup " +
            "(`pulumi stack history`, `pulumi stack import`)."));
    }
    return { ...dbtSession({ accountId, apiBaseUrl: host }, extraSecrets), host };
}

/**
 * Makes the account's record at the session's host carry these fields: adopts the record the
 * account already has there, else creates one.
 */
async function createOrAdopt(dbt: DbtSession, fields: AzureAdApplicationFields): Promise<{ record: AzureAdApplicationRecord; adopted: boolean }> {
    const existing = await findAccountApplication(dbt);
    if (existing) {
        providerLog(`dbt Cloud account ${dbt.accountId} already has Azure AD application record ${existing.id} at ${dbt.host}; adopting and updating it.`, dbt.secrets);
        const record = await updateApplication(dbt, existing.id, fields);
        return { record: { ...existing, ...record }, adopted: true };
    }
    const settings = httpSettingsFromEnv();
    for (let attempt = 0; ; attempt++) {
        const outcome = await createApplication(dbt, fields);
        if ("created" in outcome) {
            return { record: outcome.created, adopted: false };
        }
        // This or a previous attempt may have succeeded without us seeing the answer: look again.
        const raced = await findAccountApplication(dbt);
        if (raced) {
            providerLog(`dbt Cloud account ${dbt.accountId} lists Azure AD application record ${raced.id} at ${dbt.host} after a create without a clear answer; adopting it.`, dbt.secrets);
            const record = await updateApplication(dbt, raced.id, fields);
            return { record: { ...raced, ...record }, adopted: true };
        }
        if ("duplicate" in outcome) {
            break;
        }
        if (attempt >= settings.maxRetries) {
            throw outcome.uncertain;
        }
        await new Promise<void>((resolve) => setTimeout(resolve, backoffDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs)));
    }
    throw notWritten(new Error(`dbt Cloud account ${dbt.accountId} rejected a new Azure AD application as a duplicate, but lists none. ` +
        "A record deleted earlier is kept (soft delete) and blocks a new one. Ask dbt Support to remove the inactive Azure AD " +
        "application record of this account, then re-run `pulumi up`."));
}

/** Marks a failure after which dbt Cloud certainly holds nothing it was sent (a refusal whatever its status, or nothing sent). */
function notWritten(error: Error): Error {
    return Object.assign(error, { dbtRecordNotWritten: true });
}

/** Whether `error` is a failure after which dbt Cloud certainly did not take what it was sent. */
export function isCertainlyNotWritten(error: unknown): boolean {
    return (error as { dbtRecordNotWritten?: unknown })?.dbtRecordNotWritten === true;
}

/**
 * Writes every field into the account's record. With `existing` at the host calls now go to: a
 * POST to that record. Otherwise (first write, or the host changed): adopt or create at the new
 * host, and say what was left at the old one.
 */
export async function writeRecord(target: DbtRecordTarget, credentials: DbtAppCredentials, existing: DbtRecordState | undefined): Promise<DbtRecordState> {
    const dbt = dbtSession(target, [credentials.clientSecret]);
    const fields = fieldsOf(target, credentials);
    if (existing && canonicalApiBase(existing.effectiveApiBaseUrl) === canonicalApiBase(dbt.host)) {
        const record = await updateApplication(dbt, existing.applicationId, fields);
        return stateOf({ ...record, id: existing.applicationId }, existing.adoptedExisting, dbt.host, existing.oauthRedirectUriDomain);
    }
    const { record, adopted } = await createOrAdopt(dbt, fields);
    if (existing) {
        const oldHost = canonicalApiBase(existing.effectiveApiBaseUrl);
        // Listed at the new host under the same id: most likely one record seen through two hosts.
        const sameId = adopted && record.id === existing.applicationId;
        providerLog(`dbt Cloud API host changed from ${oldHost} to ${dbt.host}: account ${dbt.accountId} now uses Azure AD application record ${record.id} ` +
            `there (${sameId ? "same id as before" : adopted ? "adopted" : "created"}). Record ${existing.applicationId} at ${oldHost} was not touched` +
            (sameId ? " and is most likely this same record seen through another host of the same dbt Cloud deployment. " : " and may remain there. ") +
            `If ${oldHost} is a separate deployment and its account ${dbt.accountId} should no longer use this integration, remove the record by hand: ` +
            `DELETE ${oldHost}/v3/accounts/${dbt.accountId}/azure-ad-applications/${existing.applicationId}/ with a dbt Cloud token of that account ` +
            "(dbt keeps deleted records as inactive).", dbt.secrets);
        return stateOf(record, sameId ? existing.adoptedExisting : adopted, dbt.host);
    }
    return stateOf(record, adopted, dbt.host);
}

/** The record as the account lists it where it lives; undefined when it is no longer listed (deleted, soft). */
export async function readRecord(accountId: string | number, state: DbtRecordState): Promise<AzureAdApplicationRecord | undefined> {
    const dbt = sessionAtRecord(accountId, state);
    const listed = (await listAccountApplications(dbt)).find((r) => r.id === state.applicationId);
    if (!listed || (listed.account_id !== undefined && accountIdText(listed.account_id) !== dbt.accountId)) {
        return undefined;
    }
    return listed;
}

/**
 * What dbt reports now for the account at the host calls go to: the record's redirect domain,
 * read fresh (dbt changes it on its side when it moves the account to a new access URL).
 * Undefined when the account has no record there yet.
 */
export async function currentRedirectDomain(target: Pick<DbtRecordTarget, "accountId" | "apiBaseUrl">): Promise<string | undefined> {
    const record = await findAccountApplication(dbtSession(target));
    return record ? (record.oauth_redirect_uri_domain ?? "") : undefined;
}

/**
 * Deletes the record where it lives, only while the account still lists it there and nobody wrote it
 * since this resource did: one that is gone, that the account no longer lists, or that another
 * writer took over (a replacement of the rotation hands the same record a new secret before the old
 * resource is deleted) is left alone rather than risk deleting another's.
 */
export async function deleteRecord(accountId: string | number, state: DbtRecordState): Promise<void> {
    const dbt = sessionAtRecord(accountId, state);
    const listed = await readRecord(accountId, state);
    if (!listed) {
        providerLog(`dbt Cloud account ${dbt.accountId} has no Azure AD application record ${state.applicationId} at ${dbt.host} (already deleted, or not this ` +
            "account's); nothing was deleted.", dbt.secrets);
        return;
    }
    if (state.updatedAt && listed.updated_at && listed.updated_at !== state.updatedAt) {
        providerLog(`dbt Cloud account ${dbt.accountId}'s Azure AD application record ${state.applicationId} at ${dbt.host} was written at ${listed.updated_at}, ` +
            `after this resource's last write (${state.updatedAt}): another writer holds it now (the resource that replaced this one, or an edit in dbt Cloud), ` +
            "so it was left in place. If nothing should use this integration any more, delete it in dbt Cloud: Account settings > Integrations.", dbt.secrets);
        return;
    }
    await deleteApplication(dbt, state.applicationId);
    providerLog(`Deleted dbt Cloud Azure AD application record ${state.applicationId} of account ${dbt.accountId}. dbt Cloud keeps it as inactive; ` +
        "creating a new one for this account may need dbt Support to remove it first.", dbt.secrets);
}
