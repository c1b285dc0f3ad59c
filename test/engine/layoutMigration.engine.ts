/**
 * Upgrades in place, each from state written by an earlier commit of this repository (taken from
 * this clone's history with `git archive`), under the real engine:
 *
 * 1. The layout change (issue 12): state written by commit 9d70066 (before it) is previewed and
 *    updated by commit 94f8e03 (after it): no create, replace or delete of anything in a cloud, and
 *    the update writes nothing.
 * 2. The secret handover (issue 15): that stack, on the two ApplicationPassword slots with the
 *    secret in state, moves to the current program in one `pulumi up`: dbt Cloud's record is
 *    updated in place (same record) with a fresh secret, at no moment holds a dead one, and the old
 *    slots' secrets are retired only after it holds the new one. Afterwards no secret value, old or
 *    new, is in state, even decrypted.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../tools/projectRoot";
import { assertNoSecretAnywhere, stateKeyIds, tenantKeyIds } from "./handoverChecks";
import { FakeClouds, startEngineStack, stopEngineStack, watchDbtSecretWrites } from "./fakeClouds";
import { EngineWorkspace, requireEngine } from "./workspace";

const ROOT = projectRoot();
/** The last commit of the previous layout. */
const PREVIOUS_LAYOUT = "9d70066872c2f505f863352cd82b7d447f3a4542";
/** The last commit with the client secret in Pulumi state (two azuread ApplicationPassword slots). */
const SECRETS_IN_STATE = "94f8e03";
const PASSWORD = "azuread:index/applicationPassword:ApplicationPassword";

interface PreviewStep {
    op: string;
    urn: string;
}

/** The program tree of `commit`, with this clone's node_modules; undefined when the commit is not in the history. */
function treeOf(commit: string): string | undefined {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dbt-ado-${commit.slice(0, 7)}-`));
    try {
        const archive = execFileSync("git", ["archive", commit], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] });
        execFileSync("tar", ["-x", "-C", dir], { input: archive });
    } catch {
        fs.rmSync(dir, { recursive: true, force: true });
        return undefined;
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

describe("engine: upgrades in place, from state written by earlier commits", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    const trees: string[] = [];

    before(async function () {
        requireEngine(this);
        const oldest = treeOf(PREVIOUS_LAYOUT);
        const previous = treeOf(SECRETS_IN_STATE);
        if (!oldest || !previous) {
            console.log(`      skipped: commit ${PREVIOUS_LAYOUT.slice(0, 7)} or ${SECRETS_IN_STATE} is not in this clone's history (a shallow clone?)`);
            this.skip();
        }
        trees.push(oldest!, previous!);
        // The old programs defaulted to cloud.getdbt.com, and dbt reported that host then.
        ({ clouds, ws } = await startEngineStack(this, { programRoot: oldest, stackFile: fs.readFileSync(path.join(oldest!, "Pulumi.dev.yaml"), "utf8"), clouds: { oauthRedirectUriDomain: "cloud.getdbt.com" } }));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
        for (const tree of trees) {
            fs.rmSync(tree, { recursive: true, force: true });
        }
    });

    it("the previous layout's program creates the dev stack", async () => {
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(ws.tenant().applications.length, 1);
        assert.ok(clouds.dbtSecret());
    });

    it("the layout change previews no create, replace or delete, and its update writes nothing (issue 12)", async () => {
        ws.useProgram(trees[1]);
        assert.ok(fs.existsSync(path.join(ws.projectDir, "stacks", "Pulumi.dev.yaml")), "the stack file moved to stacks/");
        const preview = JSON.parse((await ws.pulumi(["preview", "--json"])).stdout) as { steps: PreviewStep[]; changeSummary: Record<string, number> };
        // Resources that live in a cloud must stay exactly as they are; components are the program's bookkeeping.
        const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
        const isComponent = (urn: string) => typeOf(urn).startsWith("dbt-azure-devops:");
        const cloud = preview.steps.filter((s) => !isComponent(s.urn) && typeOf(s.urn) !== "pulumi:pulumi:Stack");
        assert.ok(preview.changeSummary.same >= 13, `only ${JSON.stringify(preview.changeSummary)}`);
        assert.deepStrictEqual(cloud.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`), []);

        clouds.forget();
        const callsBefore = ws.tenant().calls.length;
        const before = ws.tenant();
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const writes = ws.tenant().calls.slice(callsBefore).filter((c) => c.op !== "read" && c.op !== "invoke");
        assert.deepStrictEqual(writes.map((c) => `${c.op} ${c.type}`), []);
        assert.deepStrictEqual(clouds.requests().filter((r) => r.method !== "GET" && r.method !== "HEAD").map((r) => `${r.method} ${r.path}`), []);
        assert.deepStrictEqual(ws.tenant().applications, before.applications);
    });

    it("the secret handover takes over in one up: same dbt record, a fresh secret, old slots retired after dbt Cloud holds it, no secret left in state (issue 15)", async () => {
        const before = ws.tenant();
        const legacyKeys = tenantKeyIds(before);
        assert.strictEqual(legacyKeys.length, 2, "the old program's two slots");
        const recordIds = clouds.dbt.records.filter((r) => r.active).map((r) => r.id);
        const heldBefore = clouds.dbtSecret();
        const { writes, problems } = watchDbtSecretWrites(clouds, ws.tenantFile);

        ws.useProgram(ROOT);
        // Today's program has no default host, and dbt has moved the account to its own access URL
        // since (getdbt.com hosts are deprecated): the upgrade names it, as a user upgrading now does.
        clouds.dbt.deployment.oauthRedirectUriDomain = "ab123.us1.dbt.com";
        await ws.pulumi(["config", "set", "dbtCloudHost", "ab123.us1.dbt.com"]);
        const preview = JSON.parse((await ws.pulumi(["preview", "--json"])).stdout) as { steps: PreviewStep[] };
        const rotation = preview.steps.find((s) => s.urn.endsWith("ClientSecretRotation::dbt-azure-devops-secret-rotation"));
        assert.strictEqual(rotation?.op, "update", "dbt Cloud's record carries over by alias: updated, not created and deleted");
        assert.ok(!preview.steps.some((s) => s.urn.includes("dbtcloud:AzureAdApplication") && s.op === "delete"), "the record resource is not deleted");
        const callsBefore = before.calls.length;
        const run = await ws.pulumi(["up", "--yes", "--skip-preview"]);

        assert.deepStrictEqual(problems, [], "at every dbt Cloud write, the secret it held until then still existed");
        assert.strictEqual(writes.length, 1, "dbt Cloud written once");
        assert.notStrictEqual(clouds.dbtSecret(), heldBefore, "with a fresh secret");
        assert.deepStrictEqual(clouds.dbt.records.filter((r) => r.active).map((r) => r.id), recordIds, "the same dbt Cloud record, never deleted");
        const tenant = ws.tenant();
        const retired = tenant.calls.slice(callsBefore).filter((c) => c.op === "delete" && c.type === PASSWORD && c.outcome === "ok");
        assert.strictEqual(retired.length, 2, "both old slots retired");
        assert.ok(retired.every((c) => c.n > writes[0].tenantCalls), "only after dbt Cloud held the new secret");
        assert.strictEqual(tenant.applications[0].passwords.length, 1, "the new secret alone");
        assert.strictEqual(tenant.applications[0].passwords[0].value, clouds.dbtSecret());
        assert.deepStrictEqual(await stateKeyIds(ws), tenantKeyIds(tenant), "state matches Entra");
        // The old secrets' values are gone from state too (the engine keeps no history in the current checkpoint).
        await assertNoSecretAnywhere(ws, clouds, [run]);
        const exported = (await ws.pulumi(["stack", "export", "--show-secrets"])).stdout;
        const oldValues = before.applications[0].passwords.map((p) => p.value);
        assert.ok(!oldValues.some((value) => exported.includes(value)), "neither old slot's secret is in state");
        await ws.pulumi(["preview", "--expect-no-changes"]);
    });
});
