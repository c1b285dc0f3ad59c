/** Issue 18, item 5: the plan's flags as a Pulumi user types them, and the stack `pulumi stack select` chose. */
import * as assert from "assert/strict";
import { createHash } from "crypto";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { runExpiryCommand } from "../../tools/expiry/cli";
import { PlanDocument } from "../../tools/plan/renderPlan";
import { engineBin } from "../engine/workspace";
import { REPO_ROOT } from "../harness/runProgram";
import { isolatedEnv, plan } from "./planHelpers";

const AT = "2026-11-27T09:00:00Z";
const PROJECT = "dbt-azure-devops";

const planned = (stdout: string) => (JSON.parse(stdout) as PlanDocument).stack;

/** A PULUMI_HOME holding what `pulumi stack select` writes for the project at `root` (Pulumi 3.276's format). */
function homeWithSelection(root: string, settings: unknown, credentials?: unknown): string {
    const home = isolatedEnv().PULUMI_HOME!;
    const hash = createHash("sha1").update(fs.realpathSync(path.join(root, "Pulumi.yaml"))).digest("hex");
    fs.mkdirSync(path.join(home, "workspaces"));
    fs.writeFileSync(path.join(home, "workspaces", `${PROJECT}-${hash}-workspace.json`), JSON.stringify(settings));
    if (credentials !== undefined) {
        fs.writeFileSync(path.join(home, "credentials.json"), JSON.stringify(credentials));
    }
    return home;
}

describe("plan flags as Pulumi users type them (issue 18)", function () {
    this.timeout(60_000);

    it("takes -s as --stack: -s emea, -s=emea", async () => {
        for (const argv of [["-s", "emea"], ["-s=emea"]]) {
            const { code, stdout, stderr } = await plan([...argv, "--json", "--at", AT]);
            assert.equal(code, 0, stderr);
            assert.equal(planned(stdout), "emea", argv.join(" "));
        }
        const twice = await plan(["-s", "emea", "--stack", "dev", "--at", AT]);
        assert.equal(twice.code, 2);
        assert.match(twice.stderr, /--stack is given more than once/);
    });

    it("reads --stack <org>/<project>/<stack> as that stack, and refuses another project's", async () => {
        for (const reference of ["acme/dbt-azure-devops/emea", "acme/emea", "organization/dbt-azure-devops/emea"]) {
            const { code, stdout, stderr } = await plan(["--stack", reference, "--json", "--at", AT]);
            assert.equal(code, 0, stderr);
            assert.equal(planned(stdout), "emea", reference);
        }
        const other = await plan(["--stack", "acme/billing/dev", "--at", AT]);
        assert.equal(other.code, 2);
        assert.equal(other.stderr, '--stack "acme/billing/dev" is a stack of project billing, but this folder holds project dbt-azure-devops (Pulumi.yaml): ' +
            "give --stack dev, or acme/dbt-azure-devops/dev.\n");
        for (const bad of ["../etc/dev", "a/b/c/dev", "dev stack"]) {
            const refused = await plan(["--stack", bad, "--at", AT]);
            assert.equal(refused.code, 2, bad);
            assert.match(refused.stderr, /is not a stack name/, bad);
        }
    });

    it("plans the stack pulumi stack select chose for this folder when no --stack is given, and says so", async () => {
        const backend = "azblob://pulumi-state";
        const home = homeWithSelection(REPO_ROOT, { stacks: { [backend]: "organization/dbt-azure-devops/emea", "https://api.pulumi.com": "acme/dbt-azure-devops/dev" } }, { current: backend });
        const selected = await plan(["--at", AT], REPO_ROOT, { PULUMI_HOME: home });
        assert.equal(selected.code, 0, selected.stderr);
        assert.match(selected.stdout, /^Offline plan of stack "emea" \(chosen by pulumi stack select\) at /);
        // The selection is per backend: logged in elsewhere (PULUMI_BACKEND_URL wins), another stack.
        const cloud = await plan(["--json", "--at", AT], REPO_ROOT, { PULUMI_HOME: home, PULUMI_BACKEND_URL: "https://api.pulumi.com" });
        assert.equal(planned(cloud.stdout), "dev");
        // --stack and PULUMI_STACK come first, as in the CLI.
        assert.equal(planned((await plan(["--stack", "dev", "--json", "--at", AT], REPO_ROOT, { PULUMI_HOME: home })).stdout), "dev");
        const fromEnv = await plan(["--json", "--at", AT], REPO_ROOT, { PULUMI_HOME: home, PULUMI_STACK: "dev" });
        assert.equal(planned(fromEnv.stdout), "dev");
        assert.equal((JSON.parse(fromEnv.stdout) as PlanDocument).stackChosenBy, "PULUMI_STACK");
        // Older CLIs wrote {"stack": ...}; nothing selected means dev.
        assert.equal(planned((await plan(["--json", "--at", AT], REPO_ROOT, { PULUMI_HOME: homeWithSelection(REPO_ROOT, { stack: "emea" }) })).stdout), "emea");
        assert.equal(planned((await plan(["--json", "--at", AT])).stdout), "dev");
    });

    it("finds what the real pulumi stack select wrote (skipped without the engine's CLI)", async function () {
        const bin = engineBin();
        if (!bin) {
            console.log("      skipped: no Pulumi CLI built (npm run engine)");
            this.skip();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-select-"));
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.cpSync(path.join(REPO_ROOT, "stacks"), path.join(dir, "stacks"), { recursive: true });
        const env: NodeJS.ProcessEnv = { ...process.env, ...isolatedEnv(), PULUMI_CONFIG_PASSPHRASE: "x", PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true" };
        const pulumi = (...args: string[]) => {
            const result = spawnSync(path.join(bin!, "pulumi"), [...args, "--non-interactive"], { cwd: dir, env, encoding: "utf8" });
            assert.equal(result.status, 0, `pulumi ${args.join(" ")}: ${result.stderr}`);
        };
        pulumi("login", `file://${fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-state-"))}`);
        pulumi("stack", "init", "dev");
        pulumi("stack", "init", "emea");
        pulumi("stack", "select", "emea");
        const { code, stdout, stderr } = await plan(["--json", "--at", AT], dir, { PULUMI_HOME: env.PULUMI_HOME });
        assert.equal(code, 0, stderr);
        assert.equal(planned(stdout), "emea");
    });

    it("gets a did-you-mean for a mistyped flag, without a second error for its value", async () => {
        const { code, stderr } = await plan(["--stak", "emea", "--at", AT]);
        assert.equal(code, 2);
        assert.equal(stderr.split("\n")[0], "unknown flag --stak (did you mean --stack?).");
        assert.doesNotMatch(stderr, /emea/);
        assert.match((await plan(["--jsn"])).stderr, /^unknown flag --jsn \(did you mean --json\?\)\./);
        assert.match((await plan(["-json"])).stderr, /^unknown flag -json \(did you mean --json\?\)\./, "one dash for two");
        assert.match((await plan(["-x"])).stderr, /^unknown flag -x\.\n/, "no guess from one letter");
        assert.match((await plan(["-stack", "emea"])).stderr, /^unknown flag -stack \(did you mean --stack\?\)\.\n(?!.*emea)/, "not -s with the value tack");
        let err = "";
        assert.equal(runExpiryCommand(["--dasy", "3"], { stdin: "{}", stdout: () => undefined, stderr: (t) => (err += t), now: () => new Date(AT) }), 2);
        assert.match(err, /^unknown flag --dasy \(did you mean --days\?\)\./);
    });

    it("says to name a stack with --stack when given a bare stack name", async () => {
        const { code, stderr } = await plan(["emea"]);
        assert.equal(code, 2);
        assert.match(stderr, /^unexpected argument "emea"\.\nto plan stack "emea", name it with --stack: npm start -- --stack emea\n/);
    });

    describe("a forgotten -- (npm keeps the flags)", () => {
        /** What npm hands the script for `npm <args>` in a package whose start script prints both. */
        function whatNpmPasses(args: string[]): { argv: string[]; env: Record<string, string> } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-npm-"));
            const script = "console.log(JSON.stringify({ argv: process.argv.slice(1), env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('npm_config_') || k === 'npm_lifecycle_event')) }))";
            // `--` so that node leaves what npm appends to the script's arguments.
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "probe", scripts: { start: `node -e "${script}" --`, "check-expiry": `node -e "${script}" --` } }));
            const result = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["--silent", ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
            assert.equal(result.status, 0, result.stderr);
            return JSON.parse(result.stdout.trim().split("\n").pop()!);
        }

        it("npm start --stack emea: npm passes only emea on and sets npm_config_stack; the plan says where the flag went", async () => {
            const passed = whatNpmPasses(["start", "--stack", "emea"]);
            assert.deepEqual(passed.argv, ["emea"]);
            assert.equal(passed.env.npm_config_stack, "true");
            const { code, stderr } = await plan(passed.argv, REPO_ROOT, isolatedEnv(passed.env));
            assert.equal(code, 2);
            assert.match(stderr, /^npm kept --stack for itself: flags for this command go after --, as in: npm start -- --stack emea$/m);
            assert.doesNotMatch(stderr, /name it with --stack/, "one hint, not two");
        });

        it("npm start --json --at 2027-01-01, and a typo npm kept: each named", async () => {
            const passed = whatNpmPasses(["start", "--json", "--at", "2027-01-01"]);
            const { code, stderr } = await plan(passed.argv, REPO_ROOT, isolatedEnv(passed.env));
            assert.equal(code, 2);
            assert.match(stderr, /^npm kept --at, --json for itself: flags for this command go after --, as in: npm start -- --at 2027-01-01 --json$/m);
            const typo = whatNpmPasses(["start", "--stak", "emea"]);
            assert.match((await plan(typo.argv, REPO_ROOT, isolatedEnv(typo.env))).stderr, /^npm kept --stack for itself: .* npm start -- --stack emea$/m);
        });

        it("npm run check-expiry --now 2027-01-01, and --days 3 (which npm turns into a setting of its own): the rule for the expiry check", () => {
            const check = (args: string[]) => {
                const passed = whatNpmPasses(["run", "check-expiry", ...args]);
                let err = "";
                const code = runExpiryCommand(passed.argv, { stdin: "{}", env: passed.env, stdout: () => undefined, stderr: (t) => (err += t), now: () => new Date(AT) });
                assert.equal(code, 2);
                return err;
            };
            assert.match(check(["--now", "2027-01-01"]), /^npm kept --now for itself: flags for this command go after --, as in: npm run check-expiry -- --now 2027-01-01$/m);
            const days = check(["--days", "3"]);
            assert.match(days, /^unexpected argument "3"\.$/m);
            assert.match(days, /^npm passes on only what comes after --, and keeps flags before it for itself: npm run check-expiry -- --days <days>$/m);
        });

        it("stays quiet about npm's own settings when the flags were given after --", async () => {
            const passed = whatNpmPasses(["start", "--", "--stack", "emea"]);
            assert.deepEqual(passed.argv, ["--stack", "emea"]);
            const { code, stderr } = await plan([...passed.argv, "--json", "--at", AT], REPO_ROOT, isolatedEnv(passed.env));
            assert.equal(code, 0, stderr);
        });
    });

    it("runs as a process without --stack, choosing as in-process", async () => {
        const cli = path.join(REPO_ROOT, "dist", "tools", "plan", "cli.js");
        const home = homeWithSelection(REPO_ROOT, { stacks: { "file:///state": "organization/dbt-azure-devops/emea" } });
        const { stdout } = await promisify(execFile)(process.execPath, [cli, "--json", "--at", AT], { cwd: REPO_ROOT, env: { ...process.env, PULUMI_HOME: home, PULUMI_STACK: "", PULUMI_BACKEND_URL: "" } });
        assert.equal(planned(stdout), "emea");
    });
});
