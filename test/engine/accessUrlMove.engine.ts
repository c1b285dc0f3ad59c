/**
 * The access-URL runbook (docs/access-url-move.md) under the real engine, with dbt Cloud switching
 * the account's redirect domain between its steps as it does when it assigns the account its
 * account-scoped URL, and never a `pulumi refresh`: every preview and up reads dbt's
 * `oauth_redirect_uri_domain` fresh (the ClientSecretRotation check), not from state.
 *
 * The stacks start on cloud.getdbt.com, which the config refuses from dbt's 2026-11-01 deprecation
 * unless dbtCloudLegacyHostExtendedUntil records dbt's extension for the account: here dbt extended
 * it until a few days from now. Commands run at chosen instants (the program and its providers
 * through libfaketime, the fake tenant through its clock), all within a week of the real clock,
 * where the fakes' TLS certificate is valid (test/http/testCertificate.ts). An extension may reach
 * no further than a year past the deprecation, so from 2027-11 on no extension is left to give and
 * the suite skips, saying so.
 *
 * 1. The runbook: add the new host, `up`; dbt switches; make it the primary, `preview` and `up`
 *    pass; when the extension ends the legacy host is refused by itself; drop it, `up`.
 * 2. dbt switched before the stack lists the new host: the preview fails in check, naming what dbt
 *    reports now and the command, and nothing is written; so does the scheduled `up`; the named
 *    command and `up` then succeed.
 */
import * as assert from "assert";
import { LEGACY_HOST_DEPRECATION, MAX_EXTENSION_DAYS } from "../../domain/dbtCloudHost";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { EngineWorkspace, RunResult } from "./workspace";

const LEGACY = "cloud.getdbt.com";
const NEW_HOST = "ab123.us1.dbt.com";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
/** The runbook's instants, from now; dbt's extension ends at a midnight UTC three or four days on. */
const T0 = new Date(NOW);
const T1 = new Date(NOW + HOUR);
const T2 = new Date(NOW + 2 * HOUR);
const EXTENSION_ENDS = new Date(Math.ceil((NOW + 3 * DAY) / DAY) * DAY);
const EXTENDED_UNTIL = EXTENSION_ENDS.toISOString().slice(0, 10);
const AFTER_EXTENSION = new Date(EXTENSION_ENDS.getTime() + HOUR);
/** The last day an extension may end on (domain/dbtCloudHost.ts). */
const LATEST_EXTENSION = new Date(LEGACY_HOST_DEPRECATION.getTime() + MAX_EXTENSION_DAYS * DAY);

function skipWhenNoExtensionIsLeft(context: Mocha.Context): void {
    if (EXTENSION_ENDS.getTime() > LATEST_EXTENSION.getTime()) {
        console.log(`      skipped: an extension of a getdbt.com host ends by ${LATEST_EXTENSION.toISOString().slice(0, 10)} at the latest; the legacy-host runbook is over`);
        context.skip();
    }
}

const stack = (name: string) => `config:
  dbt-azure-devops:adoOrganization: contoso-data
  dbt-azure-devops:dbtCloudHost: ${LEGACY}
  dbt-azure-devops:dbtCloudLegacyHostExtendedUntil: "${EXTENDED_UNTIL}"
  dbt-azure-devops:appDisplayName: dbt Labs Azure DevOps App (${name})
  dbt-azure-devops:dbtCloudAccountId: 70403103926931
`;

const uri = (host: string) => `https://${host}/complete/azure_active_directory`;

/** A Pulumi command at `at`: the program and providers' clock, and the fake tenant's. */
async function at(ws: EngineWorkspace, when: Date, args: string[], allowFailure = false): Promise<RunResult> {
    ws.updateTenant((t) => {
        t.clock = { now: when.toISOString() };
    });
    return ws.pulumi(args, { at: when, allowFailure });
}

async function outputs(ws: EngineWorkspace): Promise<Record<string, unknown>> {
    return JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
}

/** The redirect domain state holds for dbt's record (what a check reading state would judge). */
async function domainInState(ws: EngineWorkspace): Promise<string | undefined> {
    const exported = JSON.parse((await ws.pulumi(["stack", "export"])).stdout) as { deployment: { resources?: Array<{ type: string; outputs?: { dbtRecord?: { oauthRedirectUriDomain?: string } } }> } };
    return exported.deployment.resources?.find((r) => r.type.endsWith("entra:ClientSecretRotation"))?.outputs?.dbtRecord?.oauthRedirectUriDomain;
}

/** What a command wrote: requests other than reads (and Entra token requests) to the fakes, and the tenant's write calls since `calls`. */
function writesSince(clouds: FakeClouds, ws: EngineWorkspace, calls: number): string[] {
    const requests = clouds.requests().filter((r) => r.method !== "GET" && r.method !== "HEAD" && !/\/oauth2\/v2\.0\/token$/.test(r.path)).map((r) => `${r.method} ${r.path}`);
    const tenantWrites = ws.tenant().calls.slice(calls).filter((c) => !["read", "invoke", "token", "graph:get"].includes(c.op)).map((c) => `${c.op} ${c.type ?? c.id ?? ""}`);
    return [...requests, ...tenantWrites];
}

describe("engine: moving to a new access URL while dbt Cloud switches the redirect domain, without pulumi refresh", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        skipWhenNoExtensionIsLeft(this);
        ({ clouds, ws } = await startEngineStack(this, { stack: "moving", stackFile: stack("moving"), clouds: { oauthRedirectUriDomain: LEGACY }, needsFaketime: true }));
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("0. the stack is up on cloud.getdbt.com, kept by dbt's extension", async () => {
        await at(ws, T0, ["up", "--yes"]);
        assert.deepStrictEqual(ws.tenant().applications[0].web.redirectUris, [uri(LEGACY)]);
        assert.strictEqual((await outputs(ws)).dbtOauthRedirectDomain, LEGACY);
    });

    it("1-2. the new host is added beside the old one: the app allows both, and nothing else changes", async () => {
        const before = ws.tenant();
        const record = clouds.dbt.records.find((r) => r.active)!;
        await ws.pulumi(["config", "set", "--path", "dbtCloudAdditionalHosts[0]", NEW_HOST]);
        await at(ws, T0, ["preview", "--diff"]);
        clouds.forget();
        await at(ws, T0, ["up", "--yes"]);
        const app = ws.tenant().applications[0];
        assert.deepStrictEqual([...app.web.redirectUris].sort(), [uri(NEW_HOST), uri(LEGACY)]);
        assert.deepStrictEqual(app.passwords.map((p) => p.keyId), before.applications[0].passwords.map((p) => p.keyId), "no secret minted or removed");
        assert.deepStrictEqual(clouds.dbt.server.requests.filter((r) => r.method !== "GET").map((r) => r.path), [], "dbt Cloud's record not written");
        assert.deepStrictEqual(clouds.dbt.records.filter((r) => r.active).map((r) => r.id), [record.id]);
    });

    it("between the steps dbt Cloud moves the account: its record now redirects to the new host, which state does not know", async () => {
        clouds.dbt.deployment.oauthRedirectUriDomain = NEW_HOST;
        assert.strictEqual(await domainInState(ws), LEGACY, "state still holds the domain dbt reported before");
    });

    it("3. the new host becomes the primary: preview and up pass on what dbt reports now, without a refresh; one fresh secret for the write, same record", async () => {
        const before = ws.tenant();
        const record = clouds.dbt.records.find((r) => r.active)!;
        await ws.pulumi(["config", "set", "dbtCloudHost", NEW_HOST]);
        await ws.pulumi(["config", "set", "--path", "dbtCloudAdditionalHosts[0]", LEGACY]);
        const preview = await at(ws, T1, ["preview", "--diff"]);
        assert.doesNotMatch(preview.stdout + preview.stderr, /redirects the Azure DevOps sign-in/);
        await at(ws, T1, ["up", "--yes"]);
        const app = ws.tenant().applications[0];
        assert.deepStrictEqual([...app.web.redirectUris].sort(), [uri(NEW_HOST), uri(LEGACY)], "both hosts (a set: Entra keeps no order)");
        const added = app.passwords.filter((p) => !before.applications[0].passwords.some((b) => b.keyId === p.keyId));
        assert.strictEqual(added.length, 1, "dbt's API needs the secret on every write: one fresh secret");
        assert.strictEqual(clouds.dbtSecret(), added[0].value, "dbt Cloud holds it");
        assert.deepStrictEqual(clouds.dbt.records.filter((r) => r.active).map((r) => r.id), [record.id], "the same record");
        assert.strictEqual((await outputs(ws)).dbtOauthRedirectDomain, NEW_HOST);
        assert.strictEqual(await domainInState(ws), NEW_HOST);
        await at(ws, T1, ["preview", "--expect-no-changes"]);
    });

    it("the extension expires by itself: from its end date on the legacy host is refused, naming the command, and nothing is written", async () => {
        const calls = ws.tenant().calls.length;
        clouds.forget();
        // A minute before its end the same stack still previews (a rotation period may have begun by then).
        const inside = await at(ws, new Date(EXTENSION_ENDS.getTime() - 60_000), ["preview"]);
        assert.strictEqual(inside.code, 0);
        const refused = await at(ws, EXTENSION_ENDS, ["preview"], true);
        const text = refused.stdout + refused.stderr;
        assert.notStrictEqual(refused.code, 0);
        assert.match(text, new RegExp(`dbtCloudAdditionalHosts item 0 "cloud\\.getdbt\\.com" is a getdbt\\.com region host, and dbt's extension of this account's getdbt\\.com URL ended on ${EXTENDED_UNTIL}`));
        assert.match(text, /pulumi config rm --path 'dbtCloudAdditionalHosts\[0\]'/);
        assert.doesNotMatch(text, /    at [\w.<>]+ \(/, "no stack trace");
        assert.deepStrictEqual(writesSince(clouds, ws, calls), [], "nothing written");
    });

    it("5. the legacy host and the extension are dropped: only the new host's URI is left", async () => {
        await ws.pulumi(["config", "rm", "--path", "dbtCloudAdditionalHosts[0]"]);
        await ws.pulumi(["config", "rm", "dbtCloudLegacyHostExtendedUntil"]);
        await at(ws, AFTER_EXTENSION, ["up", "--yes"]);
        assert.deepStrictEqual(ws.tenant().applications[0].web.redirectUris, [uri(NEW_HOST)]);
        assert.strictEqual((await outputs(ws)).dbtOauthRedirectDomain, NEW_HOST);
        assert.ok(clouds.dbtSecret(), "dbt Cloud still holds a secret");
        assert.ok(ws.tenant().applications[0].passwords.some((p) => p.value === clouds.dbtSecret()), "one the app has");
        await at(ws, AFTER_EXTENSION, ["preview", "--expect-no-changes"]);
    });
});

describe("engine: dbt Cloud switched the redirect domain before the stack lists the new host", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    const COMMAND = `pulumi config set --path 'dbtCloudAdditionalHosts[0]' ${NEW_HOST}`;

    before(async function () {
        skipWhenNoExtensionIsLeft(this);
        ({ clouds, ws } = await startEngineStack(this, { stack: "early", stackFile: stack("early"), clouds: { oauthRedirectUriDomain: LEGACY }, needsFaketime: true }));
        await at(ws, T0, ["up", "--yes"]);
        clouds.dbt.deployment.oauthRedirectUriDomain = NEW_HOST;
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    for (const [what, args] of [["the preview", ["preview", "--diff"]], ["the scheduled up", ["up", "--yes"]]] as const) {
        it(`${what} fails in check, naming what dbt reports now and the command, and writes nothing`, async () => {
            const before = ws.tenant();
            const records = JSON.stringify(clouds.dbt.records);
            const calls = before.calls.length;
            clouds.forget();
            const failed = await at(ws, T1, [...args], true);
            const text = failed.stdout + failed.stderr;
            assert.notStrictEqual(failed.code, 0, text.slice(-3000));
            assert.match(text, new RegExp(`dbt Cloud redirects the Azure DevOps sign-in to ${NEW_HOST.replace(/\./g, "\\.")} now`));
            assert.match(text, /Nothing was written\./);
            assert.doesNotMatch(text, /record was written/);
            assert.ok(text.includes(COMMAND), `the command is named:\n${text.slice(-3000)}`);
            assert.doesNotMatch(text, /    at [\w.<>]+ \(/, "no stack trace");
            assert.deepStrictEqual(writesSince(clouds, ws, calls), [], "nothing written to Entra, Graph, Azure DevOps or dbt Cloud");
            assert.deepStrictEqual(ws.tenant().applications, before.applications);
            assert.strictEqual(JSON.stringify(clouds.dbt.records), records);
            assert.strictEqual(await domainInState(ws), LEGACY, "and state is as it was");
        });
    }

    it("the named command and up then succeed, still without a refresh", async () => {
        const args = COMMAND.replace(/^pulumi /, "").match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'(.*)'$/, "$1"));
        await ws.pulumi(args);
        await at(ws, T2, ["up", "--yes"]);
        assert.deepStrictEqual([...ws.tenant().applications[0].web.redirectUris].sort(), [uri(NEW_HOST), uri(LEGACY)]);
        assert.strictEqual((await outputs(ws)).dbtOauthRedirectDomain, NEW_HOST);
        await at(ws, T2, ["preview", "--expect-no-changes"]);
    });
});
