/**
 * A stateful fake of the Azure DevOps endpoints the providers use, served by FakeServer under
 * /core, /vssps and /vsaex so tests also check that each call goes to the right host.
 * Payload shapes follow the MicrosoftDocs/vsts-rest-api-specs 7.1 examples.
 *
 * Behaviours beyond the happy path, each switchable per test (source beside each):
 * - `pageSize`: lists page with an `x-ms-continuationtoken` header, the next page asked for with
 *   `continuationToken` (vsts-rest-api-specs graph 7.1 "Service Principals - List", "Groups - List",
 *   core "Projects - List").
 * - `anonymousAnswer`: connectionData without credentials answered 200, 401, 302 (a redirect to the
 *   sign-in page) or 203 (the sign-in page, HTML), each with X-VSS-ResourceTenant (REFERENCE.md,
 *   "Azure DevOps: behaviours beyond the happy path").
 * - `denies`: ACEs carry deny bits as well as allow bits (vsts-rest-api-specs security 7.1
 *   "Access Control Lists - Query": acesDictionary entries with `allow` and `deny`).
 * - `readLag`: after a write, that many reads of the same ACE, membership or entitlement still
 *   answer the old value (terraform-provider-azuredevops polls after writing for this:
 *   permissions/utils/securityHelper.go, SetPrincipalPermissions' StateChangeConf).
 * - `answerLicence`: the add answers (and keeps) another licence than asked for
 *   (vsts-rest-api-specs 7.1 example POST__memberEntitlementManagement_ServicePrincipalEntitlement:
 *   asks "stakeholder", answered "earlyAdopter").
 * - `removedEntitlementAnswer: "statusNone"`: a removed entitlement is still answered, with access
 *   level status "none" (terraform-provider-azuredevops resource_service_principal_entitlement.go
 *   treats status none/deleted as deleted).
 * - `invalidatePatsOnConnect`: connecting the organization to a directory makes the PAT in use
 *   fail (Microsoft's "Connect your organization to Microsoft Entra ID" says to reconfigure PATs).
 * - membership existence answers `HEAD` (404 when absent; vsts-rest-api-specs graph 7.1
 *   "Memberships - Check Membership Existence"); `membershipCheckAnswer: "302"` answers it with a
 *   redirect to the sign-in page, which itself answers 200 (HTML), as a refused credential may get
 *   (REFERENCE.md: anonymous calls may be answered 302 to sign-in).
 * - `refusedCredentialAnswer: "203"`: a refused credential gets 203 with the HTML sign-in page on
 *   GET and POST, and 401 TF400813 on PATCH (REFERENCE.md "A bad PAT gets 203 + HTML on GET/POST and
 *   401 TF400813 on PATCH"); the default answers 401 TF400813 to every method.
 * - `acceptEntraTokens`: an Entra access token for Azure DevOps (a JWT whose `aud` is its app id,
 *   499b84ac-..., from the organization's tenant) is accepted as well as the PAT, as Azure DevOps
 *   accepts Microsoft Entra tokens ("Use Microsoft Entra tokens" in Microsoft's Azure DevOps auth docs).
 * - connectionData with a credential answers `authenticatedUser` (the caller's identity, descriptor
 *   included), without one an anonymous user (vsts-rest-api-specs location "Connection Data").
 * - `routes`: further routes (test/doctor/fakeAdoRights.ts), tried after the credential and the
 *   organization were checked.
 */
import { FakeServer, RecordedRequest, Reply } from "../http/fakeServer";

export const ORG = "contoso";
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const OTHER_TENANT = "11111111-2222-3333-4444-555555555555";
export const PAT = "adoPAT-do-not-leak-9d8c7b6a";
export const SP_OBJECT_ID = "92e26ce8-8e7c-4555-bdab-813b34b8e53a";
export const PROJECT = { id: "c944c983-e90b-4499-938a-5897ea954ace", name: "Analytics" };
export const OTHER_PROJECT = { id: "0a1b2c3d-0000-4000-8000-000000000001", name: "Web" };

/** Descriptor-safe base64 (no "/" or "+"), like the opaque ids Azure DevOps hands out. */
function opaque(text: string): string {
    return Buffer.from(text).toString("base64").replace(/\//g, "_").replace(/\+/g, "-").replace(/=+$/, "");
}

interface Entitlement { id: string; license: string; descriptor: string; originId: string }

export class FakeAzureDevOps {
    public readonly server: FakeServer;
    /** org -> connected tenant (all-zero = not connected). */
    public readonly orgTenants = new Map<string, string>([[ORG, TENANT]]);
    public readonly projects = [PROJECT, OTHER_PROJECT];
    public readonly entitlements = new Map<string, Entitlement>();
    /** "subject|container" direct memberships. */
    public readonly memberships = new Set<string>();
    /** "namespace|token|identityDescriptor" -> allow bits. */
    public readonly aces = new Map<string, number>();
    /** "namespace|token|identityDescriptor" -> explicit deny bits. */
    public readonly denies = new Map<string, number>();
    /** How POST for an already-present principal answers. */
    public duplicateAddMode: "409" | "isSuccessFalse" = "isSuccessFalse";
    /**
     * When set, every add is refused with this answer: a 400 or 409 carries the standard Azure DevOps
     * error body `{ message, typeKey }` and no operationResult (vsts-rest-api-specs 7.1: only a 200
     * carries ServicePrincipalEntitlementsPostResponse).
     */
    public refuseAddWith: Reply | undefined;
    /** Page size for list endpoints; undefined answers everything at once. */
    public pageSize: number | undefined;
    /** How connectionData answers an anonymous caller. */
    public anonymousAnswer: "200" | "401" | "302" | "203" = "200";
    /** Reads after a write that still answer the value from before it. */
    public readLag = 0;
    /** When set, the licence an add or PATCH answers and keeps, whatever was asked for. */
    public answerLicence: string | undefined;
    /** How a GET of a removed entitlement answers. */
    public removedEntitlementAnswer: "404" | "statusNone" = "404";
    /** How HEAD graph/memberships answers: as the state says, or a redirect to the sign-in page. */
    public membershipCheckAnswer: "state" | "302" = "state";
    public invalidatePatsOnConnect = false;
    /** How a refused credential is answered (see the header). */
    public refusedCredentialAnswer: "401" | "203" = "401";
    /** Accept Entra access tokens for Azure DevOps from the organization's tenant besides the PAT. */
    public acceptEntraTokens = false;
    /** The identity connectionData reports for an authenticated caller. */
    public caller = { id: "7e57a7e5-0000-4000-8000-0000000000e5", descriptor: `Microsoft.IdentityModel.Claims.ClaimsIdentity;${TENANT}\\deployer@contoso.com`, providerDisplayName: "Deployer" };
    /** Further routes: `route` is "METHOD host path" (path after _apis/); undefined lets the next one answer. */
    public readonly routes: Array<(route: string, request: RecordedRequest, org: string) => Reply | undefined> = [];
    private patInvalidated = false;
    private readonly removed = new Map<string, Entitlement>();
    private readonly stale = new Map<string, { value: unknown; remaining: number }>();

    constructor() {
        this.server = new FakeServer((request) => this.handle(request));
    }

    public async start(): Promise<Record<string, string>> {
        const base = await this.server.start();
        return { AZDO_CORE_BASE_URL: `${base}/core`, AZDO_VSSPS_BASE_URL: `${base}/vssps`, AZDO_VSAEX_BASE_URL: `${base}/vsaex` };
    }

    public static groupDescriptor(projectId: string, group: string): string {
        return `vssgp.${opaque(`${projectId}:${group}`)}`;
    }

    public static subjectDescriptor(objectId: string): string {
        return `aadsp.${opaque(`sk-${objectId}`)}`;
    }

    public static identityDescriptor(objectId: string): string {
        return `Microsoft.VisualStudio.Services.Claims.AadServicePrincipal;${TENANT}\\${objectId}`;
    }

    public aceBits(namespaceId: string, token: string, identity: string): number {
        return this.aces.get(`${namespaceId}|${token}|${identity}`) ?? 0;
    }

    public denyBits(namespaceId: string, token: string, identity: string): number {
        return this.denies.get(`${namespaceId}|${token}|${identity}`) ?? 0;
    }

    /** Remembers `before` for the next `readLag` reads of `key`. */
    private wrote(key: string, before: unknown): void {
        if (this.readLag > 0) {
            this.stale.set(key, { value: before, remaining: this.readLag });
        }
    }

    /** What a read of `key` answers: the pre-write value while the lag lasts, else `now`. */
    private lagged<T>(key: string, now: T): T {
        const entry = this.stale.get(key);
        if (entry && entry.remaining > 0) {
            entry.remaining--;
            return entry.value as T;
        }
        this.stale.delete(key);
        return now;
    }

    private page<T>(items: T[], q: URLSearchParams): Reply {
        if (!this.pageSize) {
            return { status: 200, body: { count: items.length, value: items } };
        }
        const start = Number(q.get("continuationToken") ?? "0");
        const value = items.slice(start, start + this.pageSize);
        const next = start + this.pageSize < items.length ? String(start + this.pageSize) : undefined;
        return { status: 200, body: { count: value.length, value }, headers: next ? { "x-ms-continuationtoken": next } : {} };
    }

    /**
     * Removes a principal from the organization (also what a test does "behind Pulumi's back"), and
     * with it its group memberships: vsts-rest-api-specs memberEntitlementManagement 7.1 "Service
     * Principal Entitlements - Delete" says the delete "includes unassigning Extensions and Licenses
     * and removing the service principal from all project memberships" (the same text is in
     * azure-devops-node-api's and the Java client's doc comments). Its explicit ACEs stay: that text
     * names no permissions, and ACEs are keyed by the identity descriptor, which outlives the
     * entitlement; an assumption, not a documented fact.
     */
    public removeEntitlement(id: string): void {
        const e = this.entitlements.get(id);
        if (e) {
            this.entitlements.delete(id);
            this.removed.set(id, e);
            for (const key of [...this.memberships].filter((k) => k.startsWith(`${e.descriptor}|`))) {
                this.memberships.delete(key);
            }
        }
    }

    /** Adds a principal as if done by hand in the portal. */
    public addPrincipalByHand(objectId: string, license: string): Entitlement {
        const entitlement = { id: `sk-${objectId}`, license, descriptor: FakeAzureDevOps.subjectDescriptor(objectId), originId: objectId };
        this.entitlements.set(entitlement.id, entitlement);
        return entitlement;
    }

    private entitlementBody(e: Entitlement, status = "pending") {
        return {
            id: e.id,
            accessLevel: { licensingSource: "account", accountLicenseType: e.license, status },
            servicePrincipal: { subjectKind: "servicePrincipal", origin: "aad", originId: e.originId, displayName: "dbt Labs Azure DevOps app", descriptor: e.descriptor },
            projectEntitlements: [],
        };
    }

    private handle(request: RecordedRequest): Reply {
        if (request.path.startsWith("/signin/")) {
            return { status: 200, raw: "<html><body>Sign in to your account</body></html>", headers: { "Content-Type": "text/html; charset=utf-8" } };
        }
        const match = /^\/(core|vssps|vsaex)\/([^/]+)\/_apis\/(.*)$/.exec(request.path);
        if (!match) {
            return { status: 404, body: { message: "no route" } };
        }
        const [, host, org, rest] = match;
        const route = `${request.method} ${host} ${rest}`;

        if (route === "GET core connectionData") {
            const tenant = this.orgTenants.get(org);
            if (tenant === undefined) {
                return { status: 404, raw: "<html>not found</html>" };
            }
            const header = { "X-VSS-ResourceTenant": tenant };
            switch (this.anonymousAnswer) {
                case "401":
                    return { status: 401, body: { message: "TF400813: anonymous" }, headers: header };
                case "302":
                    // Followed, this would land on the sign-in host, which has no such header (nor route here).
                    return { status: 302, raw: "", headers: { ...header, Location: `${this.server.baseUrl}/signin/_signin?realm=dev.azure.com` } };
                case "203":
                    return { status: 203, raw: "<html><body>Sign in to your account</body></html>", headers: { ...header, "Content-Type": "text/html; charset=utf-8" } };
                default:
                    if (request.headers.authorization !== undefined) {
                        return this.authorized(request, org)
                            ? { status: 200, body: { authenticatedUser: { ...this.caller, subjectDescriptor: `aad.${opaque(this.caller.id)}` }, instanceId: "instance" }, headers: header }
                            : this.refused(request);
                    }
                    return { status: 200, body: { authenticatedUser: { id: "anonymous" } }, headers: header };
            }
        }
        if (!this.authorized(request, org)) {
            return this.refused(request);
        }
        if (!this.orgTenants.has(org)) {
            return { status: 404, body: { message: `org ${org} not found` } };
        }
        const q = request.query;

        if (route === "PATCH vssps Organization/Organizations/Me") {
            const ops = request.body as Array<{ op: number; path: string; value: string }>;
            this.orgTenants.set(org, ops[0].value);
            this.patInvalidated = this.invalidatePatsOnConnect;
            return { status: 200, body: { id: "org-id", name: org } };
        }
        if (route === "GET core projects") {
            return this.page(this.projects.map((p) => ({ ...p, state: "wellFormed" })), q);
        }
        let m: RegExpExecArray | null;
        if ((m = /^GET core projects\/([^/]+)$/.exec(route))) {
            const project = this.projects.find((p) => p.id === m![1] || p.name === m![1]);
            return project ? { status: 200, body: { ...project, state: "wellFormed" } } : { status: 404, body: { message: `TF200016: The following project does not exist: ${m[1]}` } };
        }
        if ((m = /^GET vssps graph\/descriptors\/(.+)$/.exec(route))) {
            return { status: 200, body: { value: `scp.${opaque(m[1])}` } };
        }
        if (route === "GET vssps graph/groups") {
            const project = this.projects.find((p) => `scp.${opaque(p.id)}` === q.get("scopeDescriptor"));
            const names = ["Readers", "Contributors", "Project Administrators", "Build Administrators"];
            return this.page(project ? names.map((n) => ({ displayName: n, principalName: `[${project.name}]\\${n}`, descriptor: FakeAzureDevOps.groupDescriptor(project.id, n) })) : [], q);
        }
        if ((m = /^(GET|HEAD|PUT|DELETE) vssps graph\/memberships\/([^/]+)\/([^/]+)$/.exec(route))) {
            const key = `${m[2]}|${m[3]}`;
            const was = this.memberships.has(key);
            if (m[1] === "HEAD" && this.membershipCheckAnswer === "302") {
                return { status: 302, raw: "", headers: { Location: `${this.server.baseUrl}/signin/_signin?realm=dev.azure.com` } };
            }
            if (m[1] === "PUT") {
                this.wrote(`m|${key}`, was);
                this.memberships.add(key);
                return { status: 201, body: { memberDescriptor: m[2], containerDescriptor: m[3] } };
            }
            if (m[1] === "DELETE") {
                if (!was) {
                    return { status: 404, body: { message: "membership not found" } };
                }
                this.wrote(`m|${key}`, was);
                this.memberships.delete(key);
                return { status: 200 };
            }
            if (!this.lagged(`m|${key}`, was)) {
                return m[1] === "HEAD" ? { status: 404, raw: "" } : { status: 404, body: { message: "membership not found" } };
            }
            return m[1] === "HEAD" ? { status: 200, raw: "" } : { status: 200, body: { memberDescriptor: m[2], containerDescriptor: m[3] } };
        }
        if (route === "GET vssps graph/serviceprincipals") {
            const value = [...this.entitlements.values()].map((e) => ({ subjectKind: "servicePrincipal", origin: "aad", originId: e.originId, descriptor: e.descriptor, displayName: "dbt Labs Azure DevOps app" }));
            return this.page(value, q);
        }
        if ((m = /^GET vssps graph\/storagekeys\/(.+)$/.exec(route))) {
            const e = [...this.entitlements.values()].find((x) => x.descriptor === m![1]);
            return e ? { status: 200, body: { value: e.id } } : { status: 404, body: { message: "unknown subject" } };
        }
        if (route === "GET vssps identities" && q.get("subjectDescriptors") !== null) {
            const subject = q.get("subjectDescriptors") ?? "";
            const e = [...this.entitlements.values()].find((x) => x.descriptor === subject);
            return { status: 200, body: { count: e ? 1 : 0, value: e ? [{ id: e.id, descriptor: FakeAzureDevOps.identityDescriptor(e.originId), subjectDescriptor: subject }] : [] } };
        }
        if (route === "POST vsaex serviceprincipalentitlements") {
            const body = request.body as { accessLevel: { accountLicenseType: string }; servicePrincipal: { originId: string } };
            const existing = [...this.entitlements.values()].find((e) => e.originId === body.servicePrincipal.originId);
            if (existing) {
                return this.duplicateAddMode === "409"
                    ? { status: 409, body: { message: "VS403283: Could not add user as it already exists." } }
                    : { status: 200, body: { isSuccess: false, operationResult: { isSuccess: false, errors: [{ key: 5032, value: "Service principal already exists in the organization." }] } } };
            }
            if (this.refuseAddWith) {
                return this.refuseAddWith;
            }
            this.wrote(`e|sk-${body.servicePrincipal.originId}`, undefined);
            const e = this.addPrincipalByHand(body.servicePrincipal.originId, this.answerLicence ?? body.accessLevel.accountLicenseType);
            this.removed.delete(e.id);
            return { status: 200, body: { isSuccess: true, operationResult: { isSuccess: true, servicePrincipalId: e.id, errors: [] }, servicePrincipalEntitlement: this.entitlementBody(e) } };
        }
        if ((m = /^(GET|PATCH|DELETE) vsaex serviceprincipalentitlements\/(.+)$/.exec(route))) {
            const current = this.entitlements.get(m[2]);
            if (m[1] === "GET") {
                const seen = this.lagged<Entitlement | undefined>(`e|${m[2]}`, current ? { ...current } : undefined);
                if (seen) {
                    return { status: 200, body: this.entitlementBody(seen) };
                }
                const removed = this.removed.get(m[2]);
                return removed && this.removedEntitlementAnswer === "statusNone"
                    ? { status: 200, body: this.entitlementBody({ ...removed, license: "none" }, "none") }
                    : { status: 404, body: { message: "VS403300: not found" } };
            }
            const e = current;
            if (!e) {
                return { status: 404, body: { message: "VS403300: not found" } };
            }
            this.wrote(`e|${e.id}`, { ...e });
            if (m[1] === "DELETE") {
                this.removeEntitlement(e.id);
                return { status: 204 };
            }
            const ops = request.body as Array<{ value: { accountLicenseType: string } }>;
            e.license = this.answerLicence ?? ops[0].value.accountLicenseType;
            return { status: 200, body: { isSuccess: true, operationResults: [{ isSuccess: true, errors: [] }] } };
        }
        if ((m = /^GET core accesscontrollists\/(.+)$/.exec(route))) {
            const token = q.get("token") ?? "";
            const identity = q.get("descriptors") ?? "";
            const key = `${m[1]}|${token}|${identity}`;
            const { allow, deny } = this.lagged(`a|${key}`, { allow: this.aces.get(key) ?? 0, deny: this.denies.get(key) ?? 0 });
            const acesDictionary = allow || deny ? { [identity]: { descriptor: identity, allow, deny } } : {};
            return { status: 200, body: { count: 1, value: [{ inheritPermissions: true, token, acesDictionary }] } };
        }
        if ((m = /^POST core accesscontrolentries\/(.+)$/.exec(route))) {
            const body = request.body as { token: string; merge: boolean; accessControlEntries: Array<{ descriptor: string; allow: number }> };
            for (const ace of body.accessControlEntries) {
                const key = `${m[1]}|${body.token}|${ace.descriptor}`;
                this.wrote(`a|${key}`, { allow: this.aces.get(key) ?? 0, deny: this.denies.get(key) ?? 0 });
                this.aces.set(key, (body.merge ? this.aces.get(key) ?? 0 : 0) | ace.allow);
            }
            return { status: 200, body: { count: body.accessControlEntries.length, value: body.accessControlEntries } };
        }
        if ((m = /^DELETE core permissions\/([^/]+)\/(\d+)$/.exec(route))) {
            const key = `${m[1]}|${q.get("token")}|${q.get("descriptor")}`;
            this.wrote(`a|${key}`, { allow: this.aces.get(key) ?? 0, deny: this.denies.get(key) ?? 0 });
            // "Permissions - Remove" clears the bits from both allow and deny.
            const remaining = (this.aces.get(key) ?? 0) & ~Number(m[2]);
            const denyLeft = (this.denies.get(key) ?? 0) & ~Number(m[2]);
            if (remaining === 0) this.aces.delete(key); else this.aces.set(key, remaining);
            if (denyLeft === 0) this.denies.delete(key); else this.denies.set(key, denyLeft);
            return { status: 200, body: { descriptor: q.get("descriptor"), allow: remaining, deny: denyLeft } };
        }
        for (const extra of this.routes) {
            const reply = extra(route, request, org);
            if (reply) {
                return reply;
            }
        }
        return { status: 404, body: { message: `fake has no route for ${route}` } };
    }

    /** The PAT (until a connect invalidated it), or an Entra token for Azure DevOps from the organization's tenant. */
    private authorized(request: RecordedRequest, org: string): boolean {
        const header = String(request.headers.authorization ?? "");
        if (!this.patInvalidated && header === `Basic ${Buffer.from(`:${PAT}`).toString("base64")}`) {
            return true;
        }
        const bearer = /^Bearer ([^.]+)\.([^.]+)\./.exec(header);
        if (!this.acceptEntraTokens || !bearer) {
            return false;
        }
        try {
            const claims = JSON.parse(Buffer.from(bearer[2], "base64url").toString("utf8")) as { aud?: string; tid?: string };
            return claims.aud === "499b84ac-1321-427f-aa17-267ca6975798" && claims.tid === this.orgTenants.get(org);
        } catch {
            return false;
        }
    }

    private refused(request: RecordedRequest): Reply {
        if (this.refusedCredentialAnswer === "203" && request.method !== "PATCH") {
            return { status: 203, raw: "<html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in to your account</body></html>", headers: { "Content-Type": "text/html; charset=utf-8" } };
        }
        return { status: 401, body: { message: "TF400813: The user is not authorized to access this resource." } };
    }
}
