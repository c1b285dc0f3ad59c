import * as assert from "node:assert/strict";
import { PlannedResource } from "../../policy/evaluate";
import { AZURE_DEVOPS_APP_ID, DBT_APP_COMPONENT_TYPE, DELEGATED_PERMISSION_GRANT_TYPE } from "../../policy/wellKnownIds";
import { added, mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-consent-on-azure-devops-only";
/** Azure Resource Manager's app id; its principal's object id differs per tenant, like Azure DevOps'. */
const ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
const ARM_PRINCIPAL = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";

function lookedUp(resources: PlannedResource[]): { clientId: string; objectId: string } {
    return resources.find((r) => r.type === DBT_APP_COMPONENT_TYPE)?.inputs.azureDevOpsServicePrincipal as { clientId: string; objectId: string };
}

describe(`policy ${POLICY}`, () => {
    it("passes the program: its grant is on the Azure DevOps principal the app component looked up", async () => {
        const resources = await programResources();
        const grant = resources.find((r) => r.type === DELEGATED_PERMISSION_GRANT_TYPE);
        assert.equal(lookedUp(resources).clientId, AZURE_DEVOPS_APP_ID);
        assert.equal(grant?.inputs.resourceServicePrincipalObjectId, lookedUp(resources).objectId);
        const verdict = verdictOf(POLICY, resources);
        assert.equal(verdict.enforcementLevel, "mandatory");
        assert.deepEqual(verdict.violations, []);
    });

    it("fails the program's own grant pointed at Azure Resource Manager", async () => {
        const resources = mutated(await programResources(), DELEGATED_PERMISSION_GRANT_TYPE, (grant) => {
            grant.inputs.resourceServicePrincipalObjectId = ARM_PRINCIPAL;
        });
        assert.match(verdictOf(POLICY, resources).violations.join("\n"),
            new RegExp(`^dbt-azure-devops-consent: grants on service principal ${ARM_PRINCIPAL}, not on Azure DevOps' \\(${lookedUp(resources).objectId}, app id ${AZURE_DEVOPS_APP_ID}\\)`));
    });

    it("fails a grant whose component looked up another app's principal, or registers none", async () => {
        const other = mutated(mutated(await programResources(), DBT_APP_COMPONENT_TYPE, (app) => {
            app.inputs.azureDevOpsServicePrincipal = { clientId: ARM_APP_ID, objectId: ARM_PRINCIPAL };
        }), DELEGATED_PERMISSION_GRANT_TYPE, (grant) => {
            grant.inputs.resourceServicePrincipalObjectId = ARM_PRINCIPAL;
        });
        assert.match(verdictOf(POLICY, other).violations[0], /cannot be shown to be Azure DevOps': the grant's parent DbtAzureDevOpsApp component registers no azureDevOpsServicePrincipal looked up by Azure DevOps' app id/);
        const none = mutated(await programResources(), DBT_APP_COMPONENT_TYPE, (app) => {
            delete app.inputs.azureDevOpsServicePrincipal;
        });
        assert.equal(verdictOf(POLICY, none).violations.length, 1);
    });

    it("fails a second grant at the root, on any resource: it has no app component beside it", async () => {
        const resources = await programResources();
        const extra = added(DELEGATED_PERMISSION_GRANT_TYPE, "arm-consent", { servicePrincipalObjectId: "sp", resourceServicePrincipalObjectId: ARM_PRINCIPAL, claimValues: ["user_impersonation"] });
        assert.deepEqual(verdictOf(POLICY, [...resources, extra]).violations.map((v) => v.split(":")[0]), ["arm-consent"]);
    });

    it("with the pack config pinning the tenant's Azure DevOps principal, passes it and fails any other", async () => {
        const resources = await programResources();
        const objectId = lookedUp(resources).objectId;
        assert.deepEqual(verdictOf(POLICY, resources, { [POLICY]: { azureDevOpsServicePrincipalObjectIds: [objectId.toUpperCase()] } }).violations, []);
        assert.match(verdictOf(POLICY, resources, { [POLICY]: { azureDevOpsServicePrincipalObjectIds: [ARM_PRINCIPAL] } }).violations[0],
            /which the policy config's azureDevOpsServicePrincipalObjectIds \(9a1b2c3d-.*\) does not list/);
    });
});
