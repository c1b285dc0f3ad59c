/**
 * The secret handover under the real engine (issue 15): readiness before dbt Cloud is written,
 * orphans and other credentials, the app instance property lock, and a stack without dbt Cloud,
 * whose secret still reaches a person as a secret output.
 */
import * as assert from "assert";
import { callsMatching } from "./fakeAzuread/tenant";
import { assertHandoverConverged, assertNoSecretAnywhere, exportedResources, ROTATION_TYPE, stateKeyIds, tenantKeyIds } from "./handoverChecks";
import { FakeClouds, startEngineStack, stopEngineStack, watchDbtSecretWrites } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

const MANUAL_STACK = `config:
  dbt-azure-devops:adoOrganization: contoso-data
  dbt-azure-devops:dbtCloudHost: ab123.us1.dbt.com
  dbt-azure-devops:appDisplayName: dbt Labs Azure DevOps App (manual)
`;

describe("engine: a new secret proves itself before dbt Cloud gets it", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("1. Entra refuses the new secret for a while: dbt Cloud is written only after 8 token requests in a row succeeded", async () => {
        ws.updateTenant((t) => {
            t.entra = { ...(t.entra ?? {}), newSecretDelayMs: 1_500, flakyEvery: 0 };
        });
        const { writes, problems } = watchDbtSecretWrites(clouds, ws.tenantFile);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.deepStrictEqual(problems, []);
        assert.strictEqual(writes.length, 1);
        const tenant = ws.tenant();
        const app = tenant.applications[0];
        // The token requests with the app's secret before dbt Cloud's write: refusals first, then exactly 8 successes in a row.
        const tokens = tenant.calls.filter((c) => c.op === "token" && c.id === app.clientId && c.n <= writes[0].tenantCalls);
        assert.ok(tokens.some((c) => c.outcome === "error"), "Entra refused the new secret at first (replication delay)");
        const tail = tokens.slice(-8);
        assert.deepStrictEqual(tail.map((c) => c.outcome), Array(8).fill("ok"), "the last 8 requests before the write succeeded");
        assert.strictEqual(tokens[tokens.length - 9]?.outcome ?? "error", "error", "and the one before them failed: a streak of exactly 8 released it");
    });

    it("2. a secret that never works fails the run naming the wait, leaves dbt Cloud untouched and is removed", async () => {
        const held = clouds.dbtSecret();
        const keysBefore = tenantKeyIds(ws.tenant());
        ws.updateTenant((t) => {
            t.entra = { ...(t.entra ?? {}), secretsNeverReady: true };
        });
        await ws.pulumi(["config", "set", "secretReadinessTimeoutSeconds", "10"]);
        // A change of dbt's record forces a fresh secret for the write.
        await ws.pulumi(["config", "set", "authMode", "service_user"]);
        await ws.pulumi(["config", "rm", "adoProjects"]);
        const failed = await ws.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
        const text = failed.stdout + failed.stderr;
        assert.notStrictEqual(failed.code, 0);
        assert.match(text, /did not obtain an Azure DevOps token 8 times in a row within 10 s \(secretReadinessTimeoutSeconds\)/);
        assert.match(text, /AADSTS7000215/, "Entra's last answer is named");
        assert.match(text, /the unproven secret was removed/);
        assert.strictEqual(clouds.dbtSecret(), held, "dbt Cloud keeps the secret it had");
        assert.strictEqual(clouds.dbt.records.find((r) => r.active)?.fields.azure_service_authentication_method, "service_principal", "dbt Cloud's record was not written");
        assert.deepStrictEqual(tenantKeyIds(ws.tenant()), keysBefore, "the unproven secret is gone; nothing else changed");
        assert.deepStrictEqual(await stateKeyIds(ws), keysBefore, "state still matches Entra");
        await assertNoSecretAnywhere(ws, clouds, [failed]);

        ws.updateTenant((t) => {
            t.entra = { ...(t.entra ?? {}), secretsNeverReady: false, newSecretDelayMs: 0 };
        });
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(clouds.dbt.records.find((r) => r.active)?.fields.azure_service_authentication_method, "service_user", "the next run completes the change");
    });
});

describe("engine: credentials the stack did not record", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("a marked orphan is removed once dbt Cloud holds the new secret; a hand-made one is reported with its key id and kept", async () => {
        const app = ws.tenant().applications[0];
        const now = Date.now();
        const future = (days: number) => new Date(now + days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
        const orphan = { keyId: "0e1d2c3b-0000-4000-8000-00000000000a", displayName: "dbt Cloud slot a 2026-12-01 [pulumi dbt-azure-devops/dev 0badf00d]", startDate: future(0), endDate: future(100), value: "orphan-secret-value-not-real-0123456789", hint: "orp", createdAt: new Date(now).toISOString() };
        const handMade = { keyId: "0e1d2c3b-0000-4000-8000-00000000000b", displayName: "Someone's script", startDate: future(0), endDate: future(60), value: "handmade-secret-value-not-real-012345678", hint: "han", createdAt: new Date(now).toISOString() };
        const otherStack = { keyId: "0e1d2c3b-0000-4000-8000-00000000000c", displayName: "dbt Cloud slot b 2026-12-01 [pulumi dbt-azure-devops/prod 1badf00d]", startDate: future(0), endDate: future(60), value: "otherstack-secret-value-not-real-012345", hint: "oth", createdAt: new Date(now).toISOString() };
        ws.updateTenant((t) => {
            t.applications[0].passwords.push(orphan, handMade, otherStack);
        });
        // A change of dbt's record: a fresh secret is handed over, and then the orphan goes.
        const { writes } = watchDbtSecretWrites(clouds, ws.tenantFile);
        await ws.pulumi(["config", "set", "authMode", "service_user"]);
        await ws.pulumi(["config", "rm", "adoProjects"]);
        const run = await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const log = run.stdout + run.stderr;
        assert.strictEqual(writes.length, 1, "dbt Cloud written once");
        const left = ws.tenant().applications[0].passwords.map((p) => p.keyId);
        assert.ok(!left.includes(orphan.keyId), "the orphan was removed");
        assert.ok(left.includes(handMade.keyId), "the hand-made secret was kept");
        assert.ok(left.includes(otherStack.keyId), "another stack's secret was kept");
        assert.match(log, new RegExp(`did not make: .*${handMade.keyId}`), "the hand-made secret is reported with its key id");
        assert.match(log, new RegExp(`did not finish: .*${orphan.keyId}`), "the orphan is reported");
        const removal = callsMatching(ws.tenant(), { op: "graph:removePassword", id: orphan.keyId })[0];
        assert.ok(removal && removal.n > writes[0].tenantCalls, "the orphan was removed after dbt Cloud held the new secret");
        assert.ok(!app.passwords.some((p) => p.value === clouds.dbtSecret()), "dbt Cloud holds the fresh secret");
        assert.ok(!log.includes(orphan.value) && !log.includes(handMade.value));
    });
});

describe("engine: pulumi up --replace of the rotation", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("the replacement hands dbt Cloud's one record a new secret first; the old resource's delete leaves the record, and dbt Cloud keeps a working secret", async () => {
        const urn = (await exportedResources(ws)).resources.find((r) => r.type === ROTATION_TYPE)!.urn;
        const { writes } = watchDbtSecretWrites(clouds, ws.tenantFile);
        const run = await ws.pulumi(["up", "--yes", "--skip-preview", "--replace", urn]);
        assert.strictEqual(writes.length, 1, "dbt Cloud written once, by the replacement");
        const records = clouds.dbt.records;
        assert.strictEqual(records.length, 1, "the account's one record, adopted by the replacement");
        assert.ok(records[0].active, "the old resource's delete left the record the replacement wrote");
        assert.match(run.stdout + run.stderr, /after this resource's last write .*left in place/);
        await assertHandoverConverged(ws, clouds, { at: new Date(), maxSecrets: 1, minValidDays: 90, printed: [run] });
        await ws.pulumi(["preview", "--expect-no-changes"]);
    });
});

describe("engine: the app instance property lock", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("is set by up; lifted in the portal, a refresh shows it and the next up sets it again", async () => {
        assert.strictEqual(ws.tenant().applications[0].servicePrincipalLockConfiguration?.allProperties, true);
        ws.updateTenant((t) => {
            t.applications[0].servicePrincipalLockConfiguration = { isEnabled: false };
        });
        const preview = await ws.pulumi(["preview", "--refresh", "--expect-no-changes"], { allowFailure: true });
        assert.notStrictEqual(preview.code, 0, "the lifted lock is a change");
        assert.match(preview.stdout, /dbt-azure-devops-lock/);
        await ws.pulumi(["up", "--refresh", "--yes", "--skip-preview"]);
        assert.deepStrictEqual(ws.tenant().applications[0].servicePrincipalLockConfiguration, {
            isEnabled: true, allProperties: true, credentialsWithUsageVerify: true, credentialsWithUsageSign: true, identifierUris: true, tokenEncryptionKeyId: true,
        });
        await ws.pulumi(["preview", "--refresh", "--expect-no-changes"]);
    });
});

describe("engine: a stack without dbt Cloud gets its secret as a secret output, one rotation for both", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "manual", stackFile: MANUAL_STACK, needsFaketime: true }));
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("the clientSecret output is the current secret, marked secret; state holds no other secret value", async () => {
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, string>;
        assert.strictEqual(outputs.clientSecret, "[secret]");
        const shown = JSON.parse((await ws.pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as Record<string, string>;
        const app = ws.tenant().applications[0];
        assert.deepStrictEqual(app.passwords.map((p) => p.value), [shown.clientSecret], "the one secret on the app");
        assert.strictEqual(clouds.dbt.records.length, 0, "dbt Cloud is not called");
        const plain = (await exportedResources(ws)).text;
        assert.ok(!plain.includes(shown.clientSecret), "state keeps it encrypted");

        // Across a boundary: the new secret is output, the previous one stays valid (for the person to switch), and state
        // holds the current value only.
        const at = new Date(Date.parse(outputs.nextRotationAt) + 3_600_000);
        await ws.pulumi(["up", "--yes", "--skip-preview"], { at });
        const after = JSON.parse((await ws.pulumi(["stack", "output", "--json", "--show-secrets"], { at })).stdout) as Record<string, string>;
        const passwords = ws.tenant().applications[0].passwords;
        assert.strictEqual(passwords.length, 2);
        assert.notStrictEqual(after.clientSecret, shown.clientSecret);
        assert.ok(passwords.some((p) => p.value === after.clientSecret) && passwords.some((p) => p.value === shown.clientSecret));
        const decrypted = (await exportedResources(ws, true)).text;
        assert.ok(!decrypted.includes(shown.clientSecret), "the previous secret's value is not in state");
        assert.ok((await exportedResources(ws)).resources.some((r) => r.type === ROTATION_TYPE));
    });
});
