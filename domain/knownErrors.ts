/**
 * Answers of Entra, Graph, Azure DevOps and dbt Cloud that have one known cause: each gets one
 * sentence of cause and the fix, naming the setting or runbook that applies. The one home of these
 * sentences: the providers' errors (lib/http/request.ts for Azure DevOps, the dbt Cloud client, the
 * secret handover) and `npm run doctor` use them. Codes and meanings from Microsoft's "Microsoft
 * Entra authentication and authorization error codes" page and /work/shared/REFERENCE.md ("Error
 * codes", December 2026; "dbt Cloud: access URLs and API behaviours"; "Azure DevOps: behaviours
 * beyond the happy path").
 */

/** Azure DevOps' refusal of a credential, as TF400813 or as its sign-in page (README "Tokens and least privilege"). */
function AZURE_DEVOPS_REFUSED(how: string): string {
    return `Azure DevOps refused the credential (${how}): the PAT expired, was revoked, lacks a scope or is a global PAT (global PATs stopped working ` +
        "on 1 December 2026); use an organization-scoped PAT in AZDO_PERSONAL_ACCESS_TOKEN with the README's scopes (\"Tokens and least privilege\"), " +
        "or unset it and sign in (az login, workload identity) for an Entra token.";
}

export interface KnownError {
    /** What identifies the answer in an error text: an AADSTS code, a Graph error code, a TF code. */
    code: string;
    pattern: RegExp;
    /** One sentence: the cause, then the fix. */
    explanation: string;
}

export const KNOWN_ERRORS: readonly KnownError[] = [
    {
        code: "AADSTS7000215",
        pattern: /AADSTS7000215\b/,
        explanation: "Entra does not accept this client secret: it is wrong, not yet replicated (a new secret takes seconds), or the secret's ID " +
            "was pasted in place of its value; let `pulumi up` hand over a fresh one (docs/rotation.md), or copy the value, not the ID.",
    },
    {
        code: "AADSTS7000222",
        pattern: /AADSTS7000222\b/,
        explanation: "The client secret has expired: the scheduled rotation has not run in time; run `pulumi up` now and check the rotate job (docs/rotation.md).",
    },
    {
        code: "AADSTS50011",
        pattern: /AADSTS50011\b/,
        explanation: "The redirect URI dbt Cloud sent is not one of the app registration's: add dbt's access host with " +
            "`pulumi config set dbtCloudHost <host>` (or dbtCloudAdditionalHosts during a move) and run `pulumi up` (docs/access-url-move.md).",
    },
    {
        code: "AADSTS65001",
        pattern: /AADSTS65001\b/,
        explanation: "Nobody consented to the app's user_impersonation permission in this tenant: set adminConsent true and run `pulumi up` " +
            "as an identity that may grant tenant-wide consent, or have each user consent when they link dbt Cloud.",
    },
    {
        code: "AADSTS700016",
        pattern: /AADSTS700016\b/,
        explanation: "The app (client) ID is not found in the tenant used: the tenant id is wrong, the app was deleted, or it was created moments ago " +
            "and has not replicated yet; check `pulumi stack output tenantId` and `clientId`, and re-run in a minute.",
    },
    {
        code: "CredentialInvalidLifetimeAsPerAppPolicy",
        pattern: /CredentialInvalidLifetimeAsPerAppPolicy\b/,
        explanation: "An Entra app management policy caps client-secret lifetimes below 2 x secretRotationDays + secretOverlapDays: lower " +
            "secretRotationDays (or secretOverlapDays), or have an admin exempt this app with an app-level policy; `npm run doctor` names both.",
    },
    {
        code: "CredentialTypeNotAllowedAsPerAppPolicy",
        pattern: /CredentialTypeNotAllowedAsPerAppPolicy\b/,
        explanation: "An Entra app management policy blocks new client secrets, and dbt Cloud accepts only a client secret: have an admin " +
            "exempt this app with an app-level policy that allows password credentials; `npm run doctor` shows the Graph call.",
    },
    {
        code: "TF400813",
        pattern: /TF400813\b/,
        explanation: AZURE_DEVOPS_REFUSED("TF400813"),
    },
];

/** The one-sentence cause and fix for the first known answer in `text`; undefined when none is known. */
export function explainKnownError(text: string): string | undefined {
    return KNOWN_ERRORS.find((known) => known.pattern.test(text))?.explanation;
}

/**
 * Azure DevOps answers a refused credential with 203 and an HTML sign-in page instead of 401 on
 * GET and POST (REFERENCE.md "Azure DevOps: behaviours beyond the happy path"); the sentence for it.
 */
export const AZURE_DEVOPS_SIGN_IN_PAGE = AZURE_DEVOPS_REFUSED("HTTP 203 with its sign-in page instead of data");

/** The account and address a dbt Cloud answer came from, for the sentences below. */
export interface DbtAnswerContext {
    accountId: string;
    /** The API base the call went to, e.g. https://ab123.us1.dbt.com/api. */
    host: string;
    /** Where the token came from: DBT_CLOUD_TOKEN. */
    tokenVariable: string;
}

const DBT_TOKEN_NEEDS = "a service token with the Account Admin permission set (Account settings > Service tokens; README \"Tokens and least privilege\")";

/**
 * dbt Cloud's refusals, by status and what dbt said (`status.user_message`), one sentence each.
 * Texts from REFERENCE.md ("dbt Cloud: access URLs and API behaviours": 401 "Invalid token.", 403
 * "Token is not scoped to account" and IP-allowlist refusals, 404 for "no permission" too) and
 * terraform-provider-dbtcloud pkg/dbt_cloud/client.go (NewClient: "does not have access to the
 * account id ... IP restrictions"; attemptRequest: a 404 that mentions "permission"); 429 from
 * docs.getdbt.com's rate-limits page. Undefined for any other status.
 */
export function explainDbtCloudAnswer(status: number | undefined, said: string, context: DbtAnswerContext): string | undefined {
    const { accountId, host, tokenVariable } = context;
    switch (status) {
        case 401:
            return `dbt Cloud does not accept the token in ${tokenVariable}: it is mistyped, revoked or expired, or it belongs to another dbt Cloud deployment than ${host}; ` +
                `create ${DBT_TOKEN_NEEDS} in account ${accountId} and export it as ${tokenVariable}.`;
        case 403:
            if (/not scoped to account/i.test(said)) {
                return `The token in ${tokenVariable} belongs to another dbt Cloud account than dbtCloudAccountId ${accountId}: create ${DBT_TOKEN_NEEDS} in account ${accountId} itself and export it as ${tokenVariable}.`;
            }
            if (/\bIP\b|allow ?list|ip restriction/i.test(said)) {
                return `Account ${accountId} accepts API calls only from listed IP addresses, and this machine's is not one: add the runner's outbound address under ` +
                    "Account settings > IP restrictions, or run from an allowed network (the token itself may be fine).";
            }
            return `The token in ${tokenVariable} may not do this in account ${accountId}: the Azure DevOps integration settings need ${DBT_TOKEN_NEEDS}.`;
        case 404:
            return `dbt Cloud answers 404 both when account ${accountId} or its record does not exist at ${host} and when the token may not act on it${/permission/i.test(said) ? " (this answer says so)" : ""}: ` +
                `check dbtCloudAccountId and dbtCloudHost (the account's access URL, Account settings > Access URLs) and that ${tokenVariable} is ${DBT_TOKEN_NEEDS}.`;
        case 429:
            return `dbt Cloud's API rate limit for account ${accountId} was exceeded (other tools using the account count too) and dbt refuses requests for about five minutes: ` +
                "wait five minutes and re-run the same pulumi command (or npm run doctor).";
        default:
            return undefined;
    }
}
