/**
 * No state churn from the layout change (issue 12): state written by the program as it was before
 * it (commit 9d70066, taken from this clone's history with `git archive`) is previewed and updated
 * by the program as it is now. Aliases must cover every moved URN: the preview plans no create,
 * replace or delete, and the update writes nothing to the tenant, Azure DevOps or dbt Cloud.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../tools/projectRoot";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { EngineWorkspace, requireEngine } from "./workspace";

const ROOT = projectRoot();
/** The last commit of the previous layout. */
const PREVIOUS_LAYOUT = "9d70066872c2f505f863352cd82b7d447f3a4542";

interface PreviewStep {
    op: string;
    urn: string;
}

describe("engine: the new layout over state written by the previous one", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    let oldTree = "";

    before(async function () {
        requireEngine(this);
        oldTree = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-ado-previous-layout-"));
        try {
            const archive = execFileSync("git", ["archive", PREVIOUS_LAYOUT], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
            execFileSync("tar", ["-x", "-C", oldTree], { input: archive });
        } catch {
            console.log(`      skipped: commit ${PREVIOUS_LAYOUT.slice(0, 7)} is not in this clone's history (a shallow clone?)`);
            this.skip();
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(oldTree, "node_modules"));
        ({ clouds, ws } = await startEngineStack(this, {
            programRoot: oldTree,
            stackFile: fs.readFileSync(path.join(oldTree, "Pulumi.dev.yaml"), "utf8"),
        }));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
        if (oldTree) {
            fs.rmSync(oldTree, { recursive: true, force: true });
        }
    });

    it("the previous layout's program creates the dev stack", async () => {
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(ws.tenant().applications.length, 1);
        assert.ok(clouds.dbtSecret());
    });

    it("the current program previews no create, replace or delete over that state", async () => {
        ws.useProgram(ROOT);
        assert.ok(fs.existsSync(path.join(ws.projectDir, "stacks", "Pulumi.dev.yaml")), "the stack file moved to stacks/");
        const preview = JSON.parse((await ws.pulumi(["preview", "--json"])).stdout) as { steps: PreviewStep[]; changeSummary: Record<string, number> };
        // Resources that live in a cloud (azuread and the dynamic ones) must stay exactly as they
        // are. Component resources are the program's own bookkeeping: the new wrapper of dbt
        // Cloud's record is created (the record moves under it by alias), and a component whose
        // registered outputs grew shows as updated; neither calls a provider.
        const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
        const isComponent = (urn: string) => typeOf(urn).startsWith("dbt-azure-devops:");
        const cloud = preview.steps.filter((s) => !isComponent(s.urn) && typeOf(s.urn) !== "pulumi:pulumi:Stack");
        // The JSON lists changed steps only; its summary counts the unchanged ones.
        assert.ok(preview.changeSummary.same >= 13, `only ${JSON.stringify(preview.changeSummary)}`);
        assert.deepStrictEqual(cloud.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn}`), []);
        const components = preview.steps.filter((s) => isComponent(s.urn) && s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        assert.deepStrictEqual(components.filter((c) => !c.startsWith("update ")), ["create dbt-azure-devops-dbt-cloud"]);
    });

    it("and its update writes nothing to the tenant or the services", async () => {
        clouds.forget();
        const callsBefore = ws.tenant().calls.length;
        const before = ws.tenant();
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const writes = ws.tenant().calls.slice(callsBefore).filter((c) => c.op !== "read" && c.op !== "invoke");
        assert.deepStrictEqual(writes.map((c) => `${c.op} ${c.type}`), []);
        assert.deepStrictEqual(clouds.requests().filter((r) => r.method !== "GET" && r.method !== "HEAD").map((r) => `${r.method} ${r.path}`), []);
        assert.deepStrictEqual(ws.tenant().applications, before.applications);
        await ws.pulumi(["preview", "--expect-no-changes"]);
    });
});
