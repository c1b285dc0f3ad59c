/**
 * What the audit takes as declared from `pulumi stack export` (tools/audit/stateExport.ts): the
 * program's own resources, exports with and without --show-secrets, a stack from before the
 * secret moved out of state, and a rotation being replaced.
 */
import * as assert from "assert";
import { DeclaredApp, readStateExport } from "../../tools/audit/stateExport";
import { AZURE_DEVOPS_APP_ID, AZURE_DEVOPS_USER_IMPERSONATION_ID, DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID } from "../engine/fakeAzuread/tenant";
import { deployedExport, IDS, LOCK, REDIRECT_URI, resourceOf, StateExport, urn } from "./deployedStack";

const SIG = "4dabf18193072939515e22adb298388d";

function read(state: StateExport): DeclaredApp {
    const reading = readStateExport(JSON.stringify(state));
    assert.ok(reading.ok, JSON.stringify(reading));
    assert.strictEqual(reading.apps.length, 1);
    return reading.apps[0];
}

const ROTATION = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";

describe("drift audit: what the state export declares", () => {
    it("the deployed dev stack: ids, inputs, both slots (b held), the marker, the lock, the principal and its consent", () => {
        assert.deepStrictEqual(read(deployedExport()), {
            stack: "dev",
            project: "dbt-azure-devops",
            name: "dbt-azure-devops-app",
            objectId: IDS.app,
            clientId: IDS.client,
            displayName: "dbt Labs Azure DevOps App (dev)",
            signInAudience: "AzureADMultipleOrgs",
            redirectUris: { web: [REDIRECT_URI], spa: [], publicClient: [] },
            implicitGrant: { accessToken: false, idToken: false },
            fallbackPublicClient: false,
            owners: [IDS.owner],
            requiredAccess: [{ resourceAppId: AZURE_DEVOPS_APP_ID, id: AZURE_DEVOPS_USER_IMPERSONATION_ID, type: "Scope" }],
            passwords: [
                { keyId: IDS.slotA, source: "slot a of dbt-azure-devops-secret-rotation", held: false, slot: "a", endDate: "2026-12-30T00:00:00Z" },
                { keyId: IDS.slotB, source: "slot b of dbt-azure-devops-secret-rotation", held: true, slot: "b", endDate: "2027-03-30T00:00:00Z" },
            ],
            rotationOwner: "dbt-azure-devops/dev",
            handover: "dbtCloud",
            certificateKeyIds: [],
            federatedCredentialIds: [],
            lock: LOCK,
            servicePrincipal: {
                objectId: IDS.sp,
                owners: [IDS.owner],
                passwordKeyIds: [],
                certificateKeyIds: [],
                grants: [{ resourceObjectId: DEFAULT_AZURE_DEVOPS_SP_OBJECT_ID, claims: ["user_impersonation"] }],
                appRolesHeld: [],
                appRolesGiven: [],
            },
        });
    });

    it("an export made with --show-secrets (plaintext secret wrappers) reads the same", () => {
        const state = deployedExport();
        const application = resourceOf(state, "azuread:index/application:Application");
        application.inputs = { ...application.inputs, owners: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify([IDS.owner]) } };
        assert.deepStrictEqual(read(state), read(deployedExport()));
    });

    it("a stack from before the secret left state: its ApplicationPassword slots are the declared passwords", () => {
        const state = deployedExport();
        state.deployment.resources = state.deployment.resources.filter((r) => r.type !== ROTATION);
        for (const [slot, keyId] of [["a", IDS.slotA], ["b", IDS.slotB]]) {
            state.deployment.resources.push({
                urn: urn("azuread:index/applicationPassword:ApplicationPassword", `dbt-azure-devops-secret-${slot}`), custom: true, id: `${IDS.app}/password/${keyId}`,
                type: "azuread:index/applicationPassword:ApplicationPassword", inputs: { applicationId: `/applications/${IDS.app}`, displayName: `dbt Cloud (slot ${slot}, from 2026-06-19)` },
                outputs: { applicationId: `/applications/${IDS.app}`, keyId, value: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } },
            });
        }
        const app = read(state);
        assert.deepStrictEqual(app.passwords.map((p) => [p.keyId, p.source, p.held]), [
            [IDS.slotA, "ApplicationPassword dbt-azure-devops-secret-a", false],
            [IDS.slotB, "ApplicationPassword dbt-azure-devops-secret-b", false],
        ]);
        assert.strictEqual(app.rotationOwner, undefined, "no marker: nothing is an orphan of this stack");
    });

    it("a rotation being replaced (kept in state marked for deletion): its slots are still declared, but only the new one's current secret is held", () => {
        const state = deployedExport();
        const current = resourceOf(state, ROTATION);
        const replaced = JSON.parse(JSON.stringify(current)) as typeof current;
        replaced.delete = true;
        replaced.outputs!.slots = { b: { displayName: "old", endDate: "2027-01-01T00:00:00Z", keyId: "0ld0ld00-0000-4000-8000-000000000000", period: 10 } };
        replaced.outputs!.keyId = "0ld0ld00-0000-4000-8000-000000000000";
        state.deployment.resources.push(replaced);
        const passwords = read(state).passwords;
        assert.deepStrictEqual(passwords.filter((p) => p.held).map((p) => p.keyId), [IDS.slotB]);
        assert.ok(passwords.some((p) => p.keyId === "0ld0ld00-0000-4000-8000-000000000000"), "the replaced one's secret is still Pulumi's until it is deleted");
    });
});
