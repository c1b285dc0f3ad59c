/**
 * The dbt Cloud checks, with dbtCloudAccountId set: the token for the account, access to the Azure
 * AD application record, the account's access host, and dbt's redirect domain against the app's
 * hosts. Reads only, through the dbt Cloud client (providers/dbtcloud/api/azureAdApplications.ts).
 */
import { dbtCloudApiBaseUrl, isSharedRegionHost } from "../../domain/dbtCloudHost";
import { explainDbtCloudAnswer } from "../../domain/knownErrors";
import { redirectDomainProblem } from "../../domain/redirectUris";
import { HOW_TO_GET_DBT_CLOUD_TOKEN } from "../../lib/http/dbtCloudAuth";
import { isHttpError } from "../../lib/http/httpError";
import { requestJson } from "../../lib/http/request";
import { httpSettingsFromEnv } from "../../lib/http/settings";
import { AzureAdApplicationRecord, dbtApiHost, dbtSaid, listAccountApplications, openDbtSession } from "../../providers/dbtcloud/api/azureAdApplications";
import { CheckResult, fail, notChecked, pass, warn } from "./checks";
import { appHosts, StackContext } from "./stackContext";

const IDS = ["dbt.token", "dbt.record", "dbt.accessHost", "dbt.redirectDomain"] as const;

function firstLine(error: unknown): string {
    return String((error as Error)?.message ?? error).split("\n")[0];
}

/** GET /v2/accounts/: the accounts the token may use, as terraform-provider-dbtcloud's NewClient checks it. */
async function tokenCheck(host: string, accountId: string, token: string): Promise<CheckResult> {
    try {
        const answer = await requestJson<{ data?: Array<{ id?: number; name?: string }> }>({
            method: "GET", url: `${host}/v2/accounts/`, headers: { Authorization: `Token ${token}` },
            permissionHint: "a dbt Cloud service token of this account", credentialSource: "DBT_CLOUD_TOKEN", secrets: [token],
        }, httpSettingsFromEnv());
        const account = (answer.body?.data ?? []).find((a) => String(a.id) === accountId);
        return account
            ? pass("dbt.token", `DBT_CLOUD_TOKEN is valid for account ${accountId}${account.name ? ` ("${account.name}")` : ""} at ${host}.`)
            : fail("dbt.token", `DBT_CLOUD_TOKEN is valid at ${host} but does not have access to account ${accountId}: it belongs to another account, or the account's IP restrictions refuse this machine.`,
                `check dbtCloudAccountId, and create a service token in account ${accountId} (Account settings > Service tokens) with the Account Admin permission set`);
    } catch (error) {
        const known = isHttpError(error) ? explainDbtCloudAnswer(error.status, dbtSaid(error), { accountId, host, tokenVariable: "DBT_CLOUD_TOKEN" }) : undefined;
        return fail("dbt.token", `${firstLine(error)}${known ? ` ${known}` : ""}`);
    }
}

/** All the dbt Cloud checks. */
export async function dbtCloudChecks(context: StackContext): Promise<CheckResult[]> {
    const accountId = context.config.dbtCloudAccountId;
    const host = context.config.dbtCloudHost;
    if (accountId === 0) {
        const text = "dbtCloudAccountId is 0: the stack does not write dbt Cloud's record; a person copies the values into Account settings > Integrations > Azure DevOps.";
        return IDS.map((id) => pass(id, text));
    }
    if (accountId === undefined || host === undefined) {
        return IDS.map((id) => notChecked(id, `${accountId === undefined ? "dbtCloudAccountId" : "dbtCloudHost"} does not parse (config.stack)`));
    }
    const token = process.env.DBT_CLOUD_TOKEN?.trim();
    if (!token) {
        return [fail("dbt.token", "DBT_CLOUD_TOKEN is not set, and the stack writes dbt Cloud's record (dbtCloudAccountId).", HOW_TO_GET_DBT_CLOUD_TOKEN),
            ...IDS.slice(1).map((id) => notChecked(id, "DBT_CLOUD_TOKEN is not set (dbt.token)"))];
    }
    const account = String(accountId);
    const apiBase = dbtApiHost(dbtCloudApiBaseUrl(host));
    const [tokenResult, listed] = await Promise.all([
        tokenCheck(apiBase, account, token),
        listAccountApplications(openDbtSession(dbtCloudApiBaseUrl(host), account, [])).then(
            (records) => ({ ok: true as const, records }),
            (error: unknown) => ({ ok: false as const, error }),
        ),
    ]);
    if (!listed.ok) {
        const because = "the account's record could not be read (dbt.record)";
        return [tokenResult, fail("dbt.record", firstLine(listed.error)), notChecked("dbt.accessHost", because), notChecked("dbt.redirectDomain", because)];
    }
    const record = listed.records[0];
    const recordResult = warn("dbt.record", record
        ? `The token reads the account's Azure AD application record ${record.id} (organization "${record.organization_name ?? "?"}"). Whether it may write it cannot be seen read-only.`
        : "The token lists the account's Azure AD application records (none yet: the first pulumi up creates it). Whether it may create one cannot be seen read-only.",
    "make sure DBT_CLOUD_TOKEN is a service token with the Account Admin permission set (Account settings > Service tokens > the token > Permissions)");
    return [tokenResult, recordResult, accessHostCheck(host, record), redirectDomainCheck(context, record)];
}

function domainOf(record: AzureAdApplicationRecord): string {
    return (record.oauth_redirect_uri_domain ?? "").trim().replace(/^https:\/\//i, "").replace(/\/+$/, "").toLowerCase();
}

function accessHostCheck(host: string, record: AzureAdApplicationRecord | undefined): CheckResult {
    const shared = isSharedRegionHost(host)
        ? ` ${host} is a shared region host; dbt gives each account its own (ACCOUNT_PREFIX.<cell>.dbt.com, Account settings > Access URLs), which is advised.`
        : "";
    const domain = record ? domainOf(record) : "";
    if (domain === "") {
        return (shared ? warn : pass)("dbt.accessHost", `dbt Cloud's API answers at ${host}; no record says the account's own host yet (Account settings > Access URLs shows it).${shared}`);
    }
    if (domain === host) {
        return pass("dbt.accessHost", `dbt Cloud reports ${domain} as the account's host, which is dbtCloudHost.`);
    }
    return warn("dbt.accessHost", `dbt Cloud reports ${domain} as the account's host, and dbtCloudHost is ${host}: the account has moved to a new access URL.${shared}`,
        `follow docs/access-url-move.md: make ${domain} the primary (pulumi config set dbtCloudHost ${domain}, keeping ${host} in dbtCloudAdditionalHosts while it is still in use)`);
}

function redirectDomainCheck(context: StackContext, record: AzureAdApplicationRecord | undefined): CheckResult {
    const hosts = appHosts(context.config);
    if (!hosts) {
        return notChecked("dbt.redirectDomain", "dbtCloudHost does not parse (config.stack)");
    }
    if (!record || domainOf(record) === "") {
        return pass("dbt.redirectDomain", "The account has no record yet: dbt's redirect domain is judged again once the first pulumi up writes it.");
    }
    const problem = redirectDomainProblem(domainOf(record), hosts, hosts.length - 1, "not written");
    return problem
        ? fail("dbt.redirectDomain", `${problem} (every preview fails in check with this message until then)`, /pulumi config set .*$/.exec(problem)?.[0])
        : pass("dbt.redirectDomain", `dbt Cloud redirects the sign-in to ${domainOf(record)}, one of the app's hosts (${hosts.join(", ")}).`);
}
