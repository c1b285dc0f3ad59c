/**
 * Service user to service principal under the real engine (README "Service user to service
 * principal"): an emea-like stack (emea.dbt.com, authMode service_user, dbt Cloud managed) is
 * brought up; then `pulumi config set authMode service_principal` and
 * `pulumi config set --path 'adoProjects[0]' 'Data Platform'`, and ONE `pulumi up` switches dbt
 * Cloud's record, drops the service-user redirect URI, and gives the principal its organization
 * entitlement and project grant. The dbt Cloud fake is the EMEA deployment: its record answers
 * `oauth_redirect_uri_domain: emea.dbt.com`.
 *
 * Checked at every dbt Cloud write (watchDbtSecretWrites in fakeClouds.ts): the secret
 * it is given exists in the tenant, and the one it held until then still exists.
 */
import * as assert from "assert";
import { FakeAzureDevOps } from "../azuredevops/fakeAzureDevOps";
import { DbtSecretWrite, FakeClouds, startEngineStack, stopEngineStack, watchDbtSecretWrites } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

const ACCOUNT = "70403103926931";
const PROJECT = "Data Platform";
const STACK = `config:
  dbt-azure-devops:adoOrganization: contoso-data
  dbt-azure-devops:dbtCloudHost: emea.dbt.com
  dbt-azure-devops:authMode: service_user
  dbt-azure-devops:appDisplayName: dbt Labs Azure DevOps App (emea)
  dbt-azure-devops:adminConsent: false
  dbt-azure-devops:dbtCloudAccountId: ${ACCOUNT}
`;
const SIGN_IN = "https://emea.dbt.com/complete/azure_active_directory";
const SERVICE_USER = "https://emea.dbt.com/complete/azure_active_directory_service_user";

describe("engine: switching an emea stack from service user to service principal in one pulumi up", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    /** Every secret dbt Cloud was given, in order, and what was wrong at each write. */
    let writes: DbtSecretWrite[] = [];
    let problems: string[] = [];

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "emea", stackFile: STACK, clouds: { oauthRedirectUriDomain: "emea.dbt.com", projects: [PROJECT] } }));
        ({ writes, problems } = watchDbtSecretWrites(clouds, ws.tenantFile));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    function record() {
        const active = clouds.dbt.records.filter((r) => r.active);
        assert.strictEqual(active.length, 1, "one active dbt Cloud record");
        return active[0];
    }

    it("1. the service-user stack comes up: both redirect URIs, dbt Cloud in service_user mode, no principal in Azure DevOps", async () => {
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const app = ws.tenant().applications[0];
        assert.deepStrictEqual([...app.web.redirectUris].sort(), [SIGN_IN, SERVICE_USER]);
        assert.strictEqual(record().fields.azure_service_authentication_method, "service_user");
        assert.strictEqual(clouds.ado.entitlements.size, 0, "service-user mode adds no principal to the organization");
        assert.strictEqual(clouds.ado.memberships.size, 0);
        const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.strictEqual(outputs.dbtOauthRedirectDomain, "emea.dbt.com", "the EMEA deployment's record answers its own host");
        assert.strictEqual(writes.length, 1);
        assert.deepStrictEqual(problems, []);
    });

    it("2. pulumi config set authMode service_principal (and a project), then one pulumi up switches everything; dbt Cloud's secret stays valid", async () => {
        const before = ws.tenant();
        const recordId = record().id;
        const keysBefore = before.applications[0].passwords.map((p) => p.keyId).sort();
        const heldBefore = clouds.dbtSecret();
        const callsBefore = before.calls.length;

        await ws.pulumi(["config", "set", "authMode", "service_principal"]);
        await ws.pulumi(["config", "set", "--path", "adoProjects[0]", PROJECT]);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);

        const tenant = ws.tenant();
        const app = tenant.applications[0];
        // dbt Cloud: the same record, now service_principal, written once.
        assert.strictEqual(record().id, recordId, "the record is updated in place, not replaced");
        assert.strictEqual(record().fields.azure_service_authentication_method, "service_principal");
        assert.strictEqual(writes.length, 2, "dbt Cloud written once more");
        // The app: the service-user URI is gone, the sign-in URI stays.
        assert.deepStrictEqual(app.web.redirectUris, [SIGN_IN]);
        // Azure DevOps: the principal is an organization user with a grant on the project.
        const sp = tenant.servicePrincipals.find((s) => s.clientId === app.clientId)!;
        const entitlement = [...clouds.ado.entitlements.values()].find((e) => e.originId === sp.objectId);
        assert.ok(entitlement, "the principal is added to the organization");
        assert.strictEqual(entitlement!.license, "express");
        const project = clouds.ado.projects.find((p) => p.name === PROJECT)!;
        const subject = FakeAzureDevOps.subjectDescriptor(sp.objectId);
        assert.ok([...clouds.ado.memberships].some((m) => m.startsWith(`${subject}|`) && m.endsWith(FakeAzureDevOps.groupDescriptor(project.id, "Readers"))), `Readers on ${PROJECT}: ${[...clouds.ado.memberships].join(", ")}`);
        assert.ok([...clouds.ado.aces.keys()].some((key) => key.includes(project.id) && key.includes(sp.objectId)), "permission bits granted on the project");
        // The secret: dbt's API needs it on every write, so the switch handed dbt Cloud a fresh one, minted into
        // the current slot; the one it held until then was removed only after that write.
        const minted = app.passwords.filter((p) => !keysBefore.includes(p.keyId));
        assert.strictEqual(minted.length, 1, "one fresh secret");
        assert.strictEqual(clouds.dbtSecret(), minted[0].value, "dbt Cloud holds it");
        assert.notStrictEqual(clouds.dbtSecret(), heldBefore);
        assert.ok(Date.parse(minted[0].endDate) > Date.now(), "and it is valid");
        const removals = tenant.calls.slice(callsBefore).filter((c) => c.op === "graph:removePassword" && c.outcome === "ok");
        assert.deepStrictEqual(removals.map((c) => c.id), keysBefore, "the secret dbt Cloud held before, and only that, was removed");
        assert.ok(removals[0].n > writes[writes.length - 1].tenantCalls, "after dbt Cloud was written");
        assert.deepStrictEqual(problems, []);

        const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.strictEqual(outputs.authMode, "service_principal");
        assert.deepStrictEqual(outputs.redirectUris, [SIGN_IN]);
        assert.strictEqual(outputs.dbtOauthRedirectDomain, "emea.dbt.com");
    });

    it("3. afterwards nothing is left to change", async () => {
        await ws.pulumi(["preview", "--expect-no-changes"]);
    });
});
