/**
 * Issue 18, item 3: `npm start` and `npm run check-expiry` type-check what they run, incrementally,
 * and reuse a fresh build; `pulumi` commands transpile only (CI type-checks), decided the way the
 * Pulumi CLI's Node.js language host and @pulumi/pulumi decide it, so a user's machine does it by
 * itself. Speed itself is the bench's business (`npm run bench`), never a timed test.
 */
import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../harness/runProgram";

/** A copy of the project's sources (no dist, no tests), with the installed node_modules linked. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-typecheck-"));
    const skipped = new Set(["node_modules", "dist", "test", ".git", ".engine", ".drafts"]);
    for (const entry of fs.readdirSync(REPO_ROOT)) {
        if (!skipped.has(entry)) {
            fs.cpSync(path.join(REPO_ROOT, entry), path.join(dir, entry), { recursive: true });
        }
    }
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/**
 * A project as small as tsc allows, laid out as this one is for `npm start`: the real launcher
 * (tools/plan/start.js, freshBuild.js), a tsconfig.plan.json extending a tsconfig.json, a
 * "program" and a plan entry point that prints what it planned. Type-checking it takes a fraction
 * of the real program's time, so the test does not slow the rest of `npm test`.
 */
function smallProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-launcher-"));
    fs.mkdirSync(path.join(dir, "tools", "plan"), { recursive: true });
    for (const file of ["start.js", "freshBuild.js"]) {
        fs.copyFileSync(path.join(REPO_ROOT, "tools", "plan", file), path.join(dir, "tools", "plan", file));
    }
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: { strict: true, target: "es2022", module: "commonjs", lib: ["es2022"], types: [], outDir: "dist", rootDir: "." },
    }));
    const planConfig = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "tsconfig.plan.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    fs.writeFileSync(path.join(dir, "tsconfig.plan.json"), JSON.stringify({
        extends: "./tsconfig.json",
        // The real one's options (incremental, its build info, no noCheck), with this project's files and no @types.
        compilerOptions: { ...planConfig.compilerOptions, types: [] },
        include: [],
        files: ["tools/plan/cli.ts"],
    }));
    fs.writeFileSync(path.join(dir, "package-lock.json"), "{}");
    fs.writeFileSync(path.join(dir, "program.ts"), 'export const organization: string = "contoso-data";\n');
    fs.writeFileSync(path.join(dir, "tools", "plan", "cli.ts"), [
        'import { organization } from "../../program";',
        "declare const console: { log(text: string): void };",
        "export function main(argv: string[]): void {",
        "    console.log(`planned ${organization} with ${argv.join(\" \")}`);",
        "}",
        "",
    ].join("\n"));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

function run(dir: string, script: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [path.join(dir, script), ...args], { cwd: dir, input, encoding: "utf8", env: { ...process.env, PULUMI_STACK: "" } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const mtime = (file: string) => fs.statSync(file).mtimeMs;

describe("type-checked, incremental builds of the plan and the expiry check (issue 18)", function () {
    this.timeout(120_000);

    it("npm start refuses to run code that does not type-check, runs it once it does, and runs no tsc when warm", () => {
        const dir = smallProject();
        const programFile = path.join(dir, "program.ts");
        const program = fs.readFileSync(programFile, "utf8");
        fs.writeFileSync(programFile, "export const organization: string = 42;\n");

        const refused = run(dir, "tools/plan/start.js", ["--stack", "dev"]);
        assert.equal(refused.status, 1, refused.stderr);
        assert.equal(refused.stdout, "", "nothing planned, and tsc's report kept off standard output");
        assert.match(refused.stderr, /^program\.ts\(1,14\): error TS2322: Type 'number' is not assignable to type 'string'\.$/m);
        assert.match(refused.stderr, /The code does not type-check \(tsc, above\), so the offline plan did not run/);
        const again = run(dir, "tools/plan/start.js", ["--stack", "dev"]);
        assert.equal(again.status, 1, "still refused: a failed build is never taken for a fresh one");

        fs.writeFileSync(programFile, program);
        const planned = run(dir, "tools/plan/start.js", ["--stack", "dev"]);
        assert.equal(planned.status, 0, planned.stderr);
        assert.equal(planned.stdout, "planned contoso-data with --stack dev\n");

        const buildInfo = path.join(dir, "dist", ".tsbuildinfo-plan");
        const built = mtime(buildInfo);
        const warm = run(dir, "tools/plan/start.js", ["--json"]);
        assert.equal(warm.status, 0, warm.stderr);
        assert.equal(warm.stdout, "planned contoso-data with --json\n");
        assert.equal(mtime(buildInfo), built, "a warm start does not run tsc");
    });

    it("npm run check-expiry builds only the check, type-checked, and reuses that build, whatever happens to the program", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
        assert.equal(pkg.scripts["check-expiry"], "node tools/expiry/start.js", "no full rebuild (tests included) on every call");
        const dir = projectCopy();
        const outputs = JSON.stringify({ clientSecretExpiresAt: "2099-01-01T00:00:00Z" });
        const first = run(dir, "tools/expiry/start.js", ["--days", "14"], outputs);
        assert.equal(first.status, 0, first.stderr);
        assert.match(first.stdout, /^The client secret expires at 2099-01-01T00:00:00Z/);
        const buildInfo = path.join(dir, "dist", ".tsbuildinfo-expiry");
        const compiled = (JSON.parse(fs.readFileSync(buildInfo, "utf8")) as { fileNames: string[] }).fileNames.filter((f) => !f.includes("node_modules"));
        assert.deepEqual(compiled.map((f) => path.relative(dir, path.resolve(dir, "dist", f))).sort(), [
            "config/closestName.ts", "domain/instant.ts", "domain/parseResult.ts", "tools/cliFlags.ts", "tools/expiry/cli.ts", "tools/expiry/secretExpiry.ts",
            "tools/stdin.ts",
        ]);
        const built = mtime(buildInfo);

        // A broken program is the plan's problem, not the expiry check's: it runs on, without tsc.
        fs.appendFileSync(path.join(dir, "program.ts"), "\nconst broken: number = \"not a number\";\n");
        const warm = run(dir, "tools/expiry/start.js", ["--days", "14"], outputs);
        assert.equal(warm.status, 0, warm.stderr);
        assert.equal(mtime(buildInfo), built, "fresh: no tsc");

        // Its own code broken: refused with tsc's report, exit 1 (not 0, 1 or 2 of a verdict on the secret).
        const check = path.join(dir, "tools", "expiry", "secretExpiry.ts");
        fs.appendFileSync(check, "\nexport const broken: number = \"not a number\";\n");
        const refused = run(dir, "tools/expiry/start.js", ["--days", "14"], outputs);
        assert.equal(refused.status, 1);
        assert.equal(refused.stdout, "");
        assert.match(refused.stderr, /secretExpiry\.ts\(\d+,\d+\): error TS2322/);
        assert.match(refused.stderr, /so the expiry check did not run/);
    });
});

describe("pulumi commands transpile only, as the released CLI decides it (issue 18)", () => {
    // How @pulumi/pulumi's cmd/run (what the Node.js language host, upstream's and ours, starts)
    // decides, in 3.276: PULUMI_NODEJS_TRANSPILE_ONLY if set; else compilerOptions.noCheck of the
    // tsconfig it uses (PULUMI_NODEJS_TSCONFIG_PATH, from Pulumi.yaml runtime.options.tsconfig, else
    // ./tsconfig.json; only that file's own compilerOptions); else it passes transpileOnly
    // undefined and ts-node's own options decide: the "ts-node" block of that tsconfig.
    const runJs = fs.readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js", { paths: [REPO_ROOT] }), "utf8");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsutils = require(require.resolve("@pulumi/pulumi/tsutils", { paths: [REPO_ROOT] })) as { loadTypeScriptCompilerOptions(file: string): Record<string, unknown> };

    it("@pulumi/pulumi still decides as described above", () => {
        assert.match(runJs, /const transpileOnlyEnv = process\.env\["PULUMI_NODEJS_TRANSPILE_ONLY"\];\s+if \(transpileOnlyEnv\) \{\s+transpileOnly = transpileOnlyEnv === "true";\s+\}\s+else \{\s+\/\/ @ts-ignore\s+transpileOnly = compilerOptions\.noCheck;/);
        assert.match(runJs, /const tsConfigPath = process\.env\["PULUMI_NODEJS_TSCONFIG_PATH"\] \?\? defaultTsConfigPath;/);
        assert.match(runJs, /project: tsConfigPath,/);
    });

    it("this project's tsconfig.json makes ts-node transpile only, with nothing set in the environment", () => {
        const tsconfig = path.join(REPO_ROOT, "tsconfig.json");
        const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsconfig);
        assert.equal(compilerOptions.noCheck, undefined, "noCheck would stop tsc -p . (npm test) from type-checking");
        assert.equal(compilerOptions.isolatedModules, true, "tsc refuses what a file-by-file transpile gets wrong");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const tsNode = require(require.resolve("ts-node", { paths: [REPO_ROOT] })) as { create(options: Record<string, unknown>): { options: { transpileOnly?: boolean }; compile(code: string, file: string): string } };
        // The options cmd/run passes when neither the variable nor noCheck is set.
        const options = { compiler: "typescript", transpileOnly: compilerOptions.noCheck, project: tsconfig, skipProject: false, compilerOptions: {} };
        const service = tsNode.create({ ...options, cwd: REPO_ROOT });
        assert.equal(service.options.transpileOnly, true);
        const badFile = path.join(REPO_ROOT, "transpile-only-probe.ts");
        assert.doesNotThrow(() => service.compile('const n: number = "a string";\nexport = n;\n', badFile), "a type error does not stop a pulumi command");
        // PULUMI_NODEJS_TRANSPILE_ONLY=false still asks for the type check, as upstream documents.
        const checking = tsNode.create({ ...options, transpileOnly: false, compilerOptions: { types: [] }, cwd: REPO_ROOT });
        assert.throws(() => checking.compile('const n: number = "a string";\nexport = n;\n', badFile), /TS2322/);
    });
});
