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
/** Owners the pack's own config allows (policy/config.json): the policy pack requires pinned owners. */
const PINNED_OWNERS = { "dbt-azure-devops:owners": ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"] };

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
        const dir = projectWith("unprotected", { config: { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", ...PINNED_OWNERS, "dbt-azure-devops:protectApplication": "false" } });
        const { code, stdout } = await plan(["--stack", "unprotected", "--at", AT], dir);
        assert.equal(code, 3);
        assert.match(stdout, /FAIL {2}entra-app-protected \(mandatory\)/);
        assert.match(lastLine(stdout) ?? "", /^plan: \d+ resources, 1 policy violation \(1 mandatory\)$/);
    });

    it("exits 3 as a process too (what CI runs)", async () => {
        const dir = projectWith("unprotected", { config: { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", ...PINNED_OWNERS, "dbt-azure-devops:protectApplication": "false" } });
        const cli = path.join(REPO_ROOT, "dist", "tools", "plan", "cli.js");
        const result = await promisify(execFile)(process.execPath, [cli, "--stack", "unprotected", "--at", AT], { cwd: dir }).then(
            () => 0,
            (error: { code?: number }) => error.code,
        );
        assert.equal(result, 3);
    });

    it("judges redirect hosts with the policy pack's config (policy/config.json), as CI's previews do", async () => {
        const custom = { "dbt-azure-devops:adoOrganization": "contoso-data", ...PINNED_OWNERS, "dbt-azure-devops:dbtCloudHost": "dbt.acme.example", "dbt-azure-devops:dbtCloudCustomDomain": "true" };
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
    const ROTATION = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";

    it("exports the slot dbt Cloud holds, its key id, the next rotation and the previous slot's expiry", async () => {
        const doc = JSON.parse((await plan(["--json", "--at", AT])).stdout) as PlanDocument;
        const rotation = doc.resources.find((r) => r.type === ROTATION);
        assert.ok(rotation);
        const current = rotation.inputs.current as { slot: string; endDate: string };
        assert.equal(current.slot, "b");
        assert.equal(doc.outputs.clientSecretSlot, "b");
        assert.equal(doc.outputs.clientSecretExpiresAt, current.endDate);
        assert.equal(doc.outputs.clientSecretExpiresAt, "2027-03-30T00:00:00Z");
        assert.equal(doc.outputs.nextRotationAt, "2026-12-16T00:00:00Z");
        // The other slot's secret is the rotation's state (minted by an earlier run), never planned: a fresh stack has none.
        assert.equal(doc.outputs.previousSecretExpiresAt, "");
        assert.equal(typeof doc.outputs.clientSecretKeyId, "string");
        assert.notEqual(doc.outputs.clientSecretKeyId, "[secret]", "a key id is not a secret");
    });

    it("moves to the other slot after the boundary, with a full period and the overlap left", async () => {
        const doc = JSON.parse((await plan(["--json", "--at", "2026-12-16T00:00:00Z"])).stdout) as PlanDocument;
        assert.equal(doc.outputs.clientSecretSlot, "a");
        assert.equal(doc.outputs.nextRotationAt, "2027-03-16T00:00:00Z");
        assert.equal(doc.outputs.clientSecretExpiresAt, "2027-06-28T00:00:00Z", "two periods and the overlap from the boundary");
        assert.deepEqual(doc.resources.find((r) => r.type === ROTATION)?.inputs.current,
            { slot: "a", period: 12, periodStart: "2026-12-16T00:00:00Z", endDate: "2027-06-28T00:00:00Z" });
    });

    it("prints a slot table: the secret dbt Cloud holds, the previous one, and what the next rotation deletes and when", async () => {
        const { stdout } = await plan(["--at", AT]);
        const table = stdout.slice(stdout.indexOf("Client secret ("), stdout.indexOf("\nConfig:")).trimEnd();
        assert.equal(table, [
            "Client secret (rotation every 90 days, 14 days overlap; two slots take turns):",
            "  slot  holds                             its period from  valid until           deleted",
            "  b     the secret dbt Cloud holds        2026-09-17       2027-03-30T00:00:00Z  by the rotation after next, 2027-03-16T00:00:00Z",
            "  a     the previous secret, still valid  2026-06-19       2026-12-30T00:00:00Z  by the next rotation, 2026-12-16T00:00:00Z",
            "  A first pulumi up mints slot b's secret only: slot a holds none until the next rotation (the rows show a deployed stack).",
            "  Next rotation: the first pulumi up from 2026-12-16T00:00:00Z mints a new secret into slot a (valid until 2027-06-28T00:00:00Z), " +
                "writes it into dbt Cloud, then deletes slot a's previous secret (valid until 2026-12-30T00:00:00Z, 14 days before it would expire).",
        ].join("\n"));
    });

    it("keeps the table in the JSON, computed from the schedule and the outputs, and turns it over at the boundary", async () => {
        const before = JSON.parse((await plan(["--json", "--at", AT])).stdout) as PlanDocument;
        assert.deepEqual(before.rotation, {
            rotationDays: 90,
            overlapDays: 14,
            handover: "written by the stack",
            slots: [
                { slot: "b", role: "held", periodStart: "2026-09-17", validUntil: "2027-03-30T00:00:00Z", deletedAt: "2027-03-16T00:00:00Z" },
                { slot: "a", role: "previous", periodStart: "2026-06-19", validUntil: "2026-12-30T00:00:00Z", deletedAt: "2026-12-16T00:00:00Z" },
            ],
            firstDeploy: true,
            next: { at: "2026-12-16T00:00:00Z", slot: "a", validUntil: "2027-06-28T00:00:00Z", deletes: { slot: "a", validUntil: "2026-12-30T00:00:00Z", daysBeforeItsEnd: 14 } },
        });
        // What the table promised for 2026-12-16 is what the plan of that day declares.
        const after = JSON.parse((await plan(["--json", "--at", "2026-12-16T00:00:00Z"])).stdout) as PlanDocument;
        assert.deepEqual(after.rotation?.slots.map((row) => [row.slot, row.role, row.validUntil]), [
            ["a", "held", before.rotation?.next.validUntil],
            ["b", "previous", "2027-03-30T00:00:00Z"],
        ]);
        assert.equal(after.rotation?.slots[1].deletedAt, before.rotation?.slots[0].deletedAt, "slot b's secret goes at the boundary the table named");
        assert.equal(after.outputs.clientSecretExpiresAt, before.rotation?.next.validUntil);
    });

    it("follows the stack's settings: a 30-day period with a 7-day overlap", async () => {
        const dir = projectWith("short", { config: { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", "dbt-azure-devops:secretRotationDays": "30", "dbt-azure-devops:secretOverlapDays": "7" } });
        const doc = JSON.parse((await plan(["--stack", "short", "--json", "--at", AT], dir)).stdout) as PlanDocument;
        // 2026-11-27 is day 1061 after 2024-01-01: period 35 (from day 1050, 2026-11-16), slot b.
        assert.deepEqual(doc.rotation?.slots.map((row) => [row.slot, row.role, row.periodStart, row.validUntil, row.deletedAt]), [
            ["b", "held", "2026-11-16", "2027-01-22T00:00:00Z", "2027-01-15T00:00:00Z"],
            ["a", "previous", "2026-10-17", "2026-12-23T00:00:00Z", "2026-12-16T00:00:00Z"],
        ]);
        assert.equal(doc.rotation?.next.deletes.daysBeforeItsEnd, 7);
    });

    it("says the secret is copied by hand on a stack that does not write dbt Cloud's record", async () => {
        const { stdout } = await plan(["--stack", "emea", "--at", AT]);
        assert.match(stdout, /^ {2}b {5}the secret dbt Cloud should hold \(copied by hand\) /m);
        assert.match(stdout, /and deletes slot a's previous secret \(valid until 2026-12-30T00:00:00Z, 14 days before it would expire\); copy the new one into dbt Cloud after that run/);
    });
});

describe("a fast npm start (issue 11)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const freshBuild = require(path.join(REPO_ROOT, "tools", "plan", "freshBuild.js")) as { isFresh(root: string, tool?: string): boolean };

    it("runs the launcher, which type-checks and builds tsconfig.plan.json (index.ts, the program and tools/plan only, incrementally)", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
        assert.equal(pkg.scripts.start, "node tools/plan/start.js");
        const tsconfig = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "tsconfig.plan.json"), "utf8"));
        assert.equal(tsconfig.compilerOptions.incremental, true);
        assert.equal(tsconfig.compilerOptions.noCheck, undefined, "npm start type-checks what it runs");
        assert.deepEqual(tsconfig.include, []);
        assert.deepEqual(tsconfig.files, ["index.ts", "tools/plan/cli.ts", "tools/bench/benchPlan.ts"]);
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
        assert.equal(freshBuild.isFresh(root), false, "never built: no stamp");

        const past = new Date(Date.now() - 60_000);
        for (const file of [source, path.join(root, "tsconfig.json"), path.join(root, "tsconfig.plan.json"), path.join(root, "package-lock.json")]) {
            fs.utimesSync(file, past, past);
        }
        fs.writeFileSync(path.join(root, "dist", ".plan-build-stamp"), "");
        assert.equal(freshBuild.isFresh(root), true, "built after every source: no tsc");

        fs.utimesSync(source, new Date(Date.now() + 1000), new Date(Date.now() + 1000));
        assert.equal(freshBuild.isFresh(root), false, "a source edited since: build");

        fs.utimesSync(source, past, past);
        fs.rmSync(path.join(root, "dist", "tools", "plan", "cli.js"));
        assert.equal(freshBuild.isFresh(root), false, "the plan's entry point is gone: build");
    });
});
