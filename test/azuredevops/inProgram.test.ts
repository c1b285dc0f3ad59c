import * as assert from "assert/strict";
import { Evaluation } from "../../tools/plan/evaluateProgram";
import { stableGuid } from "../../tools/plan/stableIds";
import { only, runProgram, TYPES } from "../harness/runProgram";

const DYNAMIC = {
    connection: "pulumi-nodejs:dynamic/azuredevops:DirectoryConnection",
    entitlement: "pulumi-nodejs:dynamic/azuredevops:ServicePrincipalEntitlement",
    permissions: "pulumi-nodejs:dynamic/azuredevops:ProjectPermissions",
    rotation: "pulumi-nodejs:dynamic/entra:ClientSecretRotation",
    lock: "pulumi-nodejs:dynamic/entra:AppInstanceLock",
} as const;
const FORMER_DBT_RECORD = "pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication";

/** The provider code Pulumi serialized into the resource: proof the closure serializes. */
function serializedProvider(run: Evaluation, type: string): string {
    const provider = run.resources.find((r) => r.type === type)?.actualInputs.__provider;
    assert.equal(typeof provider, "string", `${type} has no serialized provider`);
    return provider as string;
}

describe("Azure DevOps and dbt Cloud resources inside the real program", function () {
    // The first evaluation serializes every dynamic provider's closure (TypeScript's parser, loaded once).
    this.timeout(60_000);

    const projects = { adoProjects: '["Analytics","Data Platform"]', dbtCloudAccountId: "70403103926931" };

    // Distinctive values: if serialization captured the environment or a token, they would show.
    const TOKENS = {
        AZDO_PERSONAL_ACCESS_TOKEN: "pat-4f9c1e2d7a6b5c3e0f1a2b3c4d5e6f70",
        DBT_CLOUD_TOKEN: "dbtc_Zq8w7e6r5t4y3u2i1o0pLkJhGfDsA",
        // The deploying identity's secret, which the Graph-backed providers' credential reads at run time.
        AZURE_CLIENT_SECRET: "dpl8Q~Vb3nM2kL1jH0gF9dS8aP7oI6uY5tR4eW3q",
    };
    let saved: Record<string, string | undefined> = {};
    before(() => {
        saved = Object.fromEntries(Object.keys(TOKENS).map((k) => [k, process.env[k]]));
        Object.assign(process.env, TOKENS);
    });
    after(() => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    });

    for (const [what, type] of Object.entries(DYNAMIC)) {
        it(`constructs the ${what} resource and serializes its provider without the tokens in it`, async () => {
            const run = await runProgram({ config: projects });
            const text = serializedProvider(run, type);
            assert.ok(text.length > 1000 && text.includes("exports.handler"), `${what}: ${text.slice(0, 200)}`);
            for (const token of Object.values(TOKENS)) {
                assert.ok(!text.includes(token), `${what}'s serialized provider holds a token`);
                assert.ok(!JSON.stringify(run.resources.map((r) => [r.actualInputs, r.state])).includes(token));
            }
        });
    }

    it("verifies the organization's directory against the deploying tenant by default", async () => {
        const run = await runProgram();
        const connection = only(run, DYNAMIC.connection);
        assert.deepEqual(connection.inputs, { mode: "verify", organization: "contoso-data", tenantId: stableGuid("tenantId", "the deploying identity") });
        assert.equal(connection.parent, "dbt-azure-devops-ado");
        assert.equal(only(await runProgram({ config: { connectDirectory: "connect" } }), DYNAMIC.connection).inputs.mode, "connect");
    });

    it("adds the app's own service principal to the organization as a Basic user", async () => {
        const run = await runProgram();
        const entitlement = only(run, DYNAMIC.entitlement);
        assert.equal(entitlement.inputs.servicePrincipalObjectId, only(run, TYPES.servicePrincipal, "-sp").state?.objectId);
        assert.equal(entitlement.inputs.accessLevel, "express");
        assert.equal(entitlement.inputs.organization, "contoso-data");
    });

    it("grants each configured project with the entitlement's descriptors, least privilege by default", async () => {
        const run = await runProgram({ config: projects });
        const entitlement = only(run, DYNAMIC.entitlement);
        const grants = run.resources.filter((r) => r.type === DYNAMIC.permissions);
        assert.deepEqual(grants.map((g) => g.name), ["dbt-azure-devops-ado-project-analytics", "dbt-azure-devops-ado-project-data-platform"]);
        assert.deepEqual(grants.map((g) => g.inputs.project), ["Analytics", "Data Platform"]);
        for (const grant of grants) {
            assert.equal(grant.inputs.access, "least_privilege");
            assert.deepEqual(grant.actualInputs.servicePrincipal, {
                identityDescriptor: entitlement.state?.identityDescriptor,
                subjectDescriptor: entitlement.state?.subjectDescriptor,
            });
        }
        const admins = await runProgram({ config: { ...projects, adoProjectAccess: "project_administrators" } });
        assert.ok(admins.resources.filter((r) => r.type === DYNAMIC.permissions).every((g) => g.inputs.access === "project_administrators"));
    });

    it("drops exactly the grant resource of a project removed from config", async () => {
        const before = await runProgram({ config: projects });
        const after = await runProgram({ config: { ...projects, adoProjects: '["Data Platform"]' } });
        const names = (run: Evaluation) => run.resources.map((r) => r.name);
        assert.deepEqual(names(before).filter((n) => !names(after).includes(n)), ["dbt-azure-devops-ado-project-analytics"]);
    });

    it("keeps a project's grant resource when only the case of its name changes", async () => {
        const before = await runProgram({ config: projects });
        const after = await runProgram({ config: { ...projects, adoProjects: '["analytics","DATA PLATFORM"]' } });
        const grantNames = (run: Evaluation) => run.resources.filter((r) => r.type === DYNAMIC.permissions).map((r) => r.name);
        assert.deepEqual(grantNames(after), grantNames(before));
    });

    it("names a project's grants after its slug, aliased to the name it had before slugs", async () => {
        const run = await runProgram({ config: { ...projects, adoProjects: '["Analytics","Data Platform","R&D  (EU)"]' } });
        const grants = run.resources.filter((r) => r.type === DYNAMIC.permissions);
        assert.deepEqual(grants.map((g) => [g.name, g.options.aliases]), [
            ["dbt-azure-devops-ado-project-analytics", undefined],
            ["dbt-azure-devops-ado-project-data-platform", [{ type: DYNAMIC.permissions, name: "dbt-azure-devops-ado-project-data platform", parent: "dbt-azure-devops-ado" }]],
            ["dbt-azure-devops-ado-project-r-d-eu", [{ type: DYNAMIC.permissions, name: "dbt-azure-devops-ado-project-r&d  (eu)", parent: "dbt-azure-devops-ado" }]],
        ]);
    });

    it("grants the principal nothing in service-user mode", async () => {
        const run = await runProgram({ config: { authMode: "service_user" } });
        assert.equal(run.resources.filter((r) => r.type === DYNAMIC.entitlement || r.type === DYNAMIC.permissions).length, 0);
        assert.equal(run.resources.filter((r) => r.type === DYNAMIC.connection).length, 1);
    });

    it("hands each new secret to the account's record: one Graph-backed rotation with the record's fields, and no secret among its inputs", async () => {
        const run = await runProgram({ config: projects });
        const rotation = only(run, DYNAMIC.rotation);
        const app = only(run, TYPES.application);
        assert.equal(rotation.name, "dbt-azure-devops-secret-rotation");
        assert.equal(rotation.parent, "dbt-azure-devops-secret");
        // It carries on the former record resource's state (under its component, and before that at the root).
        assert.deepEqual(rotation.options.aliases, [
            { type: FORMER_DBT_RECORD, name: "dbt-azure-devops-dbt-cloud", parent: "dbt-azure-devops-dbt-cloud" },
            { type: FORMER_DBT_RECORD, name: "dbt-azure-devops-dbt-cloud" },
        ]);
        assert.equal(run.resources.filter((r) => r.type === FORMER_DBT_RECORD).length, 0);
        assert.deepEqual({ ...rotation.actualInputs, __provider: undefined }, {
            __provider: undefined,
            applicationObjectId: app.state?.objectId,
            clientId: app.state?.clientId,
            tenantId: run.actualOutputs.tenantId,
            owner: "dbt-azure-devops/test",
            current: { slot: "b", period: 11, periodStart: "2026-09-17T00:00:00Z", endDate: "2027-03-30T00:00:00Z" },
            readiness: { successes: 8, timeoutSeconds: 300 },
            handover: {
                kind: "dbtCloud",
                accountId: "70403103926931",
                apiBaseUrl: "https://ab123.us1.dbt.com/api",
                organizationName: "contoso-data",
                authMethod: "service_principal",
                redirectHosts: ["ab123.us1.dbt.com"],
            },
        });
        assert.ok(!JSON.stringify(rotation.inputs).includes("[secret]"), "the secret is not an input: it never reaches Pulumi");
        assert.equal(run.actualOutputs.clientSecret, undefined);
        const emea = only(await runProgram({ config: { ...projects, dbtCloudHost: "https://emea.dbt.com" } }), DYNAMIC.rotation);
        assert.equal((emea.inputs.handover as { apiBaseUrl: string }).apiBaseUrl, "https://emea.dbt.com/api");
        assert.deepEqual((emea.inputs.handover as { redirectHosts: string[] }).redirectHosts, ["emea.dbt.com"]);
    });

    it("takes the readiness settings from config", async () => {
        const run = await runProgram({ config: { ...projects, secretReadinessChecks: "3", secretReadinessTimeoutSeconds: "60" } });
        assert.deepEqual(only(run, DYNAMIC.rotation).inputs.readiness, { successes: 3, timeoutSeconds: 60 });
    });

    it("leaves dbt Cloud alone when no account id is set: the secret goes to the clientSecret output", async () => {
        const run = await runProgram();
        const rotation = only(run, DYNAMIC.rotation);
        assert.deepEqual(rotation.inputs.handover, { kind: "stackOutput" });
        assert.deepEqual(rotation.options.aliases, undefined, "no former dbt record to carry on");
        assert.equal(run.outputs.clientSecret, "[secret]");
    });
});
