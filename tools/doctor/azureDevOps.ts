/**
 * The Azure DevOps checks: the organization and its directory, the credential, the rights the
 * program needs and a free licence. Reads only, through the providers' client
 * (providers/azuredevops/api): GETs and one HEAD-free identity read; nothing is written.
 */
import { AccessLevel } from "../../domain/accessLevel";
import { GIT_REPOSITORIES_NAMESPACE, SERVICE_HOOKS_NAMESPACE } from "../../domain/wellKnownIds";
import { AdoSession, adoRequest, azureDevOpsHosts, findServicePrincipalByObjectId, PERMISSION_HINTS, ProjectRef, readOrganizationTenant, resolveProject } from "../../providers/azuredevops/api";
import { azureDevOpsCredentials } from "../../lib/http/azureDevOpsAuth";
import { TokenSource } from "../../lib/http/entraCredential";
import { isHttpError } from "../../lib/http/httpError";
import { CheckResult, fail, notChecked, pass, warn } from "./checks";
import { SignInOutcome } from "./entra";
import { StackContext } from "./stackContext";

/** The Identity security namespace (security namespace reference): ManageMembership on a project's token lets the caller change its groups. */
export const IDENTITY_NAMESPACE = "5a27515b-ccd7-42c9-84f1-54c998f03866";
const SECURITY_READ_HINT = "PAT scope \"Security (Read)\" (vso.security) or an Entra token";

interface AuthenticatedUser { id?: string; descriptor?: string; providerDisplayName?: string }

export interface AdoAccess {
    session: AdoSession;
    caller: AuthenticatedUser;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; result: CheckResult };

/** The first line of an error, as the lib's messages are already redacted and explained. */
function said(error: unknown): string {
    return String((error as Error)?.message ?? error).split("\n")[0];
}

/** A session with the credential the providers would use, proven by an authenticated connectionData. */
async function openSession(organization: string, tokenSource: () => TokenSource): Promise<Outcome<AdoAccess>> {
    let session: AdoSession;
    try {
        session = { organization, hosts: azureDevOpsHosts(), credentials: await azureDevOpsCredentials(process.env, tokenSource) };
    } catch (error) {
        return { ok: false, result: fail("ado.credential", said(error), "set AZDO_PERSONAL_ACCESS_TOKEN to an organization-scoped PAT, or sign in for an Entra token (az login, workload identity)") };
    }
    const kind = session.credentials.source === "AZDO_PERSONAL_ACCESS_TOKEN"
        ? "a personal access token (AZDO_PERSONAL_ACCESS_TOKEN)"
        : "an Entra token from DefaultAzureCredential";
    try {
        const answer = await adoRequest<{ authenticatedUser?: AuthenticatedUser }>(session, {
            method: "GET", host: "core", path: "_apis/connectionData", permissionHint: "any valid credential for the organization",
        });
        const caller = answer.body?.authenticatedUser ?? {};
        if (!caller.descriptor || caller.id === "anonymous") {
            return { ok: false, result: fail("ado.credential", `Azure DevOps answered ${kind} as an anonymous caller: it was not accepted.`, "use an organization-scoped PAT or an Entra token (README \"Tokens and least privilege\")") };
        }
        return { ok: true, value: { session, caller } };
    } catch (error) {
        if (isHttpError(error) && error.status === 404) {
            return { ok: false, result: notChecked("ado.credential", `the organization "${organization}" does not exist (ado.organization)`) };
        }
        return { ok: false, result: fail("ado.credential", `Azure DevOps refused ${kind}: ${said(error)}`) };
    }
}

function credentialResult(access: AdoAccess): CheckResult {
    const pat = access.session.credentials.source === "AZDO_PERSONAL_ACCESS_TOKEN";
    const as = access.caller.providerDisplayName ? ` as ${access.caller.providerDisplayName}` : "";
    return pat
        ? pass("ado.credential", `An organization-scoped PAT (AZDO_PERSONAL_ACCESS_TOKEN) is accepted${as}; global PATs stopped working on 2026-12-01. Microsoft recommends ` +
            "Entra tokens: unset AZDO_PERSONAL_ACCESS_TOKEN and sign in (az login, or workload identity in CI), and no long-lived secret is needed.")
        : pass("ado.credential", `An Entra token (DefaultAzureCredential) is accepted${as}.`);
}

async function organizationCheck(context: StackContext, organization: string, tenant: string | undefined, tenantSource: string): Promise<CheckResult> {
    let found;
    try {
        found = await readOrganizationTenant(organization);
    } catch (error) {
        return warn("ado.organization", `Could not read the directory of "${organization}": ${said(error)}`);
    }
    const mode = context.config.connectDirectory;
    switch (found.kind) {
        case "no-such-organization":
            return fail("ado.organization", `Azure DevOps has no organization named "${organization}".`,
                "check adoOrganization: exactly the name in https://dev.azure.com/<name>, then pulumi config set adoOrganization <name>");
        case "not-connected":
            return mode === "connect"
                ? warn("ado.organization", `"${organization}" is not connected to a directory; pulumi up connects it to ${tenant ?? "the deploying identity's tenant"} (connectDirectory connect), which changes who can sign in, and PATs must be created again afterwards.`,
                    "the deploying identity must be Project Collection Administrator and a member (not a guest) of that tenant, and the organization have at most 100 users")
                : fail("ado.organization", `"${organization}" is not connected to any Entra directory, and connectDirectory is verify.`,
                    `an organization admin connects it to ${tenant ?? "the tenant"}: Organization settings > Microsoft Entra > Connect directory; or let the program do it: pulumi config set connectDirectory connect`);
        case "connected":
            if (tenant === undefined) {
                return warn("ado.organization", `"${organization}" is connected to tenant ${found.tenantId}; not compared: nobody is signed in to Entra (entra.signIn) and the stack sets no azuread:tenantId.`);
            }
            return found.tenantId === tenant
                ? pass("ado.organization", `"${organization}" is connected to tenant ${tenant} (${tenantSource}).`)
                : fail("ado.organization", `"${organization}" is connected to tenant ${found.tenantId}, not ${tenant} (${tenantSource}); the program never moves an organization to another directory.`,
                    `deploy in ${found.tenantId} (az login --tenant ${found.tenantId}, or pulumi config set azuread:tenantId ${found.tenantId}), or have an organization admin change its directory`);
    }
}

interface SecurityNamespace { namespaceId?: string; writePermission?: number; actions?: Array<{ bit?: number; name?: string }> }

async function namespace(session: AdoSession, id: string): Promise<SecurityNamespace> {
    const answer = await adoRequest<{ value?: SecurityNamespace[] }>(session, {
        method: "GET", host: "core", path: `_apis/securitynamespaces/${id}?api-version=7.1-preview.1`, permissionHint: SECURITY_READ_HINT,
    });
    const found = answer.body?.value?.[0];
    if (!found) throw new Error(`Azure DevOps has no security namespace ${id}.`);
    return found;
}

/** "Permissions - Has Permissions": one boolean per token, evaluated for the caller (administrators pass). */
async function hasPermissions(session: AdoSession, namespaceId: string, bits: number, tokens: string[]): Promise<boolean[]> {
    const answer = await adoRequest<boolean[] | { value?: boolean[] }>(session, {
        method: "GET", host: "core",
        path: `_apis/permissions/${namespaceId}/${bits}?tokens=${encodeURIComponent(tokens.join(","))}&alwaysAllowAdministrators=true&delimiter=${encodeURIComponent(",")}&api-version=7.1-preview.2`,
        permissionHint: SECURITY_READ_HINT,
    });
    const body = answer.body;
    const value = Array.isArray(body) ? body : body?.value ?? [];
    return tokens.map((_, i) => value[i] === true);
}

/** Whether the caller is in [org]\Project Collection Administrators, nested groups included (Identities - Read, ExpandedUp). */
async function isCollectionAdministrator(access: AdoAccess): Promise<boolean> {
    const { session } = access;
    const group = await adoRequest<{ value?: Array<{ descriptor?: string }> }>(session, {
        method: "GET", host: "vssps",
        path: `_apis/identities?searchFilter=General&filterValue=${encodeURIComponent(`[${session.organization}]\\Project Collection Administrators`)}&queryMembership=None&api-version=7.1`,
        permissionHint: PERMISSION_HINTS.identityRead,
    });
    const pca = group.body?.value?.[0]?.descriptor;
    if (!pca) return false;
    const me = await adoRequest<{ value?: Array<{ memberOf?: string[] }> }>(session, {
        method: "GET", host: "vssps",
        path: `_apis/identities?descriptors=${encodeURIComponent(access.caller.descriptor!)}&queryMembership=ExpandedUp&api-version=7.1`,
        permissionHint: PERMISSION_HINTS.identityRead,
    });
    return (me.body?.value?.[0]?.memberOf ?? []).some((d) => d.toLowerCase() === pca.toLowerCase());
}

/** Whether the stack's principal is in the organization already (then nothing is added, and it holds a licence). */
async function principalInOrganization(access: AdoAccess, principalObjectId: string | undefined): Promise<boolean> {
    return principalObjectId !== undefined && (await findServicePrincipalByObjectId(access.session, principalObjectId)) !== undefined;
}

async function rightsCheck(context: StackContext, access: AdoAccess, inOrganization: boolean): Promise<CheckResult> {
    const projects: ProjectRef[] = [];
    const unknown: string[] = [];
    for (const name of context.config.adoProjects ?? []) {
        try {
            projects.push(await resolveProject(access.session, name));
        } catch (error) {
            unknown.push(said(error));
        }
    }
    const missing: string[] = [];
    if (!inOrganization && !(await isCollectionAdministrator(access))) {
        missing.push("entitlements: adding the service principal to the organization needs Project Collection Administrator (or the \"Basic + manage users\" role, which a read-only check cannot see)");
    }
    if (projects.length > 0) {
        const identity = await namespace(access.session, IDENTITY_NAMESPACE);
        const manageMembership = identity.actions?.find((a) => a.name === "ManageMembership")?.bit ?? 8;
        const groups = await hasPermissions(access.session, IDENTITY_NAMESPACE, manageMembership, projects.map((p) => p.id));
        projects.forEach((p, i) => !groups[i] && missing.push(`graph: managing the groups of "${p.name}" (Identity ManageMembership; Project Administrator has it)`));
        if (context.config.adoProjectAccess === "least_privilege") {
            for (const [ns, token, what] of [[SERVICE_HOOKS_NAMESPACE, "PublisherSecurity", "service hooks"], [GIT_REPOSITORIES_NAMESPACE, "repoV2", "Git repositories"]] as const) {
                const described = await namespace(access.session, ns);
                const allowed = await hasPermissions(access.session, ns, described.writePermission ?? 0, projects.map((p) => `${token}/${p.id}`));
                projects.forEach((p, i) => !allowed[i] && missing.push(`security: changing the ${what} permissions of "${p.name}"`));
            }
        }
    }
    const problems = [...unknown, ...missing];
    if (problems.length > 0) {
        return fail("ado.rights", `The Azure DevOps credential lacks what the program needs: ${problems.join("; ")}.`,
            `make the identity behind the credential Project Collection Administrator (Organization settings > Permissions), or Project Administrator of each project in adoProjects; ` +
            `a PAT also needs the scopes in the README ("Tokens and least privilege")`);
    }
    const granted = projects.length > 0 ? ` and may grant on ${projects.map((p) => `"${p.name}"`).join(", ")}` : "";
    return pass("ado.rights", `${inOrganization ? "The service principal is in the organization already" : "The credential may add the service principal to the organization"}${granted}.`);
}

interface LicenceSummary { licenses?: Array<{ accountLicenseType?: string; licenseName?: string; assigned?: number; available?: number; total?: number }> }

async function licenceCheck(access: AdoAccess, level: AccessLevel, inOrganization: boolean): Promise<CheckResult> {
    if (inOrganization) {
        return pass("ado.licence", "The service principal is in the organization already and holds its licence.");
    }
    const answer = await adoRequest<LicenceSummary>(access.session, {
        method: "GET", host: "vsaex", path: "_apis/userentitlementsummary?select=Licenses&api-version=7.1-preview.1", permissionHint: PERMISSION_HINTS.entitlements,
    });
    const licence = answer.body?.licenses?.find((l) => l.accountLicenseType === level);
    const name = licence?.licenseName ?? level;
    const available = licence ? licence.available ?? Math.max(0, (licence.total ?? 0) - (licence.assigned ?? 0)) : 0;
    if (available > 0) {
        return pass("ado.licence", `${available} ${name} licence(s) free of ${licence!.total ?? "?"} (adoAccessLevel ${level}).`);
    }
    return fail("ado.licence", `No ${name} licence is free (adoAccessLevel ${level}: ${licence?.assigned ?? 0} of ${licence?.total ?? 0} assigned); adding the service principal would fail.`,
        "free or buy one (Organization settings > Billing; Basic is free for an organization's first five users); stakeholder is not enough for Git in private projects");
}

/** All the Azure DevOps checks. */
export async function azureDevOpsChecks(context: StackContext, outcome: SignInOutcome, stackPrincipal: Promise<string | undefined>): Promise<CheckResult[]> {
    const organization = context.config.adoOrganization;
    if (organization === undefined) {
        const because = "adoOrganization does not parse (config.stack)";
        return ["ado.organization", "ado.credential", "ado.rights", "ado.licence"].map((id) => notChecked(id as "ado.rights", because));
    }
    const tenant = context.tenantSetting ?? (outcome.ok ? outcome.signIn.tenantId : undefined);
    const tenantSource = context.tenantSetting ? "the stack's azuread:tenantId" : "the signed-in tenant";
    const tokenSource = () => (outcome.ok ? outcome.signIn.credential : { getToken: async () => { throw new Error("nobody is signed in to Entra"); } });
    const [organizationResult, opened] = await Promise.all([
        organizationCheck(context, organization, tenant, tenantSource),
        openSession(organization, tokenSource),
    ]);
    if (!opened.ok) {
        const because = "the Azure DevOps credential could not be used (ado.credential)";
        return [organizationResult, opened.result, notChecked("ado.rights", because), notChecked("ado.licence", because)];
    }
    const access = opened.value;
    const servicePrincipalMode = context.config.authMode === "service_principal";
    if (!servicePrincipalMode) {
        const why = "service_user mode: the program adds nothing to Azure DevOps (dbt acts as the service user, whose access you manage)";
        return [organizationResult, credentialResult(access), pass("ado.rights", `Nothing needed: ${why}.`), pass("ado.licence", `Nothing needed: ${why}.`)];
    }
    const guarded = async (id: "ado.rights" | "ado.licence", run: () => Promise<CheckResult>): Promise<CheckResult> => {
        try {
            return await run();
        } catch (error) {
            return isHttpError(error) && (error.status === 401 || error.status === 403)
                ? fail(id, `Azure DevOps refused a read: ${said(error)}`)
                : warn(id, `Could not tell: ${said(error)}`);
        }
    };
    const inOrganization = await principalInOrganization(access, await stackPrincipal).catch(() => false);
    const [rights, licence] = await Promise.all([
        guarded("ado.rights", () => rightsCheck(context, access, inOrganization)),
        context.config.adoAccessLevel === undefined
            ? Promise.resolve(notChecked("ado.licence", "adoAccessLevel does not parse (config.stack)"))
            : guarded("ado.licence", () => licenceCheck(access, context.config.adoAccessLevel!, inOrganization)),
    ]);
    return [organizationResult, credentialResult(access), rights, licence];
}
