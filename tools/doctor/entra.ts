/**
 * The Entra ID checks: who is signed in and where, the rights to create, own and consent, the app
 * management policies against the client secret, and Microsoft's Azure DevOps principal. Reads
 * only: Microsoft Graph GETs on the deploying identity's token (providers/entra/api/graph.ts).
 */
import { OVERLAP_DAYS_RANGE, ROTATION_DAYS_RANGE } from "../../config/stackConfigSchema";
import { sameGuid } from "../../domain/guid";
import { AZURE_DEVOPS_APP_ID } from "../../domain/wellKnownIds";
import { GraphSession, graphGet, openGraphSession } from "../../providers/entra/api/graph";
import { GRAPH_SCOPE } from "../../domain/entraEndpoints";
import { credentialErrorText, deployerCredential, TokenSource } from "../../lib/http/entraCredential";
import { isHttpError } from "../../lib/http/httpError";
import { exemptionCalls, judgePasswordPolicy, PasswordPolicy, PasswordRestriction, rotationWithin } from "./appManagementPolicy";
import { CheckResult, fail, notChecked, pass, warn } from "./checks";
import { secretLifetime, StackContext } from "./stackContext";

/** The claims of an Entra access token the doctor reads (Microsoft identity platform "access token claims reference"). */
export interface TokenClaims {
    tid?: string;
    oid?: string;
    /** "app" for an application's own token, "user" for a user's (optional claim; absent in some tokens). */
    idtyp?: string;
    appid?: string;
    upn?: string;
    preferred_username?: string;
    unique_name?: string;
    /** Application permissions (app roles) granted to an application. */
    roles?: string[];
    /** Directory role template ids of a user's active roles. */
    wids?: string[];
    /** Delegated scopes of a user's token. */
    scp?: string;
}

/** The payload of a JWT, undefined when `token` is not one (it is never verified: the doctor only reads it). */
export function tokenClaims(token: string): TokenClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    try {
        const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as unknown;
        return typeof claims === "object" && claims !== null ? (claims as TokenClaims) : undefined;
    } catch {
        return undefined;
    }
}

export interface SignIn {
    credential: TokenSource;
    graph: GraphSession;
    kind: "app" | "user";
    tenantId: string;
    objectId: string;
    claims: TokenClaims;
    /** Tokens obtained, for the report's redactor. */
    secrets: string[];
}

export type SignInOutcome = { ok: true; signIn: SignIn } | { ok: false; reason: string };

export const HOW_TO_SIGN_IN = "sign in as the identity that runs pulumi up: `az login` (a user; `az login --tenant <tenantId>` for another tenant), " +
    "or AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET (a service principal), workload identity federation in CI (azure/login, AzureCLI@2), " +
    "or a managed identity; then run npm run doctor again";

/** The deploying identity's Graph token, and who it is, from its claims. */
export async function signInToGraph(env: NodeJS.ProcessEnv, credential?: TokenSource): Promise<SignInOutcome> {
    let source: TokenSource;
    let token: string | undefined;
    try {
        source = credential ?? deployerCredential(env);
        token = (await source.getToken(GRAPH_SCOPE))?.token;
    } catch (error) {
        return { ok: false, reason: credentialErrorText(error) };
    }
    if (!token) {
        return { ok: false, reason: "DefaultAzureCredential returned no token" };
    }
    const claims = tokenClaims(token);
    if (!claims?.tid || !claims.oid) {
        return { ok: false, reason: "the Microsoft Graph token does not say which tenant and identity it is for (not a JWT with tid and oid)" };
    }
    const kind = claims.idtyp === "user" || (claims.idtyp !== "app" && claims.scp !== undefined) ? "user" : "app";
    return { ok: true, signIn: { credential: source, graph: openGraphSession(env, source), kind, tenantId: claims.tid.toLowerCase(), objectId: claims.oid.toLowerCase(), claims, secrets: [token] } };
}

/** The stack's app registration as Entra has it, if it exists. */
export interface StackApp {
    objectId: string;
    clientId: string;
    displayName: string;
    createdAt?: string;
}

export type Lookup<T> = { ok: true; value: T } | { ok: false; reason: string };

interface GraphApp { id: string; appId: string; displayName: string; createdDateTime?: string }

function appOf(app: GraphApp): StackApp {
    return { objectId: app.id, clientId: app.appId, displayName: app.displayName, ...(app.createdDateTime ? { createdAt: app.createdDateTime } : {}) };
}

function graphReason(error: unknown): string {
    if (isHttpError(error) && (error.status === 401 || error.status === 403)) {
        return `Microsoft Graph refused the read (HTTP ${error.status}, ${error.endpoint.replace(/^GET \S+\/v1\.0/, "GET ")})`;
    }
    return (error as Error).message.split("\n")[0];
}

/**
 * The stack's app: existingApplicationObjectId when set, else the one app named appDisplayName
 * (the program gives it that name). Undefined when there is none yet.
 */
export async function findStackApp(graph: GraphSession, context: StackContext): Promise<Lookup<StackApp | undefined>> {
    const select = "$select=id,appId,displayName,createdDateTime";
    try {
        if (context.config.existingApplicationObjectId) {
            return { ok: true, value: appOf(await graphGet<GraphApp>(graph, `/applications/${context.config.existingApplicationObjectId}?${select}`)) };
        }
        const name = context.config.appDisplayName;
        if (name === undefined) {
            return { ok: false, reason: "appDisplayName does not parse" };
        }
        const listed = await graphGet<{ value?: GraphApp[] }>(graph, `/applications?$filter=${encodeURIComponent(`displayName eq '${name.replace(/'/g, "''")}'`)}&${select}`);
        const apps = listed.value ?? [];
        if (apps.length > 1) {
            return { ok: false, reason: `${apps.length} app registrations are named "${name}" (object ids ${apps.map((a) => a.id).join(", ")}); give this stack its own appDisplayName, or adopt one with existingApplicationObjectId` };
        }
        return { ok: true, value: apps[0] ? appOf(apps[0]) : undefined };
    } catch (error) {
        return { ok: false, reason: graphReason(error) };
    }
}

/** Microsoft Entra built-in role template ids ("Microsoft Entra built-in roles" page). */
export const DIRECTORY_ROLES = {
    globalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
    privilegedRoleAdministrator: "e8611ab8-c189-46e8-94e1-60213ab1f814",
    applicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    cloudApplicationAdministrator: "158c047a-c907-4556-b7ef-446551a6b5f7",
    applicationDeveloper: "cf1c38e5-3621-4004-a7cb-879624dced7c",
} as const;

const ROLE_NAMES: Record<string, string> = {
    [DIRECTORY_ROLES.globalAdministrator]: "Global Administrator",
    [DIRECTORY_ROLES.privilegedRoleAdministrator]: "Privileged Role Administrator",
    [DIRECTORY_ROLES.applicationAdministrator]: "Application Administrator",
    [DIRECTORY_ROLES.cloudApplicationAdministrator]: "Cloud Application Administrator",
    [DIRECTORY_ROLES.applicationDeveloper]: "Application Developer",
};
const MANAGES_APPS = [DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.applicationAdministrator, DIRECTORY_ROLES.cloudApplicationAdministrator];
const GRANTS_CONSENT = [...MANAGES_APPS, DIRECTORY_ROLES.privilegedRoleAdministrator];

/**
 * A user's active directory roles: role assignments (`GET /roleManagement/directory/roleAssignments
 * ?$filter=principalId eq '{id}'`, which needs RoleManagement.Read.Directory) and the token's `wids`
 * (roles assigned through groups too). `seen` says whether the assignments could be read.
 */
async function userRoles(signIn: SignIn): Promise<{ roles: string[]; seen: boolean }> {
    const roles = new Set((signIn.claims.wids ?? []).map((id) => id.toLowerCase()));
    try {
        const assigned = await graphGet<{ value?: Array<{ roleDefinitionId?: string }> }>(signIn.graph,
            `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${signIn.objectId}'`)}`);
        for (const a of assigned.value ?? []) if (a.roleDefinitionId) roles.add(a.roleDefinitionId.toLowerCase());
        return { roles: [...roles], seen: true };
    } catch {
        return { roles: [...roles], seen: signIn.claims.wids !== undefined };
    }
}

function named(roles: readonly string[]): string {
    return roles.map((id) => ROLE_NAMES[id] ?? id).join(", ");
}

async function isOwner(signIn: SignIn, app: StackApp): Promise<Lookup<boolean>> {
    try {
        const owners = await graphGet<{ value?: Array<{ id?: string }> }>(signIn.graph, `/applications/${app.objectId}/owners?$select=id`);
        return { ok: true, value: (owners.value ?? []).some((o) => sameGuid(o.id ?? "", signIn.objectId)) };
    } catch (error) {
        return { ok: false, reason: graphReason(error) };
    }
}

function who(signIn: SignIn, name: string | undefined): string {
    return signIn.kind === "app"
        ? `the service principal ${name ? `"${name}" ` : ""}(app ${signIn.claims.appid ?? "?"}, object id ${signIn.objectId})`
        : `the user ${signIn.claims.upn ?? signIn.claims.preferred_username ?? signIn.claims.unique_name ?? signIn.objectId}`;
}

/** The app permissions an app-only token carries, case as Graph names them. */
function appRoles(signIn: SignIn): string[] {
    return signIn.claims.roles ?? [];
}

const hasAny = (roles: string[], wanted: string[]) => wanted.some((role) => roles.includes(role));

/** Microsoft Graph application permissions (app role ids) the deploying principal may need ("Microsoft Graph permissions reference"). */
export const GRAPH_APP_ROLE_IDS: Record<string, string> = {
    "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "DelegatedPermissionGrant.ReadWrite.All": "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
    "Policy.Read.All": "246dd0d5-5bd0-4def-940b-0421030a5b68",
};

/** The az commands an admin runs to grant the deploying principal Graph application permissions. */
function grantCommands(signIn: SignIn, permissions: string[]): string {
    const app = signIn.claims.appid ?? "<deployer app id>";
    const ids = permissions.map((p) => `${GRAPH_APP_ROLE_IDS[p]}=Role`).join(" ");
    return `an admin grants ${permissions.join(", ")}: az ad app permission add --id ${app} --api 00000003-0000-0000-c000-000000000000 --api-permissions ${ids} ` +
        `&& az ad app permission admin-consent --id ${app}`;
}

/** All the Entra checks; `signIn` and `stackApp` are shared with the Azure DevOps checks. */
export async function entraChecks(context: StackContext, outcome: SignInOutcome, stackApp: Promise<Lookup<StackApp | undefined>>): Promise<CheckResult[]> {
    if (!outcome.ok) {
        const because = "nobody is signed in to Entra (entra.signIn)";
        return [
            fail("entra.signIn", `No Microsoft Graph token for the deploying identity: ${outcome.reason.replace(/\.+$/, "")}.`, HOW_TO_SIGN_IN),
            notChecked("entra.appRights", because),
            notChecked("entra.consentRights", because),
            notChecked("entra.appManagementPolicy", because),
            notChecked("entra.azureDevOpsPrincipal", because),
        ];
    }
    const signIn = outcome.signIn;
    const appLookup = await stackApp;
    const [identity, rights, consent, policy, adoPrincipal] = await Promise.all([
        signInCheck(context, signIn),
        appRightsCheck(context, signIn, appLookup),
        consentCheck(context, signIn),
        policyCheck(context, signIn, appLookup),
        azureDevOpsPrincipalCheck(signIn),
    ]);
    return [identity, rights, consent, policy, adoPrincipal];
}

async function displayNameOf(signIn: SignIn): Promise<string | undefined> {
    if (signIn.kind !== "app") return undefined;
    try {
        return (await graphGet<{ displayName?: string }>(signIn.graph, `/servicePrincipals/${signIn.objectId}?$select=id,appId,displayName`)).displayName;
    } catch {
        return undefined;
    }
}

async function signInCheck(context: StackContext, signIn: SignIn): Promise<CheckResult> {
    const name = await displayNameOf(signIn);
    const identity = `Signed in as ${who(signIn, name)} in tenant ${signIn.tenantId}`;
    if (context.tenantSetting && context.tenantSetting !== signIn.tenantId) {
        return fail("entra.signIn", `${identity}, but the stack's azuread:tenantId is ${context.tenantSetting}: pulumi up would work in another tenant than the one it is pinned to.`,
            `sign in to ${context.tenantSetting} (az login --tenant ${context.tenantSetting}, or AZURE_TENANT_ID=${context.tenantSetting} for a service principal), ` +
            `or, if the stack belongs in ${signIn.tenantId}: pulumi config set azuread:tenantId ${signIn.tenantId}`);
    }
    return pass("entra.signIn", `${identity}${context.tenantSetting ? " (the stack's azuread:tenantId)" : ""}.`);
}

async function appRightsCheck(context: StackContext, signIn: SignIn, appLookup: Lookup<StackApp | undefined>): Promise<CheckResult> {
    const app = appLookup.ok ? appLookup.value : undefined;
    const appText = app ? `the app "${app.displayName}" (object id ${app.objectId}) exists` : appLookup.ok ? "the app does not exist yet and will be created" : `the stack's app could not be looked up (${appLookup.reason})`;
    if (signIn.kind === "app") {
        const roles = appRoles(signIn);
        const missing = [
            ...(hasAny(roles, ["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"]) ? [] : ["Application.ReadWrite.OwnedBy"]),
            ...(hasAny(roles, ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"]) ? [] : ["Application.Read.All"]),
        ];
        if (missing.length > 0) {
            return fail("entra.appRights", `The deploying service principal lacks the Microsoft Graph application permission(s) ${missing.join(", ")} (its token carries: ${roles.join(", ") || "none"}); ${appText}.`,
                `${grantCommands(signIn, missing)} (README "Real use", step 1)`);
        }
        if (app && !roles.includes("Application.ReadWrite.All")) {
            const owner = await isOwner(signIn, app);
            if (!owner.ok) {
                return warn("entra.appRights", `Application.ReadWrite.OwnedBy changes only apps the principal owns, and ${appText}; its owners could not be read (${owner.reason}).`);
            }
            if (!owner.value) {
                return fail("entra.appRights", `Application.ReadWrite.OwnedBy changes only apps the principal owns, and ${appText} without it among the owners.`,
                    `an owner or admin adds it: az ad app owner add --id ${app.clientId} --owner-object-id ${signIn.objectId}, or grant Application.ReadWrite.All ` +
                    `(README "Where Application.ReadWrite.All is still needed")`);
            }
        }
        return pass("entra.appRights", `The deploying service principal holds ${roles.filter((r) => r.startsWith("Application.")).join(", ")}; ${appText}${app ? ", and it is an owner or may change any app" : ""}.`);
    }
    const { roles, seen } = await userRoles(signIn);
    const managing = roles.filter((r) => (MANAGES_APPS as readonly string[]).includes(r));
    if (managing.length > 0) {
        return pass("entra.appRights", `The user holds ${named(managing)}, which creates and changes app registrations; ${appText}.`);
    }
    if (roles.includes(DIRECTORY_ROLES.applicationDeveloper)) {
        if (!app) return pass("entra.appRights", `The user holds Application Developer, which creates app registrations and owns them; ${appText}.`);
        const owner = await isOwner(signIn, app);
        if (owner.ok && owner.value) return pass("entra.appRights", `The user holds Application Developer and owns the app; ${appText}.`);
    }
    const could = seen ? "No active role that creates or changes app registrations was found" : "The user's directory roles could not be read (RoleManagement.Read.Directory)";
    return warn("entra.appRights", `${could}; ${appText}. Not visible to a read-only check: PIM-eligible roles that are not activated, and a tenant that lets ` +
        "every user register applications (then the user owns the new app).", "activate (PIM) or get Application Administrator or Cloud Application Administrator, or run as the deploy service principal");
}

async function consentCheck(context: StackContext, signIn: SignIn): Promise<CheckResult> {
    if (context.config.adminConsent === false) {
        return pass("entra.consentRights", "adminConsent is false: no tenant-wide consent is granted; each developer consents when linking dbt Cloud.");
    }
    const withoutConsent = "or let each developer consent: pulumi config set adminConsent false";
    if (signIn.kind === "app") {
        return appRoles(signIn).includes("DelegatedPermissionGrant.ReadWrite.All")
            ? pass("entra.consentRights", "The deploying service principal holds DelegatedPermissionGrant.ReadWrite.All: it may grant user_impersonation tenant-wide.")
            : fail("entra.consentRights", "adminConsent is true, and the deploying service principal lacks the Graph application permission DelegatedPermissionGrant.ReadWrite.All that granting it needs.",
                `${grantCommands(signIn, ["DelegatedPermissionGrant.ReadWrite.All"])}, ${withoutConsent}`);
    }
    const { roles, seen } = await userRoles(signIn);
    const granting = roles.filter((r) => (GRANTS_CONSENT as readonly string[]).includes(r));
    if (granting.length > 0) {
        return pass("entra.consentRights", `The user holds ${named(granting)}: it may grant user_impersonation tenant-wide.`);
    }
    return warn("entra.consentRights", `${seen ? "No active role that grants tenant-wide consent was found" : "The user's directory roles could not be read"} ` +
        "(Global Administrator, Privileged Role Administrator, Application Administrator or Cloud Application Administrator); PIM-eligible roles are not visible.",
        `activate one, have an admin run pulumi up, ${withoutConsent}`);
}

interface GraphTenantPolicy { id?: string; displayName?: string; isEnabled?: boolean; applicationRestrictions?: { passwordCredentials?: PasswordRestriction[] } }
interface GraphAppPolicy { id?: string; displayName?: string; isEnabled?: boolean; restrictions?: { passwordCredentials?: PasswordRestriction[] } }

async function policyCheck(context: StackContext, signIn: SignIn, appLookup: Lookup<StackApp | undefined>): Promise<CheckResult> {
    const lifetime = secretLifetime(context.config);
    if (!lifetime) {
        return notChecked("entra.appManagementPolicy", "secretRotationDays or secretOverlapDays does not parse (config.stack)");
    }
    const app = appLookup.ok ? appLookup.value : undefined;
    let policy: PasswordPolicy | undefined;
    try {
        if (app) {
            const assigned = (await graphGet<{ value?: GraphAppPolicy[] }>(signIn.graph, `/applications/${app.objectId}/appManagementPolicies`)).value ?? [];
            const appPolicy = assigned.find((p) => p.isEnabled !== false);
            if (appPolicy) {
                policy = { id: appPolicy.id ?? "?", displayName: appPolicy.displayName ?? "", isEnabled: true, level: "app", passwordCredentials: appPolicy.restrictions?.passwordCredentials ?? [] };
            }
        }
        if (!policy) {
            const tenant = await graphGet<GraphTenantPolicy>(signIn.graph, "/policies/defaultAppManagementPolicy");
            policy = { id: tenant.id ?? "?", displayName: tenant.displayName ?? "", isEnabled: tenant.isEnabled === true, level: "tenant default", passwordCredentials: tenant.applicationRestrictions?.passwordCredentials ?? [] };
        }
    } catch (error) {
        return warn("entra.appManagementPolicy", `Could not read the app management policies: ${graphReason(error)}; reading them needs Policy.Read.All. If one blocks new ` +
            `client secrets or caps them below ${lifetime.lifetime} days, pulumi up fails with CredentialTypeNotAllowedAsPerAppPolicy or CredentialInvalidLifetimeAsPerAppPolicy.`,
            signIn.kind === "app" ? grantCommands(signIn, ["Policy.Read.All"]) : "run npm run doctor as an identity that may read policies (Policy.Read.All), or ask an admin to check the tenant's default app management policy");
    }
    const createdAt = app?.createdAt ? new Date(app.createdAt) : context.at;
    const verdict = judgePasswordPolicy(policy, createdAt, lifetime.lifetime);
    const name = `${policy.level === "app" ? "the app management policy assigned to this app" : "the tenant's default app management policy"}${policy.displayName ? ` "${policy.displayName}"` : ""} (${policy.id})`;
    const exempt = exemptionCalls(app?.objectId, lifetime.lifetime);
    switch (verdict.kind) {
        case "clear":
            return pass("entra.appManagementPolicy", `${policy.isEnabled ? `${name[0].toUpperCase()}${name.slice(1)} allows` : "No app management policy restricts"} a client secret of ` +
                `${lifetime.lifetime} days (2 x ${lifetime.rotation} + ${lifetime.overlap}).`);
        case "blocked":
            return fail("entra.appManagementPolicy", `${name[0].toUpperCase()}${name.slice(1)} blocks new client secrets (passwordAddition, e.g. ScubaGear MS.AAD.5.5v1), ` +
                "and dbt Cloud accepts only a client secret: pulumi up fails with CredentialTypeNotAllowedAsPerAppPolicy.", exempt);
        case "too-short": {
            const fits = rotationWithin(verdict.maxDays, lifetime, { minRotation: ROTATION_DAYS_RANGE.min, minOverlap: OVERLAP_DAYS_RANGE.min });
            const shorter = fits
                ? `either rotate more often: pulumi config set secretRotationDays ${fits.rotation}` +
                    (fits.overlap !== lifetime.overlap ? ` and pulumi config set secretOverlapDays ${fits.overlap}` : "") +
                    ` (secrets of ${2 * fits.rotation + fits.overlap} days), or `
                : "";
            return fail("entra.appManagementPolicy", `${name[0].toUpperCase()}${name.slice(1)} caps client secrets at ${verdict.maxDays} days, and this stack's live ` +
                `${lifetime.lifetime} days (2 x ${lifetime.rotation} + ${lifetime.overlap}): pulumi up fails with CredentialInvalidLifetimeAsPerAppPolicy.`, `${shorter}${exempt}`);
        }
    }
}

async function azureDevOpsPrincipalCheck(signIn: SignIn): Promise<CheckResult> {
    try {
        const sp = await graphGet<{ id?: string }>(signIn.graph, `/servicePrincipals(appId='${AZURE_DEVOPS_APP_ID}')?$select=id,appId,displayName`);
        return pass("entra.azureDevOpsPrincipal", `The tenant holds Microsoft's Azure DevOps service principal (object id ${sp.id}).`);
    } catch (error) {
        if (isHttpError(error) && error.status === 404) {
            return fail("entra.azureDevOpsPrincipal", "The tenant has no Azure DevOps service principal: nobody in it has used Azure DevOps yet, and the program only looks it up.",
                `an admin creates it: az ad sp create --id ${AZURE_DEVOPS_APP_ID}`);
        }
        return warn("entra.azureDevOpsPrincipal", `Could not look up Microsoft's Azure DevOps service principal: ${graphReason(error)}.`);
    }
}
