import * as assert from "assert/strict";
import { AZURE_DEVOPS_APP_ID, MICROSOFT_GRAPH_APP_ID, USER_IMPERSONATION_SCOPE_ID_FALLBACK } from "../../domain/wellKnownIds";
import { stableGuid } from "../../tools/plan/stableIds";
import { only, runProgram, TYPES } from "../harness/runProgram";

const ROTATION = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEPLOYER_OBJECT_ID = stableGuid("objectId", "the deploying identity");

describe("DbtAzureDevOpsApp under the real program", () => {
    it("registers a multitenant app with the default display name and the deployer as owner", async () => {
        const run = await runProgram();
        const app = only(run, TYPES.application);
        assert.equal(app.inputs.signInAudience, "AzureADMultipleOrgs");
        assert.equal(app.inputs.displayName, "dbt Labs Azure DevOps App");
        assert.deepEqual(app.inputs.owners, [DEPLOYER_OBJECT_ID]);
        assert.equal(app.parent, "dbt-azure-devops");
        assert.match(String(app.id), /^\/applications\/[0-9a-f-]{36}$/);
    });

    it("uses configured owners and display name instead of the defaults", async () => {
        const owners = ["0a1b2c3d-0000-4000-8000-00000000000a", "0a1b2c3d-0000-4000-8000-00000000000b"];
        const run = await runProgram({ config: { owners: JSON.stringify(owners), appDisplayName: "dbt (prod)" } });
        assert.deepEqual(only(run, TYPES.application).inputs.owners, owners);
        assert.deepEqual(only(run, TYPES.servicePrincipal, "-sp").inputs.owners, owners);
        assert.equal(only(run, TYPES.application).inputs.displayName, "dbt (prod)");
    });

    it("requires exactly Azure DevOps user_impersonation, as a delegated scope, and nothing from Graph", async () => {
        const run = await runProgram();
        const access = only(run, TYPES.application).inputs.requiredResourceAccesses as { resourceAppId: string; resourceAccesses: { id: string; type: string }[] }[];
        assert.deepEqual(access, [
            { resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: USER_IMPERSONATION_SCOPE_ID_FALLBACK, type: "Scope" }] },
        ]);
        assert.ok(!JSON.stringify(access).includes(MICROSOFT_GRAPH_APP_ID));
    });

    it("takes the scope id from the tenant's Azure DevOps service principal when it publishes one", async () => {
        const published = "12345678-90ab-4cde-8f01-234567890abc";
        const run = await runProgram({ mocks: { azureDevOpsScopeIds: { user_impersonation: published, other: "x" } } });
        const access = only(run, TYPES.application).inputs.requiredResourceAccesses as { resourceAccesses: { id: string }[] }[];
        assert.equal(access[0].resourceAccesses[0].id, published);
    });

    it("falls back to the documented scope id when the lookup has none", async () => {
        const run = await runProgram({ mocks: { azureDevOpsScopeIds: {} } });
        const access = only(run, TYPES.application).inputs.requiredResourceAccesses as { resourceAccesses: { id: string }[] }[];
        assert.equal(access[0].resourceAccesses[0].id, USER_IMPERSONATION_SCOPE_ID_FALLBACK);
    });

    it("only looks up Microsoft's Azure DevOps service principal: the app's own is the only one declared", async () => {
        const run = await runProgram();
        const declared = run.resources.filter((r) => r.type === TYPES.servicePrincipal);
        assert.deepEqual(declared.map((r) => r.name), ["dbt-azure-devops-sp"]);
        // Custom resources only: the app component registers the principal it looked up (for the policy pack), which manages nothing.
        assert.ok(!JSON.stringify(run.resources.filter((r) => r.custom).map((r) => r.actualInputs)).includes(`"clientId":"${AZURE_DEVOPS_APP_ID}"`));
    });

    it("keeps the first deployer as owner when no owners are configured, and follows configured owners", async () => {
        const defaulted = await runProgram();
        assert.deepEqual(only(defaulted, TYPES.application).options.ignoreChanges, ["owners"]);
        assert.deepEqual(only(defaulted, TYPES.servicePrincipal, "-sp").options.ignoreChanges, ["owners"]);
        const configured = await runProgram({ config: { owners: '["0a1b2c3d-0000-4000-8000-00000000000a"]' } });
        assert.equal(only(configured, TYPES.application).options.ignoreChanges, undefined);
        assert.equal(only(configured, TYPES.servicePrincipal, "-sp").options.ignoreChanges, undefined);
    });

    it("creates the app's own service principal from the app's client id", async () => {
        const run = await runProgram();
        const app = only(run, TYPES.application);
        const sp = only(run, TYPES.servicePrincipal, "-sp");
        assert.match(String(app.state?.clientId), GUID);
        assert.equal(sp.inputs.clientId, app.state?.clientId);
    });

    it("grants user_impersonation tenant-wide from the app's SP to Azure DevOps when adminConsent is on", async () => {
        const run = await runProgram();
        const grant = only(run, TYPES.grant);
        assert.equal(grant.inputs.servicePrincipalObjectId, only(run, TYPES.servicePrincipal, "-sp").state?.objectId);
        assert.equal(grant.inputs.resourceServicePrincipalObjectId, stableGuid("objectId", "the Azure DevOps service principal"));
        assert.notEqual(grant.inputs.resourceServicePrincipalObjectId, grant.inputs.servicePrincipalObjectId);
        assert.deepEqual(grant.inputs.claimValues, ["user_impersonation"]);
    });

    it("declares no grant when adminConsent is off", async () => {
        const run = await runProgram({ config: { adminConsent: "false" } });
        assert.equal(run.resources.filter((r) => r.type === TYPES.grant).length, 0);
    });

    it("locks the app instance's properties on the app by its object id, every property (Microsoft's recommendation)", async () => {
        for (const config of [{}, { existingApplicationObjectId: "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01" }] as Record<string, string>[]) {
            const run = await runProgram({ config });
            const lock = only(run, "pulumi-nodejs:dynamic/entra:AppInstanceLock");
            assert.equal(lock.name, "dbt-azure-devops-lock");
            assert.equal(lock.parent, "dbt-azure-devops");
            assert.equal(lock.actualInputs.applicationObjectId, only(run, TYPES.application).state?.objectId);
            assert.deepEqual(lock.inputs.lock, {
                isEnabled: true, allProperties: true, credentialsWithUsageVerify: true, credentialsWithUsageSign: true, identifierUris: true, tokenEncryptionKeyId: true,
            });
        }
    });

    it("protects the app registration unless told not to", async () => {
        assert.equal(only(await runProgram(), TYPES.application).options.protect, true);
        const unprotected = await runProgram({ config: { protectApplication: "false" } });
        assert.equal(only(unprotected, TYPES.application).options.protect, undefined);
    });

    it("rotates the app's client secret over Graph by the app's object id, with end dates from secretRotationDays", async () => {
        const at = new Date("2026-11-27T09:00:00Z");
        for (const days of [30, 90]) {
            const run = await runProgram({ at, config: { secretRotationDays: String(days) } });
            const app = only(run, TYPES.application);
            assert.equal(run.resources.filter((r) => r.type === TYPES.password).length, 0, "no ApplicationPassword: the secret never reaches Pulumi's state");
            const rotation = only(run, ROTATION);
            // Graph's /applications/{id} takes the object id; azuread's resource id is /applications/{object id}.
            assert.equal(rotation.actualInputs.applicationObjectId, app.state?.objectId);
            assert.equal(app.id, `/applications/${String(app.state?.objectId)}`);
            assert.equal(rotation.actualInputs.clientId, app.state?.clientId);
            const current = rotation.actualInputs.current as { slot: string; period: number; periodStart: string; endDate: string };
            assert.match(current.slot, /^[ab]$/);
            const lifetimeDays = (Date.parse(current.endDate) - at.getTime()) / 86_400_000;
            assert.ok(lifetimeDays > 0 && lifetimeDays <= 2 * days + 14, `the current secret ends ${current.endDate}`);
            assert.equal((Date.parse(current.endDate) - Date.parse(current.periodStart)) / 86_400_000, 2 * days + 14, "two periods and the overlap");
            assert.equal(run.outputs.clientSecretExpiresAt, current.endDate);
            const expiresAt = Date.parse(String(run.outputs.clientSecretExpiresAt));
            assert.ok((expiresAt - at.getTime()) / 86_400_000 >= days + 14, "the handed-over secret has a full period plus overlap left");
        }
    });

    it("exports the seven dbt Cloud values, wired to the resources, with the secret kept secret", async () => {
        const run = await runProgram({ config: { dbtCloudHost: "emea.dbt.com", authMode: "service_user" } });
        const app = only(run, TYPES.application);
        assert.deepEqual(Object.keys(run.outputs).sort(), [
            "adoOrganization", "authMode", "clientId", "clientSecret", "clientSecretExpiresAt", "clientSecretKeyId", "clientSecretSlot",
            "nextRotationAt", "previousSecretExpiresAt", "redirectUris", "tenantId",
        ]);
        assert.equal(run.outputs.adoOrganization, "contoso-data");
        assert.equal(run.outputs.authMode, "service_user");
        assert.equal(run.outputs.clientId, app.state?.clientId);
        assert.equal(run.outputs.tenantId, stableGuid("tenantId", "the deploying identity"));
        assert.equal(run.outputs.clientSecret, "[secret]");
        assert.deepEqual(run.outputs.redirectUris, (app.inputs.web as { redirectUris: string[] }).redirectUris);
        // Without dbtCloudAccountId the rotation hands the secret to its `value` output, for a person to copy.
        const rotation = only(run, ROTATION);
        assert.deepEqual(rotation.actualInputs.handover, { kind: "stackOutput" });
        assert.equal(rotation.state?.value, run.actualOutputs.clientSecret, "clientSecret is the value the rotation minted");
        assert.equal(String(run.actualOutputs.clientSecret).length, 40);
        assert.equal(run.outputs.clientSecretExpiresAt, (rotation.inputs.current as { endDate: string }).endDate);
        assert.equal(run.outputs.clientSecretKeyId, rotation.state?.keyId);
    });

    it("with dbtCloudAccountId, exports no clientSecret: the secret goes from Entra to dbt Cloud and never reaches Pulumi", async () => {
        const run = await runProgram({ config: { dbtCloudAccountId: "70403103926931" } });
        assert.deepEqual(Object.keys(run.outputs).sort(), [
            "adoOrganization", "authMode", "clientId", "clientSecretExpiresAt", "clientSecretKeyId", "clientSecretSlot",
            "dbtOauthRedirectDomain", "nextRotationAt", "previousSecretExpiresAt", "redirectUris", "tenantId",
        ]);
        const rotation = only(run, ROTATION);
        assert.equal(rotation.state?.value, undefined);
        assert.ok(!JSON.stringify(run.resources.map((r) => [r.inputs, r.state])).includes("[secret]"), "no resource carries a secret at all");
        assert.ok(!Object.values(run.outputs).includes("[secret]"));
    });

    it("keeps clientSecret a Pulumi secret even though mocks ignore additionalSecretOutputs", async () => {
        const run = await runProgram();
        // The harness shows an output as [secret] exactly when pulumi.isSecret says so.
        assert.equal(run.outputs.clientSecret, "[secret]");
        assert.notEqual(run.outputs.clientId, "[secret]");
    });

    it("gives every resource a unique name, derived from the component's name", async () => {
        const run = await runProgram({ config: { authMode: "service_user" } });
        const names = run.resources.map((r) => r.name);
        assert.equal(new Set(names).size, names.length, names.join(", "));
        for (const name of names) {
            assert.ok(name.startsWith("dbt-azure-devops"), name);
        }
        // Only the three components stand at the top; the rest are children.
        const topLevel = run.resources.filter((r) => !r.parent).map((r) => r.name);
        assert.deepEqual(topLevel.sort(), ["dbt-azure-devops", "dbt-azure-devops-ado", "dbt-azure-devops-secret"]);
        assert.deepEqual(run.resources.filter((r) => r.parent === "dbt-azure-devops-secret").map((r) => r.name), ["dbt-azure-devops-secret-rotation"]);
    });
});
