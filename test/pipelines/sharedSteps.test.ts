/**
 * One set of CI steps for both systems: every script step of azure-pipelines.yml and every `run:`
 * of the GitHub workflows is a call of `.ci/step` (plus, in Azure Pipelines, the lines that hand
 * the federated identity to the program), the same job in both systems makes the same calls with
 * the same arguments in the same order, and neither system's files are needed by the other or by
 * any test: each is deleted in a copy of the repository, and the CI tests still pass there.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { expandPipeline } from "./azurePipelinesSchema";
import { AZURE_PIPELINES_FILE, AZURE_PIPELINES_SCHEMA, readRepoFile, REPO_ROOT, repoFileExists } from "./repoFiles";
import { stepCalls } from "./trustBoundaries";

type GhStep = { run?: string; uses?: string };
type AzStep = { script?: string; task?: string; inputs?: Record<string, string> };
type AzJob = { job?: string; deployment?: string; steps?: AzStep[]; strategy?: { runOnce?: { deploy?: { steps?: AzStep[] } } } };

/** A stack name no user lists, so it can be written back as <stack>. */
const PLACEHOLDER = "stack-placeholder";

/** Lines a script may hold besides `.ci/step` calls: what only the CI system can do (its identity), and comments. */
const GLUE = [
    /^set -euo pipefail$/,
    /^#/,
    // Azure Pipelines' federated identity, handed to the azuread provider (AzureCLI@2, addSpnToEnvironment).
    /^export ARM_USE_OIDC=true ARM_USE_CLI=false$/,
    /^export ARM_CLIENT_ID="\$servicePrincipalId" ARM_TENANT_ID="\$tenantId" ARM_OIDC_TOKEN="\$idToken"$/,
];

/** The same job in both systems: GitHub workflow and job, Azure Pipelines stage and job-name prefix. */
const SAME_JOBS: Array<{ github: [string, string]; azure: [string, string] }> = [
    { github: ["pull-request.yml", "checks"], azure: ["Checks", "test"] },
    { github: ["deploy.yml", "checks"], azure: ["Checks", "test"] },
    { github: ["pull-request.yml", "preview"], azure: ["Preview", "preview_"] },
    { github: ["deploy.yml", "up"], azure: ["Deploy", "up_"] },
    { github: ["rotate.yml", "rotate"], azure: ["Rotate", "rotate_"] },
    { github: ["drift.yml", "drift"], azure: ["Drift", "drift_"] },
];

function githubJobs(file: string): Record<string, { steps: GhStep[] }> {
    return (YAML.parse(readRepoFile(`.github/workflows/${file}`)) as { jobs: Record<string, { steps: GhStep[] }> }).jobs;
}

function azureStages(): Array<{ stage: string; jobs: AzJob[] }> {
    return (expandPipeline(readRepoFile(AZURE_PIPELINES_FILE), readRepoFile, { ciStacks: PLACEHOLDER }) as { stages: Array<{ stage: string; jobs: AzJob[] }> }).stages;
}

const azSteps = (job: AzJob): AzStep[] => job.steps ?? job.strategy?.runOnce?.deploy?.steps ?? [];
const azScript = (step: AzStep): string | undefined => step.script ?? step.inputs?.inlineScript;

/** The `.ci/step` calls of scripts, with the stack written <stack> whichever way each system spells it. */
function normalizedCalls(scripts: string[]): string[] {
    return scripts.flatMap(stepCalls).map((c) => c.text.replace(/ --stack "(\$STACK|stack-placeholder)"/, " --stack <stack>"));
}

/** The lines of a script that are neither `.ci/step` calls nor identity glue. */
function logicLines(script: string): string[] {
    return script.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !GLUE.some((g) => g.test(l)) && !/^\.ci\/step [a-z]+( [^;&|]*)?$/.test(l));
}

describe("CI: one set of steps for both systems", () => {
    const hasGithub = () => repoFileExists(".github/workflows");
    const hasAzure = () => repoFileExists(AZURE_PIPELINES_FILE);

    it("every script step of azure-pipelines.yml calls .ci/step, and holds nothing else but the identity hand-over", function () {
        if (!hasAzure()) this.skip();
        for (const stage of azureStages()) {
            for (const job of stage.jobs) {
                for (const step of azSteps(job)) {
                    const script = azScript(step);
                    if (script === undefined) continue;
                    const where = `stage ${stage.stage}, job ${job.job ?? job.deployment}`;
                    assert.ok(stepCalls(script).length === 1, `${where}: a script step makes exactly one .ci/step call:\n${script}`);
                    assert.deepEqual(logicLines(script), [], `${where}: pipeline logic belongs in .ci/step`);
                }
            }
        }
    });

    it("every run: of the GitHub workflows is one .ci/step call", function () {
        if (!hasGithub()) this.skip();
        for (const file of ["pull-request.yml", "deploy.yml", "rotate.yml", "drift.yml"]) {
            for (const [id, job] of Object.entries(githubJobs(file))) {
                for (const step of job.steps.filter((s) => s.run !== undefined)) {
                    assert.equal(stepCalls(step.run!).length, 1, `${file} job ${id}: ${step.run}`);
                    assert.deepEqual(logicLines(step.run!), [], `${file} job ${id}: pipeline logic belongs in .ci/step`);
                }
            }
        }
    });

    it("the same job makes the same .ci/step calls, with the same arguments, in the same order, in both systems", function () {
        if (!hasGithub() || !hasAzure()) this.skip();
        const stages = azureStages();
        for (const { github, azure } of SAME_JOBS) {
            const gh = normalizedCalls(githubJobs(github[0])[github[1]].steps.map((s) => s.run ?? ""));
            const stage = stages.find((s) => s.stage === azure[0]);
            const job = stage?.jobs.find((j) => (j.job ?? j.deployment ?? "").startsWith(azure[1]));
            assert.ok(job, `azure-pipelines.yml stage ${azure[0]} has a job ${azure[1]}…`);
            const az = normalizedCalls(azSteps(job).map((s) => azScript(s) ?? ""));
            assert.ok(gh.length > 0, `${github.join(" job ")} calls .ci/step`);
            assert.deepEqual(az, gh, `${github.join(" job ")} and stage ${azure[0]}`);
        }
    });

    it("no script, package script or program file outside .github/ uses a file in .github/ (the installer and pins live in .ci/)", () => {
        const roots = [".ci", "package.json", "tools", "policy", "program.ts", "components", "providers", "lib", "domain", "config"];
        const offenders: string[] = [];
        const visit = (relative: string) => {
            const full = path.join(REPO_ROOT, relative);
            if (!fs.existsSync(full)) return;
            if (fs.statSync(full).isDirectory()) {
                for (const entry of fs.readdirSync(full)) visit(path.join(relative, entry));
            } else if (/\.github\//.test(fs.readFileSync(full, "utf8"))) {
                offenders.push(relative);
            }
        };
        roots.forEach(visit);
        assert.deepEqual(offenders, []);
    });

    describe("either system's files can be deleted", function () {
        // Runs the CI tests again, in a copy of the repository (links to every file) without one
        // system's files: mocha as a child, with this file left out so it does not recurse.
        this.timeout(240_000);
        const others = () => [
            ...fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js") && f !== path.basename(__filename)).map((f) => path.join(__dirname, f)),
            // Code owners cover both systems' files: they stay valid with either deleted.
            path.join(__dirname, "..", "policy", "codeOwners.test.js"),
        ];
        let dir = "";

        afterEach(() => {
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        for (const [team, deleted] of [["Azure DevOps-only", ".github"], ["GitHub-only", AZURE_PIPELINES_FILE]]) {
            it(`${team}: without ${deleted}, every CI test passes or skips, and none fails`, function () {
                if (process.env.DBT_ADO_REPO_ROOT) this.skip();
                dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-without-"));
                for (const entry of fs.readdirSync(REPO_ROOT)) {
                    if (entry !== deleted && entry !== ".git") {
                        fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry));
                    }
                }
                const mocha = require.resolve("mocha/bin/mocha.js");
                const run = spawnSync(process.execPath, [mocha, "--no-config", "--timeout", "60000", "--reporter", "dot", ...others()], {
                    cwd: REPO_ROOT,
                    // The schema lies beside the real clone (../shared), not beside the copy.
                    env: { ...process.env, DBT_ADO_REPO_ROOT: dir, AZURE_PIPELINES_SCHEMA_PATH: AZURE_PIPELINES_SCHEMA },
                    encoding: "utf8",
                });
                assert.equal(run.status, 0, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
                assert.match(run.stdout, /\d+ passing/);
                assert.doesNotMatch(run.stdout, /\d+ failing/);
            });
        }
    });
});
