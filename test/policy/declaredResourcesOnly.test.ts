import * as assert from "node:assert/strict";
import { DECLARED } from "../../policy/declared";
import { PlannedResource } from "../../policy/evaluate";
import {
    CLIENT_SECRET_ROTATION_TYPE,
    APPLICATION_TYPE,
    AZUREAD_PROVIDER_TYPE,
    DBT_APP_COMPONENT_TYPE,
    DYNAMIC_PROVIDER_TYPE,
    ROOT_STACK_TYPE,
    ROTATING_SECRET_COMPONENT_TYPE,
    SERVICE_PRINCIPAL_TYPE,
} from "../../policy/wellKnownIds";
import { runProgram } from "../harness/runProgram";
import { NOT_KNOWN_YET, inPreview } from "./preview";
import { added, mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "declared-resources-only";
const APP = DBT_APP_COMPONENT_TYPE;
const SECRET = ROTATING_SECRET_COMPONENT_TYPE;
const GUID = "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01";

/** Every shape the program takes: each option that adds, drops or moves a resource. */
const CONFIGURATIONS: Record<string, Record<string, string>> = {
    "the defaults": {},
    "service-user mode, no consent": { authMode: "service_user", adminConsent: "false" },
    "dbt Cloud managed, projects, connect mode": { dbtCloudAccountId: "12345", adoProjects: '["Analytics","Data Platform"]', connectDirectory: "connect", adoAccessLevel: "advanced" },
    "a custom domain and another access host": { dbtCloudHost: "dbt.acme.example", dbtCloudAdditionalHosts: '["ab123.us1.dbt.com"]', dbtCloudCustomDomain: "true" },
    "an adopted app and principal, owners pinned, unprotected": {
        existingApplicationObjectId: GUID, existingServicePrincipalObjectId: "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f02", owners: `["${GUID}"]`, protectApplication: "false",
    },
};

describe(`policy ${POLICY}`, function () {
    this.timeout(60_000);
    const shapes: Record<string, PlannedResource[]> = {};

    before(async () => {
        for (const [what, config] of Object.entries(CONFIGURATIONS)) {
            shapes[what] = (await runProgram({ config })).resources;
        }
        shapes.dev = await programResources();
    });

    it("passes every shape the program takes", () => {
        for (const [what, resources] of Object.entries(shapes)) {
            assert.deepEqual(verdictOf(POLICY, resources).violations, [], what);
        }
    });

    it("lists nothing the program does not declare: each entry is used by some shape (the root and default providers: by the engine)", () => {
        const used = Object.values(shapes).flat();
        const engineOnly = [ROOT_STACK_TYPE, AZUREAD_PROVIDER_TYPE, DYNAMIC_PROVIDER_TYPE];
        for (const entry of DECLARED.filter((d) => !engineOnly.includes(d.type))) {
            assert.ok(used.some((r) => r.type === entry.type), `policy/declared.ts lists ${entry.type}, which no shape of the program declares`);
        }
    });

    it("accepts the stack's root and the default providers, as the engine registers them", () => {
        const engine = [
            added(ROOT_STACK_TYPE, "dbt-azure-devops-dev", { clientSecret: "[secret]" }),
            added(AZUREAD_PROVIDER_TYPE, "default_6_9_1", { version: "6.9.1", tenantId: GUID }),
            added(DYNAMIC_PROVIDER_TYPE, "default", {}),
        ];
        assert.deepEqual(verdictOf(POLICY, engine).violations, []);
        const explicit = added(AZUREAD_PROVIDER_TYPE, "other-tenant", { tenantId: GUID });
        assert.match(verdictOf(POLICY, [explicit]).violations[0], /^other-tenant: is a pulumi:providers:azuread declared at the stack's root, where the program declares none: the program's is default\* at the root/);
    });

    const undeclaredTypes: [string, PlannedResource][] = [
        ["an ApplicationOwner", added("azuread:index/applicationOwner:ApplicationOwner", "owner", { applicationId: "/applications/x", ownerObjectId: GUID })],
        ["a GroupMember for the app's principal", added("azuread:index/groupMember:GroupMember", "member", { groupObjectId: GUID, memberObjectId: "<objectId of dbt-azure-devops-sp>" })],
        ["a DirectoryRoleAssignment inside the app component", added("azuread:index/directoryRoleAssignment:DirectoryRoleAssignment", "dbt-azure-devops-role",
            { roleId: "62e90394-69f5-4237-9190-012177145e10", principalObjectId: "<objectId of dbt-azure-devops-sp>" }, "dbt-azure-devops", [APP])],
        ["a Group", added("azuread:index/group:Group", "admins", { displayName: "admins", securityEnabled: true, members: ["<objectId of dbt-azure-devops-sp>"] })],
    ];
    for (const [what, resource] of undeclaredTypes) {
        it(`fails ${what}: a type the program does not declare`, async () => {
            const verdict = verdictOf(POLICY, [...(await programResources()), resource]);
            assert.equal(verdict.enforcementLevel, "mandatory");
            assert.deepEqual(verdict.violations, [`${resource.name}: is a ${resource.type}, a resource type the program does not declare. ` +
                "A stack of this project holds only the resources listed in policy/declared.ts; anything else (another app, a role, a group membership, an owner) " +
                "widens what the dbt app can do or reach."]);
        });
    }

    const misplaced: [string, PlannedResource[]][] = [
        ["a second app registration at the root", [added(APPLICATION_TYPE, "shadow-app", { displayName: "x", signInAudience: "AzureADMultipleOrgs" })]],
        ["a second app registration inside the app component", [added(APPLICATION_TYPE, "dbt-azure-devops-app2", { displayName: "x" }, "dbt-azure-devops", [APP])]],
        ["a second rotating secret at the root, with its rotation", [
            added(SECRET, "extra-secret", {}),
            added(CLIENT_SECRET_ROTATION_TYPE, "extra-secret-rotation", { handover: { kind: "stackOutput" } }, "extra-secret", [SECRET]),
        ]],
        ["a second rotating secret inside the app component", [added(SECRET, "dbt-azure-devops-secret2", {}, "dbt-azure-devops", [APP])]],
        ["a second app component", [added(APP, "dbt-azure-devops-2", { dbtCloudHosts: ["cloud.getdbt.com"] })]],
    ];
    for (const [what, extra] of misplaced) {
        it(`fails ${what}: outside the place the program declares`, async () => {
            const violations = verdictOf(POLICY, [...(await programResources()), ...extra]).violations;
            assert.equal(violations.length, extra.length, violations.join("\n"));
            violations.forEach((v, i) => assert.match(v, new RegExp(`^${extra[i].name}: is a ${extra[i].type.replace(/[$/]/g, "\\$&")} declared .*, where the program declares none: the program's is `)));
        });
    }

    it("fails inputs the program never sets, at any depth, naming each", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.api = { requestedAccessTokenVersion: 2 };
            app.inputs.identifierUris = ["api://dbt"];
            (app.inputs.web as Record<string, unknown>).homepageUrl = "https://evil.example";
            (app.inputs.requiredResourceAccesses as Record<string, unknown>[])[0].extra = true;
        });
        const violations = verdictOf(POLICY, resources).violations;
        assert.deepEqual(violations.map((v) => /sets (\S+),/.exec(v)?.[1]).sort(), ["api", "identifierUris", "requiredResourceAccesses[0].extra", "web.homepageUrl"]);
        assert.match(violations[0], /^dbt-azure-devops-app: sets \S+, which the program does not set on a azuread:index\/application:Application \(policy\/declared\.ts lists what it may set\)/);
    });

    it("allows what a provider's Check fills in: empty values, its schema defaults, the engine's __ keys", async () => {
        const resources = mutated(mutated(await programResources(), APPLICATION_TYPE, (app) => {
            Object.assign(app.inputs, { preventDuplicateNames: false, tags: [], __defaults: ["signInAudience"] });
            (app.inputs.web as Record<string, unknown>).__defaults = ["homepageUrl"];
        }), SERVICE_PRINCIPAL_TYPE, (sp) => {
            sp.inputs.accountEnabled = true;
        });
        assert.deepEqual(verdictOf(POLICY, resources).violations, []);
        const disabledAssignment = mutated(resources, SERVICE_PRINCIPAL_TYPE, (sp) => {
            sp.inputs.appRoleAssignmentRequired = true;
        });
        assert.match(verdictOf(POLICY, disabledAssignment).violations.join("\n"), /sets appRoleAssignmentRequired/);
    });

    it("in preview, fails an undeclared input whose value is not known yet, and reads no declared one", async () => {
        const app = (await programResources()).find((r) => r.type === APPLICATION_TYPE)!;
        const preview = inPreview({ ...app, inputs: { ...app.inputs, owners: NOT_KNOWN_YET.array, identifierUris: NOT_KNOWN_YET.array } });
        assert.deepEqual(verdictOf(POLICY, [preview]).violations.map((v) => /sets (.*), which/.exec(v)?.[1]), ["identifierUris (not known until the update)"]);
    });
});
