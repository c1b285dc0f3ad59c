import * as fs from "node:fs";
import * as assert from "node:assert/strict";
import { ValidateFunction } from "ajv";
import { compileAzurePipelinesSchema, describeErrors, parsePipeline } from "./azurePipelinesSchema";
import { AZURE_PIPELINES_SCHEMA, readRepoFile } from "./repoFiles";

type Step = Record<string, unknown> & { script?: string; task?: string; inputs?: Record<string, string>; env?: Record<string, string>; condition?: string };
type Job = { job?: string; deployment?: string; environment?: string; steps?: Step[]; strategy?: { runOnce?: { deploy?: { steps?: Step[] } } } };
type Stage = { stage: string; condition?: string; dependsOn?: string; jobs: Job[] };
type Pipeline = Record<string, unknown> & { stages: Stage[] };

const TEXT = readRepoFile("azure-pipelines.yml");
const PIPELINE = parsePipeline(TEXT) as Pipeline;

function stage(name: string): Stage {
    const found = PIPELINE.stages.find((s) => s.stage === name);
    assert.ok(found, `stage ${name} exists`);
    return found;
}

function stepsOf(name: string): Step[] {
    return stage(name).jobs.flatMap((job) => job.steps ?? job.strategy?.runOnce?.deploy?.steps ?? []);
}

/** The text a step runs: a script, or an AzureCLI@2 inline script. */
function commandOf(step: Step): string {
    return step.script ?? step.inputs?.inlineScript ?? "";
}

function indexOfStep(steps: Step[], pattern: RegExp): number {
    const index = steps.findIndex((s) => pattern.test(commandOf(s)));
    assert.ok(index >= 0, `a step runs ${pattern}`);
    return index;
}

describe("azure-pipelines.yml", function () {
    // Compiling Microsoft's schema takes a few seconds; once for the whole file.
    this.timeout(60_000);
    let validate: ValidateFunction;

    describe("against Microsoft's Azure Pipelines schema", () => {
        before(function () {
            // The schema is shared data laid beside the repository, as in this project's CI, which
            // requires it; elsewhere (a fork's pipeline, a laptop) its absence skips these tests.
            if (!fs.existsSync(AZURE_PIPELINES_SCHEMA) && process.env.REQUIRE_AZURE_PIPELINES_SCHEMA !== "1") {
                console.log(`      (skipped: no schema at ${AZURE_PIPELINES_SCHEMA})`);
                this.skip();
            }
            validate = compileAzurePipelinesSchema();
        });

        it("is valid", () => {
            assert.ok(validate(PIPELINE), describeErrors(validate.errors));
        });

        it("rejects a `stepz:` typo (the check bites)", () => {
            const broken = TEXT.replace("        steps:\n", "        stepz:\n");
            assert.notEqual(broken, TEXT);
            assert.equal(validate(parsePipeline(broken)), false);
            assert.match(describeErrors(validate.errors), /must NOT have additional properties \(stepz\)/);
        });

        it("rejects a task the schema does not know, such as marketplace Pulumi@1", () => {
            const broken = TEXT.replace("- task: NodeTool@0", "- task: Pulumi@1");
            assert.equal(validate(parsePipeline(broken)), false);
        });
    });

    describe("triggers", () => {
        it("runs on pushes and pull requests to main", () => {
            assert.deepEqual((PIPELINE.trigger as { branches: { include: string[] } }).branches.include, ["main"]);
            assert.deepEqual((PIPELINE.pr as { branches: { include: string[] } }).branches.include, ["main"]);
        });

        it("has a daily schedule on main that runs even without new commits", () => {
            const [schedule] = PIPELINE.schedules as { cron: string; always: string; branches: { include: string[] } }[];
            assert.match(schedule.cron, /^\d+ \d+ \* \* \*$/);
            assert.equal(schedule.always, "true");
            assert.deepEqual(schedule.branches.include, ["main"]);
        });

        it("queues runs that wait for the environment's exclusive lock", () => {
            assert.equal(PIPELINE.lockBehavior, "sequential");
        });
    });

    describe("stages", () => {
        it("checks every run with npm ci, npm test and the offline plan", () => {
            const steps = stepsOf("Checks");
            const order = [/^npm ci\b/, /^npm test$/, /^npm start -s -- --stack /].map((p) => indexOfStep(steps, p));
            assert.deepEqual([...order].sort((a, b) => a - b), order, "in that order");
        });

        it("previews pull requests only, with --diff and the policy pack", () => {
            assert.match(stage("Preview").condition ?? "", /eq\(variables\['Build.Reason'\], 'PullRequest'\)/);
            const steps = stepsOf("Preview");
            assert.match(commandOf(steps[indexOfStep(steps, /pulumi preview/)]), /pulumi preview --diff --policy-pack policy/);
        });

        it("posts one PR comment, found by its marker and edited on each push, with System.AccessToken", () => {
            const steps = stepsOf("Preview");
            const comment = steps[indexOfStep(steps, /pullRequests\/.*\/threads/)];
            assert.ok(indexOfStep(steps, /pulumi preview/) < steps.indexOf(comment), "after the preview");
            assert.equal(comment.condition, "succeededOrFailed()", "also reports a failed preview");
            assert.equal(comment.env?.SYSTEM_ACCESSTOKEN, "$(System.AccessToken)");
            const script = commandOf(comment);
            assert.match(script, /<!-- pulumi-preview:/);
            assert.match(script, /call\("PATCH", `\$\{base\}\/\$\{thread.id\}\/comments\/\$\{comment.id\}`/);
            assert.match(script, /call\("POST", base,/);
        });

        it("deploys main with pulumi up, in the locked environment", () => {
            const deploy = stage("Deploy");
            assert.match(deploy.condition ?? "", /refs\/heads\/main/);
            assert.doesNotMatch(deploy.condition ?? "", /PullRequest/);
            assert.equal(deploy.jobs[0].environment, "$(deployEnvironment)");
            const steps = stepsOf("Deploy");
            assert.match(commandOf(steps[indexOfStep(steps, /pulumi up/)]), /pulumi up --yes .*--policy-pack policy/);
        });

        it("every pulumi preview and up passes the pack's own config, policy/config.json", () => {
            const runs = PIPELINE.stages.flatMap((s) => stepsOf(s.stage)).map(commandOf).filter((c) => /pulumi (preview|up) /.test(c));
            assert.equal(runs.length, 3);
            for (const run of runs) {
                assert.match(run, /pulumi (preview|up) .*--policy-pack policy --policy-pack-config policy\/config\.json /);
            }
        });

        it("rotates on the schedule with pulumi up, then runs the expiry check", () => {
            const rotate = stage("Rotate");
            assert.match(rotate.condition ?? "", /eq\(variables\['Build.Reason'\], 'Schedule'\)/);
            assert.equal(rotate.jobs[0].environment, stage("Deploy").jobs[0].environment, "same lock as Deploy");
            const steps = stepsOf("Rotate");
            const up = indexOfStep(steps, /pulumi up --yes/);
            const expiry = indexOfStep(steps, /pulumi stack output .*--json \| npm run -s check-expiry -- --days /);
            assert.ok(up < expiry);
            // Also after a failed up, but only with the verified CLI (the install step sets the flag last).
            assert.equal(steps[expiry].condition, "and(succeededOrFailed(), eq(variables['pulumiCliVerified'], 'true'))");
            const install = indexOfStep(steps, /install-pulumi-cli\.sh/);
            assert.match(commandOf(steps[install]), /^set -euo pipefail\n.*install-pulumi-cli\.sh.*\necho "##vso\[task\.setvariable variable=pulumiCliVerified\]true"\n$/);
        });
    });

    describe("Azure access", () => {
        const azureSteps = () => PIPELINE.stages.flatMap((s) => stepsOf(s.stage)).filter((s) => /pulumi (preview|up)/.test(commandOf(s)));

        it("runs Pulumi inside AzureCLI@2 with the federated service connection's token", () => {
            assert.equal(azureSteps().length, 3);
            for (const step of azureSteps()) {
                assert.equal(step.task, "AzureCLI@2");
                assert.equal(step.inputs?.addSpnToEnvironment, "true");
                assert.match(commandOf(step), /ARM_USE_OIDC=true/);
                assert.match(commandOf(step), /ARM_OIDC_TOKEN="\$idToken"/);
                assert.match(commandOf(step), /pulumi login "\$\(pulumiBackendUrl\)"/);
            }
        });

        it("previews as the preview identity; deploys and rotates as the deploy identity", () => {
            const connections = (name: string) => [...new Set(stepsOf(name).map((s) => s.inputs?.azureSubscription).filter(Boolean))];
            assert.deepEqual(connections("Preview"), ["$(previewServiceConnection)"]);
            assert.deepEqual(connections("Deploy"), ["$(deployServiceConnection)"]);
            assert.deepEqual(connections("Rotate"), ["$(deployServiceConnection)"]);
            const variables = PIPELINE.variables as { name?: string; value?: string }[];
            const value = (name: string) => variables.find((v) => v.name === name)?.value;
            assert.ok(value("previewServiceConnection") && value("deployServiceConnection"));
            assert.notEqual(value("previewServiceConnection"), value("deployServiceConnection"));
        });

        it("links the dbt token's variable group in Deploy and Rotate only, and maps the token into the pulumi up step alone", () => {
            const groups = (s: Stage) => ((s as Stage & { variables?: { group?: string }[] }).variables ?? []).map((v) => v.group).filter(Boolean);
            assert.deepEqual(groups(stage("Deploy")), ["dbt-azure-devops"]);
            assert.deepEqual(groups(stage("Rotate")), ["dbt-azure-devops"]);
            assert.deepEqual(groups(stage("Preview")), []);
            for (const name of ["Deploy", "Rotate"]) {
                const withToken = stepsOf(name).filter((s) => s.env?.DBT_CLOUD_TOKEN);
                assert.equal(withToken.length, 1, name);
                assert.match(commandOf(withToken[0]), /pulumi up --yes/);
            }
        });

        it("keeps state in Azure Blob Storage with a Key Vault secrets provider", () => {
            const variables = PIPELINE.variables as { name?: string; value?: string }[];
            const value = (name: string) => variables.find((v) => v.name === name)?.value ?? "";
            assert.match(value("pulumiBackendUrl"), /^azblob:\/\//);
            assert.match(value("pulumiSecretsProvider"), /^azurekeyvault:\/\//);
            assert.match(TEXT, /--secrets-provider "\$\(pulumiSecretsProvider\)"/);
        });

        it("stores no client secret", () => {
            assert.doesNotMatch(TEXT, /ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|servicePrincipalKey/);
        });
    });
});
