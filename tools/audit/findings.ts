/**
 * The audit itself: what the stack declares (./stateExport.ts) against what Graph has
 * (./liveApp.ts), one finding per difference, each saying what was found, what is declared and
 * what to do. Pure. What each finding means at length: docs/drift-audit.md.
 */
import { classifyCredentials, ListedCredential, SlotRecords } from "../../domain/clientSecretCredentials";
import { sameGuid } from "../../domain/guid";
import { DirectoryObject, GraphKeyCredential, GraphPasswordListing } from "../../providers/entra/api/directoryReads";
import { Directory, LiveApp } from "./liveApp";
import { DeclaredApp, DeclaredPassword } from "./stateExport";

/** The areas, in the order findings are listed. */
export const AREAS = ["app", "credentials", "redirect URIs", "sign-in", "owners", "required access", "app roles", "delegated grants", "instance lock"] as const;
export type Area = (typeof AREAS)[number];

export interface Finding {
    area: Area;
    found: string;
    declared: string;
    fix: string;
}

/** One line: `<area>: found <what>; declared: <what>. Fix: <what to do>` (no value is ever a secret: Graph lists none). */
export function renderFinding(finding: Finding): string {
    return `${finding.area}: found ${finding.found}; declared: ${finding.declared}. Fix: ${finding.fix}`;
}

/** Commands a finding names, for one app in one stack. */
interface Context {
    declared: DeclaredApp;
    /** The Graph base the audit read (https://graph.microsoft.com, or a national cloud's). */
    graph: string;
    up: string;
    upRefresh: string;
}

export function auditApp(declared: DeclaredApp, live: LiveApp | undefined, graphBaseUrl: string): Finding[] {
    const stackFlag = declared.stack ? ` --stack ${declared.stack}` : "";
    const context: Context = { declared, graph: `${graphBaseUrl}/v1.0`, up: `pulumi up${stackFlag}`, upRefresh: `pulumi up --refresh${stackFlag}` };
    if (!live) {
        return [{
            area: "app",
            found: `no application with client id ${declared.clientId} in the directory`,
            declared: `the app registration "${declared.displayName}" (object id ${declared.objectId})`,
            fix: "if it was deleted, restore it within 30 days (Entra admin center > App registrations > Deleted applications, or " +
                `az rest --method POST --url '${context.graph}/directory/deletedItems/${declared.objectId}/restore'), then ${context.upRefresh}; ` +
                "a new app would get a new client id that dbt Cloud and every user's link do not know",
        }];
    }
    const findings = [
        ...passwordFindings(context, live.app.passwordCredentials),
        ...keyFindings(context, live.app.keyCredentials, declared.certificateKeyIds, "app"),
        ...federatedFindings(context, live),
        ...servicePrincipalCredentialFindings(context, live),
        ...redirectFindings(context, live),
        ...signInFindings(context, live),
        ...ownerFindings(context, live),
        ...requiredAccessFindings(context, live),
        ...appRoleFindings(context, live),
        ...grantFindings(context, live),
        ...lockFindings(context, live),
    ];
    return findings.sort((a, b) => AREAS.indexOf(a.area) - AREAS.indexOf(b.area));
}

function day(value: string | null | undefined): string {
    return value ? value.slice(0, 10) : "?";
}

function same(a: string, b: string): boolean {
    return sameGuid(a, b);
}

function describeDeclaredPasswords(passwords: DeclaredPassword[]): string {
    return passwords.length === 0 ? "no password credentials" : `only ${passwords.map((p) => `${p.source} (key ${p.keyId})`).join(" and ")}`;
}

/** Password credentials: every one on the app must be recorded by the stack, and every recorded one must be on the app. */
function passwordFindings(context: Context, listed: GraphPasswordListing[]): Finding[] {
    const { declared } = context;
    const clientId = declared.clientId;
    const expected = describeDeclaredPasswords(declared.passwords);
    const credentials: ListedCredential[] = listed.map((p) => ({ keyId: p.keyId, displayName: p.displayName ?? "", endDateTime: p.endDateTime ?? "" }));
    const recorded = credentials.filter((c) => declared.passwords.some((p) => same(p.keyId, c.keyId)));
    const unrecorded = credentials.filter((c) => !recorded.includes(c));
    // Sorted by the rotation's own rules: this stack's marker (none without a rotation), the former ApplicationPassword slots' names, anything else.
    const classes = classifyCredentials(unrecorded, {} as SlotRecords, declared.rotationOwner ?? "(no rotation)");
    const remove = (c: ListedCredential) => `az ad app credential delete --id ${clientId} --key-id ${c.keyId}`;
    const what = (c: ListedCredential) => `password credential ${c.keyId} "${c.displayName}" (ends ${day(c.endDateTime)})`;
    const findings: Finding[] = [
        ...classes.orphans.map((c) => ({
            area: "credentials" as const,
            found: `${what(c)}, minted by this stack in a run that did not finish (an orphan)`,
            declared: expected,
            fix: `run ${context.up} (the rotate pipeline) first: if the run that died had already written dbt Cloud, it hands over a newer secret and removes this one itself; ` +
                `if it is still listed afterwards, nobody holds it: ${remove(c)}`,
        })),
        ...classes.legacy.map((c) => ({
            area: "credentials" as const,
            found: `${what(c)}, left by the former ApplicationPassword slots`,
            declared: expected,
            fix: `dbt Cloud holds the rotation's secret since the upgrade, so remove it: ${remove(c)} (the next rotation would too)`,
        })),
        ...classes.foreign.map((c) => ({
            area: "credentials" as const,
            found: `${what(c)}, made by hand or by another tool: whoever has its value can sign in as the app`,
            declared: expected,
            fix: `if nobody needs it, ${remove(c)}; never hand it to dbt Cloud (the stack does that with its own)`,
        })),
    ];
    for (const password of declared.passwords) {
        if (credentials.some((c) => same(c.keyId, password.keyId))) {
            continue;
        }
        if (password.held) {
            const consumer = declared.handover === "stackOutput" ? "the stack output clientSecret (and so dbt Cloud)" : "dbt Cloud";
            const handOver = declared.handover === "stackOutput"
                ? `, then copy \`pulumi stack output --show-secrets clientSecret${context.up.slice("pulumi up".length)}\` into dbt Cloud`
                : " (it mints a new secret, proves it and hands it to dbt Cloud)";
            findings.push({
                area: "credentials",
                found: `no password credential ${password.keyId}: Entra no longer lists the secret ${consumer} holds (${password.source}), so dbt Cloud may hold a dead secret`,
                declared: expected,
                fix: `run the rotate pipeline now, or ${context.up}${handOver}`,
            });
        } else {
            findings.push({
                area: "credentials",
                found: `no password credential ${password.keyId} (${password.source}${password.endDate ? `, valid until ${day(password.endDate)}` : ""}): Entra no longer lists it`,
                declared: expected,
                fix: password.slot !== undefined
                    ? `dbt Cloud does not hold it, so nothing fails now; ${context.upRefresh} drops it from state (the next rotation fills the slot again)`
                    : `${context.upRefresh} (it is created again)`,
            });
        }
    }
    return findings;
}

/** Certificates of the app (`owner` "app") or of its service principal ("sp"). */
function keyFindings(context: Context, listed: GraphKeyCredential[], declaredKeyIds: string[], owner: "app" | "sp"): Finding[] {
    const { clientId } = context.declared;
    const command = owner === "app" ? "az ad app credential delete" : "az ad sp credential delete";
    const where = owner === "app" ? "" : " on the app's service principal";
    const declaredText = declaredKeyIds.length === 0 ? `no certificate credentials${where}` : `only ${declaredKeyIds.map((k) => `certificate ${k}`).join(", ")}${where}`;
    const findings: Finding[] = listed.filter((k) => !declaredKeyIds.some((d) => same(d, k.keyId))).map((k) => ({
        area: "credentials",
        found: `certificate credential ${k.keyId} "${k.displayName ?? ""}" (${[k.type, k.usage].filter(Boolean).join(", ") || "type unknown"}, ends ${day(k.endDateTime)})${where}: whoever has its private key can sign in as the app`,
        declared: declaredText,
        fix: `if nobody needs it, ${command} --id ${clientId} --key-id ${k.keyId} --cert`,
    }));
    for (const keyId of declaredKeyIds.filter((d) => !listed.some((k) => same(k.keyId, d)))) {
        findings.push({ area: "credentials", found: `no certificate credential ${keyId}${where}`, declared: declaredText, fix: `${context.upRefresh} (it is added again)` });
    }
    return findings;
}

function federatedFindings(context: Context, live: LiveApp): Finding[] {
    const declaredIds = context.declared.federatedCredentialIds;
    const declaredText = declaredIds.length === 0 ? "no federated identity credentials" : `only ${declaredIds.map((id) => `federated credential ${id}`).join(", ")}`;
    const findings: Finding[] = live.federated.filter((f) => !declaredIds.some((d) => same(d, f.id))).map((f) => ({
        area: "credentials",
        found: `federated identity credential ${f.id} "${f.name}" (issuer ${f.issuer}, subject ${f.subject}): a token that issuer gives that subject signs in as the app, no secret needed`,
        declared: declaredText,
        fix: `if nobody needs it, az ad app federated-credential delete --id ${context.declared.clientId} --federated-credential-id ${f.id}`,
    }));
    for (const id of declaredIds.filter((d) => !live.federated.some((f) => same(f.id, d)))) {
        findings.push({ area: "credentials", found: `no federated identity credential ${id}`, declared: declaredText, fix: `${context.upRefresh} (it is added again)` });
    }
    return findings;
}

function servicePrincipalCredentialFindings(context: Context, live: LiveApp): Finding[] {
    const declaredSp = context.declared.servicePrincipal;
    if (!declaredSp) {
        return [];
    }
    if (live.servicePrincipal === "missing") {
        return [{
            area: "app",
            found: `no service principal ${declaredSp.objectId} for the app in the directory`,
            declared: `the app's service principal ${declaredSp.objectId}`,
            fix: `${context.upRefresh} (it creates the principal again and grants the new one its Azure DevOps access and consent in the same run)`,
        }];
    }
    if (!live.servicePrincipal) {
        return [];
    }
    const listing = live.servicePrincipal.listing;
    const declaredText = declaredSp.passwordKeyIds.length === 0 ? "no password credentials on the service principal" : `only ${declaredSp.passwordKeyIds.join(", ")}`;
    return [
        ...listing.passwordCredentials.filter((p) => !declaredSp.passwordKeyIds.some((d) => same(d, p.keyId))).map((p): Finding => ({
            area: "credentials",
            found: `password credential ${p.keyId} "${p.displayName ?? ""}" (ends ${day(p.endDateTime)}) on the app's service principal: whoever has its value can sign in as the app`,
            declared: declaredText,
            fix: `if nobody needs it, az ad sp credential delete --id ${context.declared.clientId} --key-id ${p.keyId}`,
        })),
        ...keyFindings(context, listing.keyCredentials, declaredSp.certificateKeyIds, "sp"),
    ];
}

const URI_KINDS = [
    { key: "web", label: "web", graph: "web" },
    { key: "spa", label: "single-page application (spa)", graph: "spa" },
    { key: "publicClient", label: "mobile and desktop (publicClient)", graph: "publicClient" },
] as const;

function redirectFindings(context: Context, live: LiveApp): Finding[] {
    const findings: Finding[] = [];
    for (const kind of URI_KINDS) {
        const wanted = context.declared.redirectUris[kind.key];
        const found = live.app[kind.graph].redirectUris;
        const declaredText = wanted.length === 0 ? `no ${kind.label} redirect URIs` : `${kind.label} redirect URIs ${wanted.join(", ")}`;
        for (const uri of found.filter((u) => !wanted.includes(u))) {
            findings.push({
                area: "redirect URIs",
                found: `${kind.label} redirect URI ${uri}: Entra sends sign-in codes and tokens there`,
                declared: declaredText,
                fix: `${context.upRefresh} (the Application's redirect URIs are authoritative: it removes the undeclared one)`,
            });
        }
        for (const uri of wanted.filter((u) => !found.includes(u))) {
            findings.push({
                area: "redirect URIs",
                found: `no ${kind.label} redirect URI ${uri}: sign-ins through dbt Cloud fail with AADSTS50011 until it is back`,
                declared: declaredText,
                fix: `${context.upRefresh} (it adds it again)`,
            });
        }
    }
    return findings;
}

function signInFindings(context: Context, live: LiveApp): Finding[] {
    const { declared } = context;
    const fix = `${context.upRefresh} (it sets the declared value again)`;
    const findings: Finding[] = [];
    if (live.app.signInAudience !== declared.signInAudience) {
        findings.push({ area: "sign-in", found: `signInAudience ${live.app.signInAudience || "(none)"}`, declared: `signInAudience ${declared.signInAudience}`, fix });
    }
    if (live.app.isFallbackPublicClient !== declared.fallbackPublicClient) {
        findings.push({ area: "sign-in", found: `public client flows ${onOff(live.app.isFallbackPublicClient)} (isFallbackPublicClient)`, declared: `public client flows ${onOff(declared.fallbackPublicClient)}`, fix });
    }
    const implicit = live.app.web.implicitGrantSettings;
    if (implicit.enableAccessTokenIssuance !== declared.implicitGrant.accessToken || implicit.enableIdTokenIssuance !== declared.implicitGrant.idToken) {
        findings.push({
            area: "sign-in",
            found: `implicit grant of access tokens ${onOff(implicit.enableAccessTokenIssuance)}, of ID tokens ${onOff(implicit.enableIdTokenIssuance)}`,
            declared: `implicit grant of access tokens ${onOff(declared.implicitGrant.accessToken)}, of ID tokens ${onOff(declared.implicitGrant.idToken)}`,
            fix,
        });
    }
    return findings;
}

function onOff(value: boolean): string {
    return value ? "on" : "off";
}

function describeObject(owner: DirectoryObject): string {
    const type = (owner["@odata.type"] ?? "").replace(/^#microsoft\.graph\./, "") || "object";
    const name = owner.userPrincipalName ?? owner.displayName;
    return `${type} ${name ? `${name} (${owner.id})` : owner.id}`;
}

function ownerFindings(context: Context, live: LiveApp): Finding[] {
    const { declared, graph } = context;
    const ownersText = (ids: string[]) => (ids.length === 0 ? "no owners" : `owners ${ids.join(", ")}`);
    const findings: Finding[] = [];
    for (const owner of live.owners.filter((o) => !declared.owners.some((d) => same(d, o.id)))) {
        findings.push({
            area: "owners",
            found: `owner ${describeObject(owner)} of the app: an owner can add credentials and redirect URIs to it`,
            declared: ownersText(declared.owners),
            fix: `az ad app owner remove --id ${declared.clientId} --owner-object-id ${owner.id}`,
        });
    }
    for (const id of declared.owners.filter((d) => !live.owners.some((o) => same(o.id, d)))) {
        findings.push({
            area: "owners",
            found: `${id} not among the app's owners`,
            declared: ownersText(declared.owners),
            fix: `az ad app owner add --id ${declared.clientId} --owner-object-id ${id} (\`pulumi up\` restores owners only when the stack sets \`owners\`; ` +
                "without it the program keeps whoever ran the first deploy and ignores later changes)",
        });
    }
    const sp = live.servicePrincipal;
    const declaredSp = declared.servicePrincipal;
    if (sp && sp !== "missing" && declaredSp) {
        for (const owner of sp.owners.filter((o) => !declaredSp.owners.some((d) => same(d, o.id)))) {
            findings.push({
                area: "owners",
                found: `owner ${describeObject(owner)} of the app's service principal`,
                declared: ownersText(declaredSp.owners),
                fix: `az rest --method DELETE --url '${graph}/servicePrincipals/${declaredSp.objectId}/owners/${owner.id}/$ref'`,
            });
        }
        for (const id of declaredSp.owners.filter((d) => !sp.owners.some((o) => same(o.id, d)))) {
            findings.push({
                area: "owners",
                found: `${id} not among the service principal's owners`,
                declared: ownersText(declaredSp.owners),
                fix: `az rest --method POST --url '${graph}/servicePrincipals/${declaredSp.objectId}/owners/$ref' --body '{"@odata.id": "${graph}/directoryObjects/${id}"}'`,
            });
        }
    }
    return findings;
}

/** "Microsoft Graph User.Read (delegated, e1fe6dd8-...)", from the resource's service principal when it could be read. */
function permissionName(directory: Directory, resourceAppId: string, id: string, type: string): string {
    const sp = directory.byAppId.get(resourceAppId.toLowerCase());
    const delegated = type.toLowerCase() === "scope";
    const value = (delegated ? sp?.oauth2PermissionScopes : sp?.appRoles)?.find((p) => same(p.id, id))?.value;
    return `${sp?.displayName ?? `API ${resourceAppId}`} ${value ?? "permission"} (${delegated ? "delegated" : "application"}, ${id})`;
}

function requiredAccessFindings(context: Context, live: LiveApp): Finding[] {
    const { declared } = context;
    const found = live.app.requiredResourceAccess.flatMap((r) => r.resourceAccess.map((a) => ({ resourceAppId: r.resourceAppId, id: a.id, type: a.type })));
    const key = (p: { resourceAppId: string; id: string; type: string }) => `${p.resourceAppId}|${p.id}|${p.type}`.toLowerCase();
    const declaredText = declared.requiredAccess.length === 0
        ? "no API permissions"
        : `only ${declared.requiredAccess.map((p) => permissionName(live.directory, p.resourceAppId, p.id, p.type)).join(", ")}`;
    const findings: Finding[] = found.filter((p) => !declared.requiredAccess.some((d) => key(d) === key(p))).map((p) => ({
        area: "required access",
        found: `API permission ${permissionName(live.directory, p.resourceAppId, p.id, p.type)}`,
        declared: declaredText,
        fix: `${context.upRefresh} (requiredResourceAccesses is authoritative: it removes it), or az ad app permission delete --id ${declared.clientId} ` +
            `--api ${p.resourceAppId} --api-permissions ${p.id}; a consent already given for it shows as a delegated grant or app role`,
    }));
    for (const p of declared.requiredAccess.filter((d) => !found.some((f) => key(f) === key(d)))) {
        findings.push({
            area: "required access",
            found: `no API permission ${permissionName(live.directory, p.resourceAppId, p.id, p.type)}`,
            declared: declaredText,
            fix: `${context.upRefresh} (it adds it again)`,
        });
    }
    return findings;
}

function appRoleFindings(context: Context, live: LiveApp): Finding[] {
    const declaredSp = context.declared.servicePrincipal;
    const sp = live.servicePrincipal;
    if (!declaredSp || !sp || sp === "missing") {
        return [];
    }
    const roleName = (resourceId: string, appRoleId: string, fallback?: string | null) => {
        const resource = live.directory.byObjectId.get(resourceId.toLowerCase());
        const value = resource?.appRoles.find((r) => same(r.id, appRoleId))?.value;
        return `${value ?? `app role ${appRoleId}`} of ${resource?.displayName ?? fallback ?? resourceId}`;
    };
    const heldText = declaredSp.appRolesHeld.length === 0 ? "no app roles held by the app's service principal"
        : `only ${declaredSp.appRolesHeld.map((a) => roleName(a.resourceObjectId, a.appRoleId)).join(", ")}`;
    const givenText = declaredSp.appRolesGiven.length === 0 ? "nobody assigned to the app" : `only ${declaredSp.appRolesGiven.map((a) => `${a.principalObjectId} (role ${a.appRoleId})`).join(", ")}`;
    const base = `${context.graph}/servicePrincipals/${declaredSp.objectId}`;
    const findings: Finding[] = [
        ...sp.appRolesHeld.filter((a) => !declaredSp.appRolesHeld.some((d) => same(d.resourceObjectId, a.resourceId) && same(d.appRoleId, a.appRoleId))).map((a): Finding => ({
            area: "app roles",
            found: `${roleName(a.resourceId, a.appRoleId, a.resourceDisplayName)} granted to the app's service principal (an application permission: usable with the client secret alone, no user; assignment ${a.id})`,
            declared: heldText,
            fix: `az rest --method DELETE --url '${base}/appRoleAssignments/${a.id}'`,
        })),
        ...sp.appRolesGiven.filter((a) => !declaredSp.appRolesGiven.some((d) => same(d.principalObjectId, a.principalId) && same(d.appRoleId, a.appRoleId))).map((a): Finding => ({
            area: "app roles",
            found: `${a.principalType ?? "principal"} ${a.principalDisplayName ? `${a.principalDisplayName} (${a.principalId})` : a.principalId} assigned to the app (app role ${a.appRoleId}, assignment ${a.id})`,
            declared: givenText,
            fix: `if nobody meant it, az rest --method DELETE --url '${base}/appRoleAssignedTo/${a.id}'`,
        })),
    ];
    for (const d of declaredSp.appRolesHeld.filter((d) => !sp.appRolesHeld.some((a) => same(d.resourceObjectId, a.resourceId) && same(d.appRoleId, a.appRoleId)))) {
        findings.push({ area: "app roles", found: `no ${roleName(d.resourceObjectId, d.appRoleId)} for the app's service principal`, declared: heldText, fix: `${context.upRefresh} (it assigns it again)` });
    }
    for (const d of declaredSp.appRolesGiven.filter((d) => !sp.appRolesGiven.some((a) => same(d.principalObjectId, a.principalId) && same(d.appRoleId, a.appRoleId)))) {
        findings.push({ area: "app roles", found: `no assignment of ${d.principalObjectId} to the app (role ${d.appRoleId})`, declared: givenText, fix: `${context.upRefresh} (it assigns it again)` });
    }
    return findings;
}

function claims(scope: string): string[] {
    return scope.split(" ").filter(Boolean);
}

/**
 * Delegated grants to the app's principal. Tenant-wide consent must be exactly the declared grants.
 * A user's own consent is theirs to give, but only to what the app declares it needs: a grant to
 * anything else (say, Graph after User.Read came back in the portal) is reported.
 */
function grantFindings(context: Context, live: LiveApp): Finding[] {
    const declaredSp = context.declared.servicePrincipal;
    const sp = live.servicePrincipal;
    if (!declaredSp || !sp || sp === "missing") {
        return [];
    }
    const directory = live.directory;
    const resourceName = (resourceId: string) => directory.byObjectId.get(resourceId.toLowerCase())?.displayName ?? `service principal ${resourceId}`;
    const tenantWide = declaredSp.grants.filter((g) => g.userObjectId === undefined);
    const declaredText = tenantWide.length === 0 ? "no tenant-wide consent"
        : `tenant-wide consent to ${tenantWide.map((g) => `${resourceName(g.resourceObjectId)} ${g.claims.join(" ")}`).join("; ")} only`;
    const revoke = (id: string) => `az rest --method DELETE --url '${context.graph}/oauth2PermissionGrants/${id}'`;
    const findings: Finding[] = [];
    for (const grant of sp.grants) {
        const scopes = claims(grant.scope);
        if (grant.consentType === "AllPrincipals") {
            const match = tenantWide.find((d) => same(d.resourceObjectId, grant.resourceId));
            if (!match) {
                findings.push({ area: "delegated grants", found: `tenant-wide consent to ${resourceName(grant.resourceId)} ${scopes.join(" ")} (grant ${grant.id})`, declared: declaredText, fix: revoke(grant.id) });
                continue;
            }
            const extra = scopes.filter((s) => !match.claims.includes(s));
            const missing = match.claims.filter((s) => !scopes.includes(s));
            if (extra.length > 0 || missing.length > 0) {
                findings.push({
                    area: "delegated grants",
                    found: `tenant-wide consent to ${resourceName(grant.resourceId)} ${scopes.join(" ") || "(no scopes)"} (grant ${grant.id})`,
                    declared: declaredText,
                    fix: `${context.upRefresh} (the grant's claims are authoritative: it sets them back)`,
                });
            }
            continue;
        }
        const allowed = allowedUserScopes(context, directory, grant.resourceId);
        const beyond = scopes.filter((s) => !allowed.includes(s));
        if (beyond.length > 0) {
            findings.push({
                area: "delegated grants",
                found: `user ${grant.principalId} consented for the app to ${resourceName(grant.resourceId)} ${beyond.join(" ")} (grant ${grant.id}), which the app does not declare it needs`,
                declared: allowed.length === 0 ? `no API permission on ${resourceName(grant.resourceId)}` : `${resourceName(grant.resourceId)} ${allowed.join(" ")} only`,
                fix: revoke(grant.id),
            });
        }
    }
    for (const d of tenantWide.filter((d) => !sp.grants.some((g) => g.consentType === "AllPrincipals" && same(g.resourceId, d.resourceObjectId)))) {
        findings.push({
            area: "delegated grants",
            found: `no tenant-wide consent to ${resourceName(d.resourceObjectId)} ${d.claims.join(" ")}: every user is asked to consent (or cannot, where user consent is off)`,
            declared: declaredText,
            fix: `${context.upRefresh} (it grants it again)`,
        });
    }
    return findings;
}

/** The delegated scope values the app declares on the API whose principal is `resourceId`. */
function allowedUserScopes(context: Context, directory: Directory, resourceId: string): string[] {
    const resource = directory.byObjectId.get(resourceId.toLowerCase());
    if (!resource) {
        return [];
    }
    return context.declared.requiredAccess
        .filter((p) => same(p.resourceAppId, resource.appId) && p.type.toLowerCase() === "scope")
        .map((p) => resource.oauth2PermissionScopes.find((s) => same(s.id, p.id))?.value)
        .filter((v): v is string => typeof v === "string");
}

function lockFindings(context: Context, live: LiveApp): Finding[] {
    const lock = context.declared.lock;
    if (!lock) {
        return [];
    }
    const found = live.app.servicePrincipalLockConfiguration ?? {};
    // isEnabled first: the switch that matters; then the rest as declared.
    const keys = Object.keys(lock).sort((a, b) => Number(b === "isEnabled") - Number(a === "isEnabled"));
    if (keys.every((k) => (found[k] === true) === lock[k])) {
        return [];
    }
    const show = (l: Record<string, boolean | undefined>) => keys.map((k) => `${k}=${l[k] === true}`).join(", ");
    return [{
        area: "instance lock",
        found: `the app instance property lock ${lock.isEnabled === true && found.isEnabled !== true ? "lifted" : "changed"} (${show(found)}): ` +
            "a tenant's copy of the app can then be given credentials of its own",
        declared: show(lock),
        fix: `${context.upRefresh} (the AppInstanceLock resource reads the lock and sets it again)`,
    }];
}
