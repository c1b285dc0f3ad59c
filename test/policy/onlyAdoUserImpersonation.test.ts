import * as assert from "node:assert/strict";
import { PlannedResource } from "../../policy/evaluate";
import { ADO_USER_IMPERSONATION_SCOPE_ID, APPLICATION_TYPE, AZURE_DEVOPS_APP_ID, MICROSOFT_GRAPH_APP_ID } from "../../policy/wellKnownIds";
import { mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-only-ado-user-impersonation";
const GRAPH_USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";

type Access = { resourceAppId: string; resourceAccesses: { id: string; type: string }[] };

async function withAccesses(change: (accesses: Access[]) => Access[]): Promise<PlannedResource[]> {
    return mutated(await programResources(), APPLICATION_TYPE, (app) => {
        app.inputs.requiredResourceAccesses = change(app.inputs.requiredResourceAccesses as Access[]);
    });
}

describe(`policy ${POLICY}`, () => {
    it("passes on the program's required permissions", async () => {
        assert.deepEqual(verdictOf(POLICY, await programResources()).violations, []);
    });

    it("fails when Microsoft Graph User.Read is left in", async () => {
        const resources = await withAccesses((accesses) => [
            ...accesses,
            { resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: [{ id: GRAPH_USER_READ, type: "Scope" }] },
        ]);
        assert.match(verdictOf(POLICY, resources).violations.join("\n"), /Microsoft Graph/);
    });

    it("fails an application permission (type Role) on Azure DevOps", async () => {
        const resources = await withAccesses(() => [
            { resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: ADO_USER_IMPERSONATION_SCOPE_ID, type: "Role" }] },
        ]);
        const violations = verdictOf(POLICY, resources).violations.join("\n");
        assert.match(violations, /application permission/);
        assert.match(violations, /does not request Azure DevOps user_impersonation/);
    });

    it("fails another Azure DevOps scope id", async () => {
        const resources = await withAccesses(() => [
            { resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: "00000000-0000-0000-0000-000000000001", type: "Scope" }] },
        ]);
        assert.match(verdictOf(POLICY, resources).violations.join("\n"), /not user_impersonation/);
    });

    it("fails an app that requests no permission at all", async () => {
        const resources = await withAccesses(() => []);
        assert.match(verdictOf(POLICY, resources).violations[0], /cannot call Azure DevOps/);
    });
});
