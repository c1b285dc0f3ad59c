import * as assert from "node:assert/strict";
import { PlannedResource } from "../../policy/evaluate";
import { ancestryFromUrns, stackOfUrn } from "../../policy/rules/noUndeclaredAppGrants";
import { APPLICATION_PASSWORD_TYPE, CLIENT_SECRET_ROTATION_TYPE, DELEGATED_PERMISSION_GRANT_TYPE } from "../../policy/wellKnownIds";
import { added, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-no-undeclared-grants";
const APP_COMPONENT = "dbt-azure-devops:entra:DbtAzureDevOpsApp";
const SECRET_COMPONENT = "dbt-azure-devops:entra:RotatingClientSecret";

describe(`policy ${POLICY}`, () => {
    it("passes on the program: its consent grant is its own, and its client secret is minted over Graph, not declared", async () => {
        const resources = await programResources();
        assert.equal(resources.filter((r) => r.type === APPLICATION_PASSWORD_TYPE).length, 0);
        assert.equal(resources.filter((r) => r.type === CLIENT_SECRET_ROTATION_TYPE).length, 1);
        assert.equal(resources.filter((r) => r.type === DELEGATED_PERMISSION_GRANT_TYPE).length, 1);
        assert.deepEqual(verdictOf(POLICY, resources).violations, []);
    });

    const additions: [string, PlannedResource][] = [
        ["a split redirect-URI resource", added("azuread:index/applicationRedirectUris:ApplicationRedirectUris", "extra-uris",
            { applicationId: "/applications/x", type: "Web", redirectUris: ["https://evil.example/cb"] })],
        ["a split API permission (Microsoft Graph)", added("azuread:index/applicationApiAccess:ApplicationApiAccess", "graph",
            { applicationId: "/applications/x", apiClientId: "00000003-0000-0000-c000-000000000000", scopeIds: ["e1fe6dd8-ba31-4d61-89e7-88639da4683d"] })],
        ["a federated identity credential", added("azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential", "gh",
            { applicationId: "/applications/x", issuer: "https://token.actions.githubusercontent.com", subject: "repo:x/y:ref:refs/heads/main", audiences: ["api://AzureADTokenExchange"], displayName: "gh" })],
        ["a certificate", added("azuread:index/applicationCertificate:ApplicationCertificate", "cert", { applicationId: "/applications/x", value: "MII..." })],
        ["an app-role assignment", added("azuread:index/appRoleAssignment:AppRoleAssignment", "graph-role",
            { appRoleId: "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", principalObjectId: "sp", resourceObjectId: "graph" })],
        ["a client secret declared at the root, named like a slot", added(APPLICATION_PASSWORD_TYPE, "dbt-azure-devops-secret-a", { applicationId: "/applications/x" })],
        ["a former slot (ApplicationPassword) inside the program's RotatingClientSecret", added(APPLICATION_PASSWORD_TYPE, "dbt-azure-devops-secret-a",
            { applicationId: "/applications/x" }, "dbt-azure-devops-secret", [SECRET_COMPONENT])],
        ["a former slot where it stood before the secret left Pulumi state", added(APPLICATION_PASSWORD_TYPE, "dbt-azure-devops-secret-b",
            { applicationId: "/applications/x" }, "dbt-azure-devops-secret", [APP_COMPONENT, SECRET_COMPONENT])],
        ["a second consent grant inside the app component (Microsoft Graph)", added(DELEGATED_PERMISSION_GRANT_TYPE, "dbt-azure-devops-graph",
            { claimValues: ["User.Read"] }, "dbt-azure-devops", [APP_COMPONENT])],
        ["the consent grant widened past user_impersonation", added(DELEGATED_PERMISSION_GRANT_TYPE, "dbt-azure-devops-consent",
            { claimValues: ["user_impersonation", "vso.code_full"] }, "dbt-azure-devops", [APP_COMPONENT])],
        // Issue 17, Why 2: power over the app, or for its principal.
        ["an ApplicationOwner", added("azuread:index/applicationOwner:ApplicationOwner", "extra-owner",
            { applicationId: "/applications/x", ownerObjectId: "2d0a8b7c-1e3f-4a5b-9c6d-7e8f9a0b1c2d" })],
        ["a DirectoryRoleAssignment for the app's principal", added("azuread:index/directoryRoleAssignment:DirectoryRoleAssignment", "sp-global-admin",
            { roleId: "62e90394-69f5-4237-9190-012177145e10", principalObjectId: "<objectId of dbt-azure-devops-sp>" }, "dbt-azure-devops", [APP_COMPONENT])],
        ["a GroupMember adding the app's principal to a group", added("azuread:index/groupMember:GroupMember", "sp-in-admins",
            { groupObjectId: "5c2b0c3e-8f4a-4b1d-9e6f-0a1b2c3d4e5f", memberObjectId: "<objectId of dbt-azure-devops-sp>" })],
        ["a DirectoryRoleMember", added("azuread:index/directoryRoleMember:DirectoryRoleMember", "role-member",
            { roleObjectId: "r", memberObjectId: "<objectId of dbt-azure-devops-sp>" })],
    ];
    for (const [what, resource] of additions) {
        it(`fails on ${what}`, async () => {
            const resources = (await programResources()).filter((r) => !(r.type === resource.type && r.name === resource.name));
            const verdict = verdictOf(POLICY, [...resources, resource]);
            assert.equal(verdict.enforcementLevel, "mandatory");
            assert.equal(verdict.violations.length, 1, verdict.violations.join("\n"));
            assert.match(verdict.violations[0], new RegExp(`^${resource.name}: .*which the program does not declare`));
        });
    }

    it("keeps refusing undeclared passwords once the program declares none (issue 15's Graph-backed rotation)", async () => {
        const withoutSlots = (await programResources()).filter((r) => r.type !== APPLICATION_PASSWORD_TYPE);
        const rotation = added(CLIENT_SECRET_ROTATION_TYPE, "dbt-azure-devops-secret-rotation", { handover: { kind: "stackOutput" } }, "dbt-azure-devops-secret", [APP_COMPONENT, SECRET_COMPONENT]);
        assert.deepEqual(verdictOf(POLICY, [...withoutSlots, rotation]).violations, []);
        const extra = added(APPLICATION_PASSWORD_TYPE, "backdoor", { applicationId: "/applications/x", endDate: "2027-01-01T00:00:00Z" });
        assert.match(verdictOf(POLICY, [...withoutSlots, rotation, extra]).violations.join("\n"), /^backdoor: adds a client secret .*which the program does not declare/);
    });

    it("reads the parent chain from the URNs the policy engine hands over", () => {
        const urn = `urn:pulumi:dev::dbt-azure-devops::${APP_COMPONENT}$${SECRET_COMPONENT}$${APPLICATION_PASSWORD_TYPE}::dbt-azure-devops-secret-a`;
        const parent = `urn:pulumi:dev::dbt-azure-devops::${APP_COMPONENT}$${SECRET_COMPONENT}::dbt-azure-devops-secret`;
        assert.deepEqual(ancestryFromUrns(urn, parent), { parentTypes: [APP_COMPONENT, SECRET_COMPONENT], parentName: "dbt-azure-devops-secret" });
        assert.deepEqual(ancestryFromUrns(`urn:pulumi:dev::dbt-azure-devops::${APPLICATION_PASSWORD_TYPE}::x`, undefined), { parentTypes: [] });
        assert.equal(stackOfUrn(urn), "dev");
    });
});
