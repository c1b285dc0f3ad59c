/**
 * What `npm run doctor` reads of Azure DevOps beyond the providers' calls, served by the Azure
 * DevOps fake (test/azuredevops/fakeAzureDevOps.ts, its `routes`): the caller's rights and the
 * organization's licences. Shapes follow MicrosoftDocs/vsts-rest-api-specs 7.1:
 *
 * - security "Security Namespaces - Query" (GET _apis/securitynamespaces/{id}): each namespace's
 *   `actions` and `writePermission`, the bits needed to change its ACLs (the spec's example gives
 *   Identity write 4, Git Repositories write 8192; ServiceHooks is not in it: write 2, EditSubscriptions,
 *   is this fake's assumption);
 * - security "Permissions - Has Permissions" (GET _apis/permissions/{ns}/{bits}?tokens=a,b): one
 *   boolean per token, for the caller; with alwaysAllowAdministrators a Project Collection
 *   Administrator passes everything;
 * - ims "Identities - Read Identities": by `searchFilter=General&filterValue=[org]\Project Collection
 *   Administrators` (the group) and by `descriptors=...&queryMembership=ExpandedUp` (the caller with
 *   `memberOf`, nested groups included);
 * - memberEntitlementManagement "User Entitlement Summary - Get" (GET vsaex _apis/userentitlementsummary
 *   ?select=Licenses): `licenses` with `accountLicenseType`, `assigned`, `available`, `total`.
 */
import { FakeAzureDevOps } from "../azuredevops/fakeAzureDevOps";
import { RecordedRequest, Reply } from "../http/fakeServer";

export const IDENTITY_NAMESPACE = "5a27515b-ccd7-42c9-84f1-54c998f03866";
export const GIT_NAMESPACE = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
export const SERVICE_HOOKS_NAMESPACE = "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046";
const PCA_DESCRIPTOR = "Microsoft.TeamFoundation.Identity;S-1-9-1551374245-pca";

const NAMESPACES: Record<string, { name: string; readPermission: number; writePermission: number; actions: Array<[number, string]> }> = {
    [IDENTITY_NAMESPACE]: { name: "Identity", readPermission: 1, writePermission: 4, actions: [[1, "Read"], [2, "Write"], [4, "Delete"], [8, "ManageMembership"], [16, "CreateScope"]] },
    [GIT_NAMESPACE]: { name: "Git Repositories", readPermission: 2, writePermission: 8192, actions: [[2, "GenericRead"], [4, "GenericContribute"], [8192, "ManagePermissions"], [16384, "PullRequestContribute"]] },
    [SERVICE_HOOKS_NAMESPACE]: { name: "ServiceHooks", readPermission: 1, writePermission: 2, actions: [[1, "ViewSubscriptions"], [2, "EditSubscriptions"], [4, "DeleteSubscriptions"], [8, "PublishEvents"]] },
};

/** The caller's rights and the organization's licences; everything granted by default. */
export class AdoRights {
    /** The caller is a Project Collection Administrator (passes every permission check). */
    public projectCollectionAdministrator = true;
    /** Without PCA: "namespace|token" pairs (any bits) the caller holds. */
    public readonly granted = new Set<string>();
    /** accountLicenseType -> seats; Basic (express) is free for an organization's first five users. */
    public licences: Record<string, { total: number; assigned: number }> = { express: { total: 5, assigned: 1 }, stakeholder: { total: 0, assigned: 0 }, advanced: { total: 0, assigned: 0 } };

    constructor(fake: FakeAzureDevOps) {
        fake.routes.push((route, request, org) => this.handle(route, request, org, fake));
    }

    private handle(route: string, request: RecordedRequest, org: string, fake: FakeAzureDevOps): Reply | undefined {
        const q = request.query;
        let m: RegExpExecArray | null;
        if ((m = /^GET core securitynamespaces\/([0-9a-f-]{36})$/.exec(route))) {
            const ns = NAMESPACES[m[1]];
            const value = ns ? [{
                namespaceId: m[1], name: ns.name, displayName: ns.name, separatorValue: "/", elementLength: -1,
                readPermission: ns.readPermission, writePermission: ns.writePermission, dataspaceCategory: "Default",
                actions: ns.actions.map(([bit, name]) => ({ bit, name, displayName: name, namespaceId: m![1] })),
            }] : [];
            return { status: 200, body: { count: value.length, value } };
        }
        if ((m = /^GET core permissions\/([0-9a-f-]{36})\/(\d+)$/.exec(route))) {
            const delimiter = q.get("delimiter") ?? ",";
            const tokens = (q.get("tokens") ?? "").split(delimiter);
            const admin = this.projectCollectionAdministrator && q.get("alwaysAllowAdministrators") === "true";
            const value = tokens.map((token) => admin || this.granted.has(`${m![1]}|${token}`));
            return { status: 200, body: { count: value.length, value } };
        }
        if (route === "GET vssps identities" && q.get("searchFilter") === "General") {
            const wanted = `[${org}]\\Project Collection Administrators`.toLowerCase();
            const found = (q.get("filterValue") ?? "").toLowerCase() === wanted;
            return { status: 200, body: { count: found ? 1 : 0, value: found ? [{ id: "pca-group", descriptor: PCA_DESCRIPTOR, providerDisplayName: `[${org}]\\Project Collection Administrators`, isActive: true }] : [] } };
        }
        if (route === "GET vssps identities" && q.get("descriptors") !== null && q.get("queryMembership") === "ExpandedUp") {
            const caller = q.get("descriptors") === fake.caller.descriptor;
            const memberOf = this.projectCollectionAdministrator ? [PCA_DESCRIPTOR] : [];
            return { status: 200, body: { count: caller ? 1 : 0, value: caller ? [{ id: fake.caller.id, descriptor: fake.caller.descriptor, providerDisplayName: fake.caller.providerDisplayName, memberOf, isActive: true }] : [] } };
        }
        if (route === "GET vsaex userentitlementsummary") {
            const licenses = Object.entries(this.licences).map(([type, seats]) => ({
                accountLicenseType: type, licenseName: type === "express" ? "Basic" : type === "advanced" ? "Basic + Test Plans" : "Stakeholder",
                assigned: seats.assigned, available: Math.max(0, seats.total - seats.assigned), total: seats.total, disabled: 0, includedQuantity: type === "express" ? 5 : 0,
            }));
            return { status: 200, body: { licenses, extensions: [], availableAccessLevels: [] } };
        }
        return undefined;
    }
}
