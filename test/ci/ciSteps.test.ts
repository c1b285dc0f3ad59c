/**
 * The shared CI steps (`.ci/step`, tools/ci) without the engine: the stack list, usage, the
 * environment a step refuses or cleans (queue-time variables on Azure Pipelines become
 * environment variables), the install-scripts rule of `setup`, and the refusal to run any pulumi
 * but the verified one. Their paths with the real engine are in test/engine/ciSteps.engine.ts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { annotation, ciSystem, prepareEnvironment, TOKEN_REDIRECTING_OVERRIDES } from "../../tools/ci/ciEnvironment";
import { CiSettingsError, readCiSettings, stateBackend } from "../../tools/ci/ciSettings";
import { ciProject, CiProject, STACKS_YML } from "./ciProject";

describe("CI steps: where they run and what environment they accept", () => {
    it("tells GitHub Actions, Azure Pipelines, nektos/act and a workstation apart", () => {
        assert.equal(ciSystem({ GITHUB_ACTIONS: "true" }), "github-actions");
        assert.equal(ciSystem({ GITHUB_ACTIONS: "true", ACT: "true" }), "act");
        assert.equal(ciSystem({ TF_BUILD: "True" }), "azure-pipelines");
        assert.equal(ciSystem({ TF_BUILD: "True", GITHUB_ACTIONS: "true", ACT: "true" }), "azure-pipelines", "ACT cannot make an Azure agent local");
        assert.equal(ciSystem({}), "local");
    });

    it("refuses the test switch on a real runner, in any form, and allows it on a workstation and under act", () => {
        for (const env of [{ GITHUB_ACTIONS: "true" }, { TF_BUILD: "True" }]) {
            for (const value of ["1", "0", ""]) {
                const prepared = prepareEnvironment({ ...env, DBT_ADO_TEST_OVERRIDES: value });
                assert.equal(prepared.refusals.length, 1, `${JSON.stringify(env)} ${value}`);
                assert.match(prepared.refusals[0], /DBT_ADO_TEST_OVERRIDES is set on (a GitHub Actions|an Azure Pipelines) runner.*Limit variables that can be set at queue time/);
            }
        }
        assert.deepEqual(prepareEnvironment({ DBT_ADO_TEST_OVERRIDES: "1" }).refusals, []);
        assert.deepEqual(prepareEnvironment({ GITHUB_ACTIONS: "true", ACT: "true", DBT_ADO_TEST_OVERRIDES: "1" }).refusals, []);
    });

    it("drops NODE_OPTIONS and NODE_TLS_REJECT_UNAUTHORIZED always, and the token-redirecting overrides unless the switch is on", () => {
        const overrides = Object.fromEntries(TOKEN_REDIRECTING_OVERRIDES.map((name) => [name, "https://elsewhere.example"]));
        const off = prepareEnvironment({ TF_BUILD: "True", NODE_OPTIONS: "--require /tmp/x.js", NODE_TLS_REJECT_UNAUTHORIZED: "0", ...overrides, KEEP: "yes" });
        for (const name of ["NODE_OPTIONS", "NODE_TLS_REJECT_UNAUTHORIZED", ...TOKEN_REDIRECTING_OVERRIDES]) {
            assert.equal(off.env[name], undefined, name);
            assert.ok(off.notes.some((n) => n.startsWith(`${name} `)), `a note names ${name}`);
        }
        assert.ok(TOKEN_REDIRECTING_OVERRIDES.includes("DBT_CLOUD_HOST_URL") && TOKEN_REDIRECTING_OVERRIDES.includes("AZDO_CORE_BASE_URL") && TOKEN_REDIRECTING_OVERRIDES.includes("AZURE_GRAPH_BASE_URL"));
        assert.equal(off.env.KEEP, "yes");
        assert.equal(off.env.PULUMI_SKIP_UPDATE_CHECK, "true");
        assert.ok(!off.notes.join(" ").includes("elsewhere.example"), "values are not echoed");
        const on = prepareEnvironment({ DBT_ADO_TEST_OVERRIDES: "1", NODE_OPTIONS: "--x", ...overrides });
        assert.equal(on.env.NODE_OPTIONS, undefined);
        for (const name of TOKEN_REDIRECTING_OVERRIDES) assert.equal(on.env[name], "https://elsewhere.example", name);
    });

    it("annotates as each system shows it", () => {
        assert.equal(annotation("warning", "a\nb", { GITHUB_ACTIONS: "true" }), "::warning::a b");
        assert.equal(annotation("error", "x", { TF_BUILD: "True" }), "##vso[task.logissue type=error]x");
        assert.equal(annotation("error", "x", {}), "error: x");
    });
});

describe("CI steps: .ci/stacks.yml", () => {
    let project: CiProject;
    afterEach(() => project?.dispose());

    it("reads the state settings, and reports every problem at once, naming the key", () => {
        project = ciProject({ stacksYml: STACKS_YML("prod", "  - name: ciStateBackand\n    value: x\n").replace("value: 14", "value: soon").replace("azblob://pulumi-state", "pulumi-state") });
        assert.throws(() => readCiSettings(project.dir), (error: Error) => {
            assert.ok(error instanceof CiSettingsError);
            for (const part of [/ciStateBackand is not a CI setting/, /ciExpiryWarningDays "soon" is not a whole number/, /ciStateBackend "pulumi-state" is not a backend URL/]) {
                assert.match(error.message, part);
            }
            return true;
        });
        project.dispose();
        project = ciProject();
        assert.deepEqual(readCiSettings(project.dir), { backendUrl: "azblob://pulumi-state", storageAccount: "stdbtazuredevopsstate", secretsProvider: "azurekeyvault://kv.vault.azure.net/keys/k", expiryWarningDays: 14 });
    });

    it("on a real runner the backend is the file's, whatever the environment says; elsewhere an exported one wins", () => {
        project = ciProject();
        const settings = readCiSettings(project.dir);
        const runner = stateBackend(settings, { TF_BUILD: "True", PULUMI_BACKEND_URL: "azblob://attacker", AZURE_STORAGE_ACCOUNT: "other" });
        assert.equal(runner.backendUrl, "azblob://pulumi-state");
        assert.equal(runner.storageAccount, "stdbtazuredevopsstate");
        assert.equal(runner.notes.length, 2);
        assert.equal(stateBackend(settings, { PULUMI_BACKEND_URL: "file:///tmp/state" }).backendUrl, "file:///tmp/state");
        assert.equal(stateBackend(settings, {}).backendUrl, "azblob://pulumi-state");
    });

    it(".ci/step stacks lists them, and as GitHub matrix JSON", async () => {
        project = ciProject({ stacksYml: STACKS_YML("prod,eu-west_2"), stacks: { prod: "config: {}\n", "eu-west_2": "config: {}\n" } });
        const listed = await project.run(["stacks"]);
        assert.equal(listed.code, 0, listed.stderr);
        assert.equal(listed.stdout, "prod\neu-west_2\n");
        const output = path.join(project.dir, "github_output");
        const matrix = await project.run(["stacks", "--github-output"], { GITHUB_OUTPUT: output });
        assert.equal(matrix.code, 0, matrix.stderr);
        assert.equal(fs.readFileSync(output, "utf8"), 'stacks=["prod","eu-west_2"]\n');
    });

    it(".ci/step stacks refuses bad names, spaces, the reserved name, a repeat and a stack without its file, all at once", async () => {
        project = ciProject({ stacksYml: STACKS_YML("prod,prod, eu,Preview,a.b,ghost"), stacks: { prod: "config: {}\n" } });
        const refused = await project.run(["stacks"]);
        assert.equal(refused.code, 1);
        assert.equal(refused.stdout, "");
        for (const part of [/" eu" is not a CI stack name/, /"Preview" is reserved/, /"a\.b" is not a CI stack name/, /"ghost" has no settings file stacks\/Pulumi\.ghost\.yaml/, /lists a stack more than once/]) {
            assert.match(refused.stderr, part);
        }
    });

    it("the repository's own list passes: every stack it names has its settings file", async () => {
        const { spawnSync } = await import("node:child_process");
        const { REPO } = await import("./ciProject");
        const listed = spawnSync(path.join(REPO, ".ci", "step"), ["stacks"], { cwd: REPO, encoding: "utf8" });
        assert.equal(listed.status, 0, listed.stderr);
        assert.ok(listed.stdout.trim().split("\n").length >= 1);
    });
});

describe("CI steps: .ci/step", () => {
    let project: CiProject;
    beforeEach(() => {
        project = ciProject();
    });
    afterEach(() => project.dispose());

    it("refuses bad usage: an unknown step, a missing stack or mode, a step outside its mode", async () => {
        for (const [args, message] of [
            [["deploy", "--stack", "prod", "--mode", "deploy"], /unknown step "deploy"/],
            [["preview", "--mode", "preview"], /--stack is required/],
            [["preview", "--stack", "prod"], /--mode is required \(preview, deploy, rotate, drift\)/],
            [["up", "--stack", "prod", "--mode", "preview"], /up does not run in preview mode \(its steps: install, preview, summary\)/],
            [["expiry", "--stack", "prod", "--mode", "deploy"], /expiry does not run in deploy mode/],
            [["preview", "--stack", "../x", "--mode", "preview"], /--stack "\.\.\/x" is not a stack name/],
        ] as const) {
            const run = await project.run([...args]);
            assert.equal(run.code, 2, args.join(" "));
            assert.match(run.stderr, message);
        }
    });

    it("clears NODE_OPTIONS before node starts: code it names never runs", async () => {
        const marker = path.join(project.dir, "loaded");
        const evil = path.join(project.dir, "evil.js");
        fs.writeFileSync(evil, `require("fs").writeFileSync(${JSON.stringify(marker)}, "ran");`);
        const run = await project.run(["summary", "--stack", "prod", "--mode", "rotate"], { NODE_OPTIONS: `--require ${evil}` });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /NODE_OPTIONS was set and is cleared/);
        assert.equal(fs.existsSync(marker), false);
    });

    it("refuses the test switch on a real runner before doing anything, and records why", async () => {
        const run = await project.run(["preview", "--stack", "prod", "--mode", "rotate"], { TF_BUILD: "True", DBT_ADO_TEST_OVERRIDES: "1" });
        assert.equal(run.code, 2);
        assert.match(run.stdout, /^##vso\[task\.logissue type=error\]DBT_ADO_TEST_OVERRIDES is set on an Azure Pipelines runner/m);
        const record = JSON.parse(fs.readFileSync(path.join(project.out, "prod", "preview.json"), "utf8"));
        assert.equal(record.outcome, "refused");
    });

    it("on a runner, runs no pulumi that this job did not install and verify; after a failed install, not even locally", async () => {
        const onRunner = await project.run(["preview", "--stack", "prod", "--mode", "rotate"], { GITHUB_ACTIONS: "true" });
        assert.equal(onRunner.code, 1);
        assert.match(onRunner.stdout, /::error::No `\.ci\/step install` ran in this job, so no pulumi command runs with this job's credentials/);
        fs.writeFileSync(path.join(project.out, "prod", "install.json"), JSON.stringify({ step: "install", stack: "prod", mode: "rotate", outcome: "failed", exitCode: 1, lines: [], facts: {} }));
        const afterFailedInstall = await project.run(["recover", "--stack", "prod"]);
        assert.equal(afterFailedInstall.code, 1);
        assert.match(afterFailedInstall.stdout, /could not be installed in this job/);
    });

    it("setup installs dependencies with --ignore-scripts, then builds only the CI steps", async () => {
        const bin = path.join(project.dir, "bin");
        const calls = path.join(project.dir, "calls");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "npm"), `#!/bin/sh\necho "npm $*" >> ${calls}\n`, { mode: 0o755 });
        fs.mkdirSync(path.join(project.dir, "node_modules", "typescript", "bin"), { recursive: true });
        fs.writeFileSync(path.join(project.dir, "node_modules", "typescript", "bin", "tsc"), `require("fs").appendFileSync(${JSON.stringify(calls)}, "tsc " + process.argv.slice(2).join(" ") + "\\n");`);
        const run = await project.run(["setup"], { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(fs.readFileSync(calls, "utf8"), "npm ci --ignore-scripts --no-audit --no-fund\ntsc -p .ci/tsconfig.json\n");
    });
});
