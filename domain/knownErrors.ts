/**
 * Answers of Entra, Graph and Azure DevOps that have one known cause: each gets one sentence of
 * cause and the fix, naming the setting or runbook that applies. Used by the providers' errors and
 * by `npm run doctor`. Codes and meanings from Microsoft's "Microsoft Entra authentication and
 * authorization error codes" page and /work/shared/REFERENCE.md ("Error codes", December 2026).
 */

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
        explanation: "Azure DevOps refused the credential: the PAT expired, was revoked, is a global PAT (retired 1 December 2026) or lacks a " +
            "scope; use an organization-scoped PAT in AZDO_PERSONAL_ACCESS_TOKEN, or unset it and sign in for an Entra token.",
    },
];

/** The one-sentence cause and fix for the first known answer in `text`; undefined when none is known. */
export function explainKnownError(text: string): string | undefined {
    return KNOWN_ERRORS.find((known) => known.pattern.test(text))?.explanation;
}
