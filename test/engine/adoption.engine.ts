/**
 * Adoption of a hand-made app registration under the real engine: the tenant holds a typical
 * manual setup (single-tenant, Graph User.Read, one redirect URI, a hand-made secret that dbt
 * Cloud holds, developers linked to its client id). Run 1 sets existingApplicationObjectId and
 * existingServicePrincipalObjectId: the engine imports the app and its principal and converges
 * them in the same `pulumi up`, mints the current slot's secret and hands it to dbt Cloud.
 * Run 2 drops the two keys: nothing changes. dbt Cloud holds a valid secret at every step.
 */
import * as assert from "assert";
import { AZURE_DEVOPS_APP_ID, AZURE_DEVOPS_USER_IMPERSONATION_ID, MICROSOFT_GRAPH_APP_ID, newApplicationObject, newServicePrincipalObject, Tenant } from "./fakeAzuread/tenant";
import { FakeClouds, startEngineStack, stopEngineStack, TENANT } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

const APP = "azuread:index/application:Application";
const SP = "azuread:index/servicePrincipal:ServicePrincipal";
const USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";
const APP_OBJECT_ID = "a11ce000-0000-4000-8000-0000000000a1";
const SP_OBJECT_ID = "a11ce000-0000-4000-8000-0000000000b1";
const CLIENT_ID = "a11ce000-0000-4000-8000-0000000000c1"; // the id developers linked their dbt accounts with
const HAND_MADE_SECRET = "hand~made~secret~value~0123456789abcdef";

const STACK = `config:
  dbt-azure-devops:adoOrganization: contoso-data
  dbt-azure-devops:dbtCloudHost: ab123.us1.dbt.com
  dbt-azure-devops:appDisplayName: dbt Labs Azure DevOps App
  dbt-azure-devops:dbtCloudAccountId: 70403103926931
  dbt-azure-devops:adoProjects:
    - Data Platform
`;

/** The secret dbt Cloud holds must be one of the app's passwords, not expired. */
function assertDbtHoldsValidSecret(clouds: FakeClouds, tenant: Tenant, step: string): void {
    const held = clouds.dbtSecret();
    const app = tenant.applications.find((a) => a.clientId === CLIENT_ID);
    const password = app?.passwords.find((p) => p.value === held);
    assert.ok(password, `${step}: dbt Cloud holds a secret the app does not have`);
    assert.ok(Date.parse(password!.endDate) > Date.now(), `${step}: dbt Cloud's secret has expired`);
}

describe("engine: adopting a hand-made app registration", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "adopt", stackFile: STACK }));
        ws.updateTenant((t) => {
            const now = new Date();
            const year = new Date(now.getTime() + 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
            t.applications.push(newApplicationObject({
                objectId: APP_OBJECT_ID,
                clientId: CLIENT_ID,
                displayName: "dbt Labs Azure DevOps App",
                signInAudience: "AzureADMyOrg",
                web: { homepageUrl: "", logoutUrl: "", redirectUris: ["https://cloud.getdbt.com/complete/azure_active_directory"], implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false } },
                requiredResourceAccesses: [
                    { resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: [{ id: USER_READ, type: "Scope" }] },
                    { resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: AZURE_DEVOPS_USER_IMPERSONATION_ID, type: "Scope" }] },
                ],
                passwords: [{ keyId: "a11ce000-0000-4000-8000-0000000000e1", displayName: "made in the portal", startDate: now.toISOString().replace(/\.\d{3}Z$/, "Z"), endDate: year, value: HAND_MADE_SECRET, hint: HAND_MADE_SECRET.slice(0, 3), createdAt: now.toISOString() }],
            }));
            t.servicePrincipals.push(newServicePrincipalObject({ objectId: SP_OBJECT_ID, clientId: CLIENT_ID, displayName: "dbt Labs Azure DevOps App" }));
        });
        // dbt Cloud was configured by hand with the hand-made secret.
        clouds.dbt.records.push({ id: 77, active: true, account: "70403103926931", fields: { organization_name: "contoso-data", client_id: CLIENT_ID, client_secret: HAND_MADE_SECRET, tenant_id: TENANT, azure_service_authentication_method: "service_principal" } });
        assertDbtHoldsValidSecret(clouds, ws.tenant(), "before");
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("1. the first preview imports the app and its principal under their usual names, and plans the secret handover", async () => {
        await ws.pulumi(["config", "set", "existingApplicationObjectId", APP_OBJECT_ID]);
        await ws.pulumi(["config", "set", "existingServicePrincipalObjectId", SP_OBJECT_ID]);
        const preview = await ws.pulumi(["preview", "--json"]);
        const steps = (JSON.parse(preview.stdout) as { steps: Array<{ urn: string; op: string }> }).steps;
        const opOf = (type: string, name: string) => steps.filter((s) => s.urn.endsWith(`${type}::${name}`)).map((s) => s.op);
        console.log(`      first preview: ${steps.filter((s) => !s.urn.includes("pulumi:pulumi:Stack")).map((s) => `${s.op} ${s.urn.split("::").pop()}`).join(", ")}`);
        // The engine imports, then updates the app to the declared shape in the same run. The
        // principal previews as imported then replaced only because the fake plugin does not
        // declare preview support (its clientId input turns unknown); `up` does not replace it.
        assert.deepStrictEqual(opOf(APP, "dbt-azure-devops-app"), ["import", "update"]);
        assert.strictEqual(opOf(SP, "dbt-azure-devops-sp")[0], "import");
        assert.ok(steps.some((s) => s.urn.includes("ClientSecretRotation") && s.op === "create"));
        assert.strictEqual(ws.tenant().applications.length, 1, "a preview writes nothing");
    });

    it("2. pulumi up adopts and converges in the same run, keeps the client id, and hands dbt Cloud the new secret", async () => {
        const result = await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const tenant = ws.tenant();
        assert.strictEqual(tenant.applications.length, 1, "no second app");
        const app = tenant.applications[0];
        assert.strictEqual(app.clientId, CLIENT_ID, "developers' links keep working");
        assert.strictEqual(app.objectId, APP_OBJECT_ID);
        assert.strictEqual(app.signInAudience, "AzureADMultipleOrgs");
        // The hand-made app's legacy cloud.getdbt.com URI gives way to the account's access host.
        assert.deepStrictEqual(app.web.redirectUris, ["https://ab123.us1.dbt.com/complete/azure_active_directory"]);
        assert.deepStrictEqual(app.requiredResourceAccesses, [{ resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: AZURE_DEVOPS_USER_IMPERSONATION_ID, type: "Scope" }] }]);
        assert.strictEqual(tenant.servicePrincipals.filter((s) => s.clientId === CLIENT_ID).length, 1, "the principal adopted, not duplicated");
        assert.strictEqual(app.passwords.length, 2, "the new secret beside the hand-made one, which is left alone (and reported)");
        assert.match(result.stdout, /did not make: a11ce000-0000-4000-8000-0000000000e1/, "the hand-made secret is reported by key id");
        assert.ok(app.passwords.some((p) => p.value === HAND_MADE_SECRET));
        assert.notStrictEqual(clouds.dbtSecret(), HAND_MADE_SECRET, "dbt Cloud got the program's secret in the same run");
        assertDbtHoldsValidSecret(clouds, tenant, "after run 1");
        assert.strictEqual(clouds.dbt.records.filter((r) => r.active).length, 1, "dbt Cloud's record adopted, not duplicated");
        assert.match(result.stdout, /import/);
        assert.strictEqual(tenant.servicePrincipals.find((s) => s.clientId === CLIENT_ID)!.objectId, SP_OBJECT_ID, "the principal kept, not replaced");
        const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.strictEqual(outputs.clientId, CLIENT_ID);
        assert.strictEqual(outputs.dbtOauthRedirectDomain, "ab123.us1.dbt.com");
    });

    it("3. run 2 drops the adoption keys: same URNs, nothing to change", async () => {
        const urnsBefore = JSON.parse((await ws.pulumi(["stack", "export"])).stdout).deployment.resources.map((r: { urn: string }) => r.urn).sort();
        await ws.pulumi(["config", "rm", "existingApplicationObjectId"]);
        await ws.pulumi(["config", "rm", "existingServicePrincipalObjectId"]);
        await ws.pulumi(["preview", "--expect-no-changes"]);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const urnsAfter = JSON.parse((await ws.pulumi(["stack", "export"])).stdout).deployment.resources.map((r: { urn: string }) => r.urn).sort();
        assert.deepStrictEqual(urnsAfter, urnsBefore);
        assertDbtHoldsValidSecret(clouds, ws.tenant(), "after run 2");
    });
});
