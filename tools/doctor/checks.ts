/**
 * Every check `npm run doctor` makes, in the order it prints them, with what each one looks at and
 * what it cannot tell. `--help` prints this list; the report has exactly one result per check.
 */

export type Status = "pass" | "fail" | "warn";

export interface CheckResult {
    id: CheckId;
    status: Status;
    /** What was found, in one or two sentences. */
    detail: string;
    /** The exact fix: commands, settings, a runbook. */
    fix?: string;
}

export interface CheckSpec {
    id: string;
    area: "Stack config" | "Entra ID" | "Azure DevOps" | "dbt Cloud" | "Pulumi";
    title: string;
    /** What the check reads and how it judges it (for --help). */
    help: string;
}

export const CHECKS = [
    {
        id: "config.stack", area: "Stack config", title: "stack settings",
        help: "Reads stacks/Pulumi.<stack>.yaml with Pulumi.yaml's defaults as the program does, at this instant, and lists every problem with its fix " +
            "(pulumi up would stop on them before declaring anything). A Pulumi ESC environment is not opened: a value it provides shows as missing.",
    },
    {
        id: "config.dbtCloudHost", area: "Stack config", title: "dbt Cloud access host",
        help: "dbtCloudHost and dbtCloudAdditionalHosts against dbt's access URLs: a getdbt.com region host (cloud.getdbt.com, <name>.getdbt.com) is refused " +
            "from 2026-11-01 unless dbtCloudLegacyHostExtendedUntil records dbt's extension, and then only until that date; a shared region host " +
            "(emea.dbt.com, au.dbt.com, us1.dbt.com) works, but the account-scoped host from Account settings > Access URLs is advised.",
    },
    {
        id: "entra.signIn", area: "Entra ID", title: "signed-in identity and tenant",
        help: "Gets a Microsoft Graph token the way the providers do (DefaultAzureCredential: az login, workload identity, a managed identity, " +
            "AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET) and reads who it is and its tenant from the token; the tenant must be the stack's " +
            "azuread:tenantId when that is set. No sign-in is a failure with how to sign in.",
    },
    {
        id: "entra.appRights", area: "Entra ID", title: "right to create and own the app registration",
        help: "A service principal: the Graph application permissions in its token (Application.ReadWrite.OwnedBy or Application.ReadWrite.All, and " +
            "Application.Read.All), and, when the stack's app exists (found by appDisplayName or existingApplicationObjectId), that it is an owner. " +
            "A user: active directory role assignments (Application Administrator, Cloud Application Administrator, Global Administrator; Application " +
            "Developer for a new app). It cannot see PIM-eligible roles that are not activated, nor a tenant that lets every user register apps; it says so.",
    },
    {
        id: "entra.consentRights", area: "Entra ID", title: "right to grant the tenant-wide consent",
        help: "Only with adminConsent true: a service principal needs DelegatedPermissionGrant.ReadWrite.All; a user Global Administrator, Privileged " +
            "Role Administrator, Application Administrator or Cloud Application Administrator.",
    },
    {
        id: "entra.appManagementPolicy", area: "Entra ID", title: "app management policies against the client secret",
        help: "GET /policies/defaultAppManagementPolicy and, when the stack's app exists, GET /applications/{id}/appManagementPolicies (an app-level " +
            "policy replaces the tenant default): a restriction that blocks password addition, or caps the password lifetime below " +
            "2 x secretRotationDays + secretOverlapDays, makes pulumi up fail. The fix names the shortest change to the rotation that fits, and the " +
            "Graph calls that create an app-level exemption policy for this app. Reading needs Policy.Read.All; without it the check says it could not tell.",
    },
    {
        id: "entra.azureDevOpsPrincipal", area: "Entra ID", title: "Microsoft's Azure DevOps service principal in the tenant",
        help: "GET /servicePrincipals(appId='499b84ac-1321-427f-aa17-267ca6975798'): the program looks it up for the user_impersonation scope and the consent; " +
            "it exists once anyone in the tenant used Azure DevOps, otherwise an admin creates it.",
    },
    {
        id: "ado.organization", area: "Azure DevOps", title: "organization and its directory",
        help: "The anonymous GET https://dev.azure.com/{org}/_apis/connectionData: the organization exists, and its X-VSS-ResourceTenant is the Entra tenant " +
            "(the stack's azuread:tenantId, else the signed-in tenant). Not connected fails with connectDirectory verify, and says what connect will do.",
    },
    {
        id: "ado.credential", area: "Azure DevOps", title: "credential kind and validity",
        help: "AZDO_PERSONAL_ACCESS_TOKEN (an organization-scoped PAT: global PATs stopped working on 2026-12-01) or, without it, an Entra token from " +
            "DefaultAzureCredential (Microsoft's recommendation), tried with an authenticated connectionData. A refused credential (TF400813, or the " +
            "203 sign-in page) fails with the known cause; a global PAT cannot be told from an expired one, so both get the same fix.",
    },
    {
        id: "ado.rights", area: "Azure DevOps", title: "rights the program needs",
        help: "In service-principal mode: each adoProjects project exists; adding the principal to the organization (entitlements) needs Project " +
            "Collection Administrator, read from the caller's group memberships, unless the principal is in already; on each project, managing group " +
            "membership (graph: Identity ManageMembership) and, for least_privilege, changing the ServiceHooks and Git Repositories ACLs (security: each " +
            "namespace's writePermission), evaluated for the caller by GET _apis/permissions. A PAT scope that is missing shows as a refused call.",
    },
    {
        id: "ado.licence", area: "Azure DevOps", title: "a licence free for the service principal",
        help: "In service-principal mode: GET vsaex _apis/userentitlementsummary?select=Licenses: a seat of adoAccessLevel (express is Basic, free for the " +
            "first five users) must be available, unless the principal holds one already.",
    },
    {
        id: "dbt.token", area: "dbt Cloud", title: "token valid for the account",
        help: "With dbtCloudAccountId set: DBT_CLOUD_TOKEN is set and GET https://<dbtCloudHost>/api/v2/accounts/ lists the account (as dbt's Terraform " +
            "provider checks); 401, 403 (another account, IP restrictions) and a missing account fail with the known cause.",
    },
    {
        id: "dbt.record", area: "dbt Cloud", title: "access to the Azure AD application record",
        help: "Lists the account's Azure AD application records (GET v3 .../azure-ad-applications/). A refusal fails; a read that works shows read access " +
            "only: writing needs the Account Admin permission set, which no read-only call shows, so it says so.",
    },
    {
        id: "dbt.accessHost", area: "dbt Cloud", title: "the account's access host against dbtCloudHost",
        help: "dbt sets the record's oauth_redirect_uri_domain from the account's access URL: when it differs from dbtCloudHost, the account has moved " +
            "and the runbook docs/access-url-move.md applies. Without a record there is nothing to compare: Account settings > Access URLs shows it.",
    },
    {
        id: "dbt.redirectDomain", area: "dbt Cloud", title: "dbt's redirect domain against the app's hosts",
        help: "The record's current oauth_redirect_uri_domain must be one of the app's hosts (dbtCloudHost and dbtCloudAdditionalHosts), or every " +
            "preview fails in check, naming the command that adds it (the same rule and message as the program's).",
    },
    {
        id: "pulumi.backend", area: "Pulumi", title: "state backend reachable",
        help: "PULUMI_BACKEND_URL, else Pulumi.yaml's backend.url, else the backend `pulumi login` chose (PULUMI_HOME's credentials.json): file:// must be " +
            "a writable folder; azblob:// a container the identity (Entra token or AZURE_STORAGE_SAS_TOKEN) can list; Pulumi Cloud a token it accepts " +
            "(GET /api/user). s3:// and gs:// are not checked.",
    },
    {
        id: "pulumi.secretsProvider", area: "Pulumi", title: "secrets provider reachable",
        help: "The stack file's secretsprovider: a passphrase must be in PULUMI_CONFIG_PASSPHRASE(_FILE) and decrypt the stack's encryptionsalt (checked " +
            "locally); azurekeyvault:// a key the identity can read, enabled, with encrypt and decrypt (whether it may use them cannot be seen); " +
            "awskms, gcpkms and hashivault are not checked.",
    },
] as const satisfies readonly CheckSpec[];

export type CheckId = (typeof CHECKS)[number]["id"];

export const SYMBOLS: Record<Status, string> = { pass: "✓", fail: "✗", warn: "!" };

export function pass(id: CheckId, detail: string): CheckResult {
    return { id, status: "pass", detail };
}

export function fail(id: CheckId, detail: string, fix?: string): CheckResult {
    return { id, status: "fail", detail, ...(fix ? { fix } : {}) };
}

export function warn(id: CheckId, detail: string, fix?: string): CheckResult {
    return { id, status: "warn", detail, ...(fix ? { fix } : {}) };
}

/** A check that could not run because another failed: not a second failure for one cause. */
export function notChecked(id: CheckId, because: string): CheckResult {
    return warn(id, `Not checked: ${because}.`);
}
