/**
 * Issue 11: the plan is a gate (exit 3 on a mandatory policy failure, a one-line summary), the
 * rotation is visible (outputs and a header line), and `npm start` builds only what it needs.
 */
import * as assert from "assert/strict";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { PlanDocument } from "../../tools/plan/renderPlan";
import { REPO_ROOT } from "../harness/runProgram";
import { plan, projectWith } from "./planHelpers";

const AT = "2026-11-27T09:00:00Z";

const lastLine = (text: string) => text.trimEnd().split("\n").pop();

describe("the offline plan as a gate (issue 11)", function () {
    this.timeout(60_000);

    it("ends with a one-line summary and exits 0 when every policy passes", async () => {
        const { code, stdout } = await plan(["--at", AT]);
        assert.equal(code, 0);
        const resources = /^Resources \((\d+)\):$/m.exec(stdout)?.[1];
        assert.equal(lastLine(stdout), `plan: ${resources} resources, 0 policy violations (0 mandatory)`);
    });

    it("keeps --json output pure JSON and puts the summary on standard error", async () => {
        const { code, stdout, stderr } = await plan(["--json", "--at", AT]);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout) as PlanDocument;
        assert.equal(stderr, `plan: ${doc.resources.length} resources, 0 policy violations (0 mandatory)\n`);
    });

    it("exits 3 when a mandatory policy fails (an unprotected app), saying so on its last line", async () => {
        const dir = projectWith("unprotected", { config: { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", "dbt-azure-devops:protectApplication": "false" } });
        const { code, stdout } = await plan(["--stack", "unprotected", "--at", AT], dir);
        assert.equal(code, 3);
        assert.match(stdout, /FAIL {2}entra-app-protected \(mandatory\)/);
        assert.match(lastLine(stdout) ?? "", /^plan: \d+ resources, 1 policy violation \(1 mandatory\)$/);
    });

    it("exits 3 as a process too (what CI runs)", async () => {
        const dir = projectWith("unprotected", { config: { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", "dbt-azure-devops:protectApplication": "false" } });
        const cli = path.join(REPO_ROOT, "dist", "tools", "plan", "cli.js");
        const result = await promisify(execFile)(process.execPath, [cli, "--stack", "unprotected", "--at", AT], { cwd: dir }).then(
            () => 0,
            (error: { code?: number }) => error.code,
        );
        assert.equal(result, 3);
    });

    it("judges redirect hosts with the policy pack's config (policy/config.json), as CI's previews do", async () => {
        const custom = { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "dbt.acme.example", "dbt-azure-devops:dbtCloudCustomDomain": "true" };
        const dir = projectWith("custom", { config: custom });
        const refused = await plan(["--stack", "custom", "--at", AT], dir);
        assert.equal(refused.code, 3, "a custom host the pack config does not list");
        assert.match(refused.stdout, /FAIL {2}entra-app-dbt-redirect-uris-only \(mandatory\)[\s\S]*dbt\.acme\.example/);

        fs.mkdirSync(path.join(dir, "policy"));
        fs.writeFileSync(path.join(dir, "policy", "config.json"), JSON.stringify({ "entra-app-dbt-redirect-uris-only": { allowedHosts: ["dbt.acme.example"] } }));
        const allowed = await plan(["--stack", "custom", "--at", AT], dir);
        assert.equal(allowed.code, 0, allowed.stdout);

        fs.writeFileSync(path.join(dir, "policy", "config.json"), "{ not json");
        const broken = await plan(["--stack", "custom", "--at", AT], dir);
        assert.equal(broken.code, 2);
        assert.match(broken.stderr, /policy\/config\.json is not valid JSON/);
    });
});

describe("rotation made visible (issue 11)", () => {
    it("exports the slot dbt Cloud holds, its key id, the next rotation and the previous slot's expiry", async () => {
        const doc = JSON.parse((await plan(["--json", "--at", AT])).stdout) as PlanDocument;
        const slotB = doc.resources.find((r) => r.name === "dbt-azure-devops-secret-b");
        assert.ok(slotB);
        assert.equal(doc.outputs.clientSecretSlot, "b");
        assert.equal(doc.outputs.clientSecretExpiresAt, slotB.inputs.endDate);
        assert.equal(doc.outputs.nextRotationAt, "2026-12-16T00:00:00Z");
        assert.equal(doc.outputs.previousSecretExpiresAt, "2026-12-30T00:00:00Z");
        assert.equal(typeof doc.outputs.clientSecretKeyId, "string");
        assert.notEqual(doc.outputs.clientSecretKeyId, "[secret]", "a key id is not a secret");
    });

    it("moves to the other slot after the boundary, and the previous expiry is the old slot's", async () => {
        const doc = JSON.parse((await plan(["--json", "--at", "2026-12-16T00:00:00Z"])).stdout) as PlanDocument;
        assert.equal(doc.outputs.clientSecretSlot, "a");
        assert.equal(doc.outputs.nextRotationAt, "2027-03-16T00:00:00Z");
        assert.equal(doc.outputs.previousSecretExpiresAt, "2027-03-30T00:00:00Z");
    });

    it("says in the plan's header which slot dbt Cloud holds and when the next rotation comes", async () => {
        const header = (await plan(["--at", AT])).stdout.split("\n").slice(0, 4).join("\n");
        assert.match(header, /^Rotation: dbt Cloud holds the secret in slot b \(expires 2027-03-30T00:00:00Z\); next rotation 2026-12-16T00:00:00Z, into slot a, whose previous secret stays valid until 2026-12-30T00:00:00Z$/m);
    });

    it("says the secret is copied by hand on a stack that does not write dbt Cloud's record", async () => {
        const header = (await plan(["--stack", "emea", "--at", AT])).stdout.split("\n").slice(0, 4).join("\n");
        assert.match(header, /^Rotation: dbt Cloud should hold \(copied by hand\) the secret in slot b /m);
    });
});

describe("a fast npm start (issue 11)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const start = require(path.join(REPO_ROOT, "tools", "plan", "start.js")) as { isFresh(root: string): boolean };

    it("runs the launcher, which builds tsconfig.plan.json (the program and tools/plan only, incrementally)", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
        assert.equal(pkg.scripts.start, "node tools/plan/start.js");
        const tsconfig = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "tsconfig.plan.json"), "utf8"));
        assert.equal(tsconfig.compilerOptions.incremental, true);
        assert.deepEqual(tsconfig.include, []);
        assert.ok(tsconfig.files.every((f: string) => f.startsWith("tools/plan/") || f.startsWith("tools/bench/")), tsconfig.files);
    });

    it("skips tsc when no source is newer than the last build, and builds when one is", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-fresh-"));
        const source = path.join(root, "program.ts");
        fs.mkdirSync(path.join(root, "dist", "tools", "plan"), { recursive: true });
        for (const file of [source, path.join(root, "tsconfig.json"), path.join(root, "tsconfig.plan.json"), path.join(root, "package-lock.json")]) {
            fs.writeFileSync(file, "");
        }
        fs.writeFileSync(path.join(root, "dist", ".tsbuildinfo-plan"), JSON.stringify({ fileNames: ["../node_modules/x.d.ts", "../program.ts"] }));
        fs.writeFileSync(path.join(root, "dist", "tools", "plan", "cli.js"), "");
        assert.equal(start.isFresh(root), false, "never built: no stamp");

        const past = new Date(Date.now() - 60_000);
        for (const file of [source, path.join(root, "tsconfig.json"), path.join(root, "tsconfig.plan.json"), path.join(root, "package-lock.json")]) {
            fs.utimesSync(file, past, past);
        }
        fs.writeFileSync(path.join(root, "dist", ".plan-build-stamp"), "");
        assert.equal(start.isFresh(root), true, "built after every source: no tsc");

        fs.utimesSync(source, new Date(Date.now() + 1000), new Date(Date.now() + 1000));
        assert.equal(start.isFresh(root), false, "a source edited since: build");

        fs.utimesSync(source, past, past);
        fs.rmSync(path.join(root, "dist", "tools", "plan", "cli.js"));
        assert.equal(start.isFresh(root), false, "the plan's entry point is gone: build");
    });
});
