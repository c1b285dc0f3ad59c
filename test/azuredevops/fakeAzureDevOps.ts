/**
 * A stateful fake of the Azure DevOps endpoints the providers use, served by FakeServer under
 * /core, /vssps and /vsaex so tests also check that each call goes to the right host.
 * Payload shapes follow the MicrosoftDocs/vsts-rest-api-specs 7.1 examples.
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
    /** How POST for an already-present principal answers. */
    public duplicateAddMode: "409" | "isSuccessFalse" = "isSuccessFalse";

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

    /** Adds a principal as if done by hand in the portal. */
    public addPrincipalByHand(objectId: string, license: string): Entitlement {
        const entitlement = { id: `sk-${objectId}`, license, descriptor: FakeAzureDevOps.subjectDescriptor(objectId), originId: objectId };
        this.entitlements.set(entitlement.id, entitlement);
        return entitlement;
    }

    private entitlementBody(e: Entitlement) {
        return {
            id: e.id,
            accessLevel: { licensingSource: "account", accountLicenseType: e.license, status: "pending" },
            servicePrincipal: { subjectKind: "servicePrincipal", origin: "aad", originId: e.originId, displayName: "dbt Labs Azure DevOps app", descriptor: e.descriptor },
            projectEntitlements: [],
        };
    }

    private handle(request: RecordedRequest): Reply {
        const match = /^\/(core|vssps|vsaex)\/([^/]+)\/_apis\/(.*)$/.exec(request.path);
        if (!match) {
            return { status: 404, body: { message: "no route" } };
        }
        const [, host, org, rest] = match;
        const route = `${request.method} ${host} ${rest}`;

        if (route === "GET core connectionData") {
            const tenant = this.orgTenants.get(org);
            return tenant === undefined
                ? { status: 404, raw: "<html>not found</html>" }
                : { status: 200, body: { authenticatedUser: { id: "anonymous" } }, headers: { "X-VSS-ResourceTenant": tenant } };
        }
        if (request.headers.authorization !== `Basic ${Buffer.from(`:${PAT}`).toString("base64")}`) {
            return { status: 401, body: { message: "TF400813: The user is not authorized to access this resource." } };
        }
        if (!this.orgTenants.has(org)) {
            return { status: 404, body: { message: `org ${org} not found` } };
        }
        const q = request.query;

        if (route === "PATCH vssps Organization/Organizations/Me") {
            const ops = request.body as Array<{ op: number; path: string; value: string }>;
            this.orgTenants.set(org, ops[0].value);
            return { status: 200, body: { id: "org-id", name: org } };
        }
        if (route === "GET core projects") {
            return { status: 200, body: { count: this.projects.length, value: this.projects.map((p) => ({ ...p, state: "wellFormed" })) } };
        }
        let m: RegExpExecArray | null;
        if ((m = /^GET vssps graph\/descriptors\/(.+)$/.exec(route))) {
            return { status: 200, body: { value: `scp.${opaque(m[1])}` } };
        }
        if (route === "GET vssps graph/groups") {
            const project = this.projects.find((p) => `scp.${opaque(p.id)}` === q.get("scopeDescriptor"));
            const names = ["Readers", "Contributors", "Project Administrators", "Build Administrators"];
            return {
                status: 200,
                body: { count: names.length, value: project ? names.map((n) => ({ displayName: n, principalName: `[${project.name}]\\${n}`, descriptor: FakeAzureDevOps.groupDescriptor(project.id, n) })) : [] },
            };
        }
        if ((m = /^(GET|PUT|DELETE) vssps graph\/memberships\/([^/]+)\/([^/]+)$/.exec(route))) {
            const key = `${m[2]}|${m[3]}`;
            if (m[1] === "PUT") {
                this.memberships.add(key);
                return { status: 201, body: { memberDescriptor: m[2], containerDescriptor: m[3] } };
            }
            if (!this.memberships.has(key)) {
                return { status: 404, body: { message: "membership not found" } };
            }
            if (m[1] === "DELETE") {
                this.memberships.delete(key);
                return { status: 200 };
            }
            return { status: 200, body: { memberDescriptor: m[2], containerDescriptor: m[3] } };
        }
        if (route === "GET vssps graph/serviceprincipals") {
            const value = [...this.entitlements.values()].map((e) => ({ subjectKind: "servicePrincipal", origin: "aad", originId: e.originId, descriptor: e.descriptor, displayName: "dbt Labs Azure DevOps app" }));
            return { status: 200, body: { count: value.length, value } };
        }
        if ((m = /^GET vssps graph\/storagekeys\/(.+)$/.exec(route))) {
            const e = [...this.entitlements.values()].find((x) => x.descriptor === m![1]);
            return e ? { status: 200, body: { value: e.id } } : { status: 404, body: { message: "unknown subject" } };
        }
        if (route === "GET vssps identities") {
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
            const e = this.addPrincipalByHand(body.servicePrincipal.originId, body.accessLevel.accountLicenseType);
            return { status: 200, body: { isSuccess: true, operationResult: { isSuccess: true, servicePrincipalId: e.id, errors: [] }, servicePrincipalEntitlement: this.entitlementBody(e) } };
        }
        if ((m = /^(GET|PATCH|DELETE) vsaex serviceprincipalentitlements\/(.+)$/.exec(route))) {
            const e = this.entitlements.get(m[2]);
            if (!e) {
                return { status: 404, body: { message: "VS403300: not found" } };
            }
            if (m[1] === "DELETE") {
                this.entitlements.delete(e.id);
                return { status: 204 };
            }
            if (m[1] === "PATCH") {
                const ops = request.body as Array<{ value: { accountLicenseType: string } }>;
                e.license = ops[0].value.accountLicenseType;
                return { status: 200, body: { isSuccess: true, operationResults: [{ isSuccess: true, errors: [] }] } };
            }
            return { status: 200, body: this.entitlementBody(e) };
        }
        if ((m = /^GET core accesscontrollists\/(.+)$/.exec(route))) {
            const token = q.get("token") ?? "";
            const identity = q.get("descriptors") ?? "";
            const allow = this.aceBits(m[1], token, identity);
            const acesDictionary = allow ? { [identity]: { descriptor: identity, allow, deny: 0 } } : {};
            return { status: 200, body: { count: 1, value: [{ inheritPermissions: true, token, acesDictionary }] } };
        }
        if ((m = /^POST core accesscontrolentries\/(.+)$/.exec(route))) {
            const body = request.body as { token: string; merge: boolean; accessControlEntries: Array<{ descriptor: string; allow: number }> };
            for (const ace of body.accessControlEntries) {
                const key = `${m[1]}|${body.token}|${ace.descriptor}`;
                this.aces.set(key, (body.merge ? this.aces.get(key) ?? 0 : 0) | ace.allow);
            }
            return { status: 200, body: { count: body.accessControlEntries.length, value: body.accessControlEntries } };
        }
        if ((m = /^DELETE core permissions\/([^/]+)\/(\d+)$/.exec(route))) {
            const key = `${m[1]}|${q.get("token")}|${q.get("descriptor")}`;
            const remaining = (this.aces.get(key) ?? 0) & ~Number(m[2]);
            if (remaining === 0) this.aces.delete(key); else this.aces.set(key, remaining);
            return { status: 200, body: { descriptor: q.get("descriptor"), allow: remaining, deny: 0 } };
        }
        return { status: 404, body: { message: `fake has no route for ${route}` } };
    }
}
