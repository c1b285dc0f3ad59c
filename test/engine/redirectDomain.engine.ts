/**
 * dbt Cloud's redirect domain under the real engine (README "Moving to a new access URL"): the
 * account was moved to a cell host, so dbt's record answers `oauth_redirect_uri_domain:
 * ab123.us1.dbt.com` while the stack still names only its old host. `pulumi up` writes the
 * record, then fails naming the exact `pulumi config set` command; running that command and
 * `pulumi up` again succeeds, the app allows the host, and `dbtOauthRedirectDomain` shows it. Then
 * the rest of the runbook: the new host becomes the primary, and the legacy host is removed.
 */
import * as assert from "assert";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

const DOMAIN = "ab123.us1.dbt.com";
/**
 * The host the stack named before: dbt's US cell 1 region host (docs.getdbt.com's redirect URL
 * tables list us1.dbt.com beside cloud.getdbt.com). Not a getdbt.com host, which the config refuses
 * from dbt's deprecation on, so this suite does not depend on the date it runs
 * (test/engine/accessUrlMove.engine.ts moves from cloud.getdbt.com, at pinned instants).
 */
const OLD_HOST = "us1.dbt.com";
const STACK = `config:
  dbt-azure-devops:adoOrganization: contoso-data
  dbt-azure-devops:dbtCloudHost: ${OLD_HOST}
  dbt-azure-devops:appDisplayName: dbt Labs Azure DevOps App (moved)
  dbt-azure-devops:dbtCloudAccountId: 70403103926931
`;

describe("engine: dbt Cloud's redirect domain is not among the app's hosts", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    let command = "";

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "moved", stackFile: STACK, clouds: { oauthRedirectUriDomain: DOMAIN } }));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("1. pulumi up writes dbt Cloud's record, then fails naming the command that adds the host", async () => {
        const failed = await ws.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
        const text = failed.stdout + failed.stderr;
        assert.notStrictEqual(failed.code, 0, "the up fails");
        assert.doesNotMatch(text, /    at [\w.<>]+ \(/, "no stack trace");
        const named = /pulumi config set --path 'dbtCloudAdditionalHosts\[(\d+)\]' (\S+)/.exec(text);
        assert.ok(named, `the failure names the command:\n${text.slice(-3000)}`);
        command = named![0];
        assert.strictEqual(command, `pulumi config set --path 'dbtCloudAdditionalHosts[0]' ${DOMAIN}`);
        // After the record was written: it holds the app's client id and a secret the app has.
        const records = clouds.dbt.records.filter((r) => r.active);
        assert.strictEqual(records.length, 1, "dbt Cloud's record was written");
        const app = ws.tenant().applications[0];
        assert.strictEqual(records[0].fields.client_id, app.clientId);
        assert.ok(app.passwords.some((p) => p.value === clouds.dbtSecret()), "dbt Cloud holds a secret of the app");
        assert.deepStrictEqual(app.web.redirectUris, [`https://${OLD_HOST}/complete/azure_active_directory`], "the app does not allow the host yet");
    });

    it("2. running that command and pulumi up again succeeds: the app allows the host and dbtOauthRedirectDomain shows it", async () => {
        // The command exactly as printed, split as a shell would: the quoted path is one argument.
        const args = command.replace(/^pulumi /, "").match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'(.*)'$/, "$1"));
        await ws.pulumi(args);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const app = ws.tenant().applications[0];
        assert.deepStrictEqual([...app.web.redirectUris].sort(), [
            `https://${DOMAIN}/complete/azure_active_directory`,
            `https://${OLD_HOST}/complete/azure_active_directory`,
        ]);
        const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.strictEqual(outputs.dbtOauthRedirectDomain, DOMAIN);
        assert.strictEqual(clouds.dbt.records.filter((r) => r.active).length, 1, "still one record");
        await ws.pulumi(["preview", "--expect-no-changes"]);
    });

    // The rest of the runbook "Moving to a new access URL", step by step (step 4, recreating the
    // repositories, happens in dbt Cloud's UI).
    it("3. switching the primary to the new host keeps both hosts' URIs and the record; dbt Cloud gets a fresh secret for the write", async () => {
        const before = ws.tenant();
        const record = clouds.dbt.records.find((r) => r.active)!;
        await ws.pulumi(["config", "set", "dbtCloudHost", DOMAIN]);
        await ws.pulumi(["config", "set", "--path", "dbtCloudAdditionalHosts[0]", OLD_HOST]);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const app = ws.tenant().applications[0];
        assert.deepStrictEqual([...app.web.redirectUris].sort(), [...before.applications[0].web.redirectUris].sort(), "the same two hosts");
        // dbt's API needs the secret on every write, and a host change is a write: one fresh secret.
        const added = app.passwords.filter((p) => !before.applications[0].passwords.some((b) => b.keyId === p.keyId));
        assert.strictEqual(added.length, 1, "one fresh secret for the write");
        assert.strictEqual(added[0].value, clouds.dbtSecret(), "dbt Cloud holds it");
        assert.deepStrictEqual(clouds.dbt.records.filter((r) => r.active).map((r) => r.id), [record.id], "the same dbt Cloud record");
        assert.ok(app.passwords.some((p) => p.value === clouds.dbtSecret()), "dbt Cloud holds a secret of the app");
    });

    it("5. after the deprecation date, removing the legacy host leaves only the new host's URI", async () => {
        await ws.pulumi(["config", "rm", "--path", "dbtCloudAdditionalHosts[0]"]);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.deepStrictEqual(ws.tenant().applications[0].web.redirectUris, [`https://${DOMAIN}/complete/azure_active_directory`]);
        const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.strictEqual(outputs.dbtOauthRedirectDomain, DOMAIN);
        await ws.pulumi(["preview", "--expect-no-changes"]);
    });
});
