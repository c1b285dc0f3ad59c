/**
 * azure-pipelines.yml: valid against Microsoft's schema once its compile-time expansion over
 * .ci/stacks.yml is done (as Azure DevOps does before it validates), and what each stage
 * promises. Skipped as a whole when the file was deleted (a GitHub-only team).
 */
import * as fs from "node:fs";
import * as assert from "node:assert/strict";
import { ValidateFunction } from "ajv";
import { compileAzurePipelinesSchema, compileVariablesTemplateSchema, describeErrors, expandPipeline, parsePipeline } from "./azurePipelinesSchema";
import { AZURE_PIPELINES_FILE, AZURE_PIPELINES_SCHEMA, readRepoFile, repoFileExists } from "./repoFiles";
import { stepCalls } from "./trustBoundaries";

type Step = Record<string, unknown> & { script?: string; task?: string; inputs?: Record<string, string>; env?: Record<string, string>; condition?: string };
type Job = { job?: string; deployment?: string; environment?: string; variables?: { group?: string }[]; steps?: Step[]; strategy?: { runOnce?: { deploy?: { steps?: Step[] } } } };
type Stage = { stage: string; condition?: string; dependsOn?: string | string[]; jobs: Job[] };
type Pipeline = Record<string, unknown> & { stages: Stage[]; variables: { name?: string; value?: string; template?: string }[] };

/** Expanded over two stacks, whatever .ci/stacks.yml lists, so that every check sees a matrix. */
const STACKS = ["prod", "eu-west"];

describe("azure-pipelines.yml", function () {
    // Compiling Microsoft's schema takes a few seconds; once for the whole file.
    this.timeout(60_000);
    let text: string;
    let pipeline: Pipeline;
    const expand = (source: string) => expandPipeline(source, readRepoFile, { ciStacks: STACKS.join(",") }) as Pipeline;
    const stage = (name: string): Stage => {
        const found = pipeline.stages.find((s) => s.stage === name);
        assert.ok(found, `stage ${name} exists`);
        return found;
    };
    const stepsOf = (job: Job): Step[] => job.steps ?? job.strategy?.runOnce?.deploy?.steps ?? [];
    const commandOf = (step: Step): string => step.script ?? step.inputs?.inlineScript ?? "";
    /** Each job's `.ci/step` calls, in order. */
    const callsOf = (job: Job) => stepsOf(job).flatMap((s) => stepCalls(commandOf(s))).map((c) => c.text);

    before(function () {
        if (!repoFileExists(AZURE_PIPELINES_FILE)) {
            this.skip();
        }
        text = readRepoFile(AZURE_PIPELINES_FILE);
        pipeline = expand(text);
    });

    describe("against Microsoft's Azure Pipelines schema", () => {
        let validate: ValidateFunction;
        before(function () {
            // The schema is shared data laid beside the repository, as in this project's CI, which
            // requires it; elsewhere (a fork's pipeline, a laptop) its absence skips these tests.
            if (!fs.existsSync(AZURE_PIPELINES_SCHEMA) && process.env.REQUIRE_AZURE_PIPELINES_SCHEMA !== "1") {
                console.log(`      (skipped: no schema at ${AZURE_PIPELINES_SCHEMA})`);
                this.skip();
            }
            validate = compileAzurePipelinesSchema();
        });

        it("is valid, expanded over the stacks .ci/stacks.yml lists and over two", () => {
            assert.ok(validate(expandPipeline(text, readRepoFile)), describeErrors(validate.errors));
            assert.ok(validate(pipeline), describeErrors(validate.errors));
        });

        it("includes .ci/stacks.yml, a valid variables template", () => {
            assert.deepEqual(pipeline.variables.filter((v) => v.template), [], "inlined by the expansion");
            assert.deepEqual((parsePipeline(text) as Pipeline).variables[0], { template: ".ci/stacks.yml" });
            const template = compileVariablesTemplateSchema();
            assert.ok(template(parsePipeline(readRepoFile(".ci/stacks.yml"))), describeErrors(template.errors));
        });

        it("rejects a `stepz:` typo (the check bites)", () => {
            const broken = text.replace("        steps:\n", "        stepz:\n");
            assert.notEqual(broken, text);
            assert.equal(validate(expand(broken)), false);
            assert.match(describeErrors(validate.errors), /must NOT have additional properties \(stepz\)/);
        });

        it("rejects a task the schema does not know, such as marketplace Pulumi@1", () => {
            const broken = text.replace("- task: NodeTool@0", "- task: Pulumi@1");
            assert.equal(validate(expand(broken)), false);
        });

        it("the expansion refuses a compile-time construct it does not model, rather than pass it", () => {
            assert.throws(() => expand(text.replace("split(variables.ciStacks, ',')", "variables.ciStacks")), /not expanded|each over/);
            assert.throws(() => expand(text.replace("${{ replace(stack, '-', '_') }}", "${{ lower(stack) }}")), /compile-time expression not expanded by this test's expander: \$\{\{ lower\(stack\) \}\}/);
        });
    });

    describe("triggers", () => {
        it("runs on pushes and pull requests to main", () => {
            assert.deepEqual((pipeline.trigger as { branches: { include: string[] } }).branches.include, ["main"]);
            assert.deepEqual((pipeline.pr as { branches: { include: string[] } }).branches.include, ["main"]);
        });

        it("has a daily schedule on main that runs even without new commits", () => {
            const [schedule] = pipeline.schedules as { cron: string; always: string; branches: { include: string[] } }[];
            assert.match(schedule.cron, /^\d+ \d+ \* \* \*$/);
            assert.equal(schedule.always, "true");
            assert.deepEqual(schedule.branches.include, ["main"]);
        });

        it("queues runs that wait for an environment's exclusive lock", () => {
            assert.equal(pipeline.lockBehavior, "sequential");
        });
    });

    describe("stages, one job per stack", () => {
        it("checks every run with the shared setup and checks", () => {
            assert.deepEqual(stage("Checks").jobs.map(callsOf), [[".ci/step setup", ".ci/step checks"]]);
        });

        it("previews pull requests only, every stack, with the shared steps", () => {
            assert.match(stage("Preview").condition ?? "", /eq\(variables\['Build.Reason'\], 'PullRequest'\)/);
            assert.deepEqual(stage("Preview").jobs.map((j) => j.job), ["preview_prod", "preview_eu_west"]);
            assert.deepEqual(callsOf(stage("Preview").jobs[1]), [
                ".ci/step setup",
                '.ci/step install --stack "eu-west" --mode preview',
                '.ci/step preview --stack "eu-west" --mode preview',
                '.ci/step summary --stack "eu-west" --mode preview',
            ]);
            const summary = stepsOf(stage("Preview").jobs[0]).find((s) => /\.ci\/step summary/.test(commandOf(s)));
            assert.equal(summary?.condition, "succeededOrFailed()", "also reports a failed preview");
        });

        it("posts nothing to the pull request: the build service identity needs no pull-request permission", () => {
            assert.doesNotMatch(text, /System\.AccessToken|pullRequests|\/threads/);
        });

        it("deploys main, every stack in a deployment job on its own environment with its own variable group", () => {
            const deploy = stage("Deploy");
            assert.match(deploy.condition ?? "", /refs\/heads\/main/);
            assert.doesNotMatch(deploy.condition ?? "", /PullRequest/);
            assert.deepEqual(deploy.jobs.map((j) => [j.deployment, j.environment, j.variables?.map((v) => v.group)]), [
                ["up_prod", "dbt-azure-devops-prod", ["dbt-azure-devops-prod"]],
                ["up_eu_west", "dbt-azure-devops-eu-west", ["dbt-azure-devops-eu-west"]],
            ]);
            assert.deepEqual(callsOf(deploy.jobs[0]), [
                ".ci/step setup",
                '.ci/step install --stack "prod" --mode deploy',
                '.ci/step recover --stack "prod" --mode deploy',
                '.ci/step preview --stack "prod" --mode deploy',
                '.ci/step up --stack "prod" --mode deploy',
                '.ci/step summary --stack "prod" --mode deploy',
            ]);
        });

        it("rotates on the schedule, not gated on the checks, then the expiry check after a failed up but not after a failed install", () => {
            const rotate = stage("Rotate");
            assert.match(rotate.condition ?? "", /eq\(variables\['Build.Reason'\], 'Schedule'\)/);
            assert.deepEqual(rotate.dependsOn, []);
            assert.deepEqual(rotate.jobs.map((j) => j.environment), stage("Deploy").jobs.map((j) => j.environment), "same locks as Deploy");
            const steps = stepsOf(rotate.jobs[0]);
            const expiry = steps.find((s) => /\.ci\/step expiry/.test(commandOf(s)));
            assert.equal(expiry?.condition, "and(succeededOrFailed(), eq(variables['pulumiCliVerified'], 'true'))", "pulumiCliVerified is set by .ci/step install on success");
            assert.deepEqual(callsOf(rotate.jobs[0]).map((c) => c.split(" ")[1]), ["setup", "install", "recover", "preview", "up", "expiry", "summary"]);
        });

        it("audits drift after the rotation, whatever its result, on each stack's environment", () => {
            const drift = stage("Drift");
            assert.equal(drift.dependsOn, "Rotate");
            assert.match(drift.condition ?? "", /^and\(not\(canceled\(\)\), eq\(variables\['Build.Reason'\], 'Schedule'\)/);
            assert.deepEqual(drift.jobs.map((j) => j.environment), ["dbt-azure-devops-prod", "dbt-azure-devops-eu-west"]);
            assert.deepEqual(callsOf(drift.jobs[0]).map((c) => c.split(" ")[1]), ["setup", "install", "drift", "summary"]);
        });
    });

    describe("Azure access", () => {
        const azureSteps = () => pipeline.stages.flatMap((s) => s.jobs.flatMap(stepsOf)).filter((s) => s.inputs?.azureSubscription);

        it("runs the steps that reach Azure inside AzureCLI@2, passing the federated token where the program runs", () => {
            for (const step of azureSteps()) {
                assert.equal(step.task, "AzureCLI@2");
                if (/\.ci\/step (preview|up|drift)/.test(commandOf(step))) {
                    assert.equal(step.inputs?.addSpnToEnvironment, "true");
                    assert.match(commandOf(step), /ARM_USE_OIDC=true/);
                    assert.match(commandOf(step), /ARM_OIDC_TOKEN="\$idToken"/);
                }
            }
        });

        it("previews as the preview identity; deploys, rotates and audits as the deploy identity", () => {
            const connections = (name: string) => [...new Set(stage(name).jobs.flatMap(stepsOf).map((s) => s.inputs?.azureSubscription).filter(Boolean))];
            assert.deepEqual(connections("Preview"), ["$(previewServiceConnection)"]);
            for (const name of ["Deploy", "Rotate", "Drift"]) {
                assert.deepEqual(connections(name), ["$(deployServiceConnection)"], name);
            }
            const value = (name: string) => pipeline.variables.find((v) => v.name === name)?.value;
            assert.ok(value("previewServiceConnection") && value("deployServiceConnection"));
            assert.notEqual(value("previewServiceConnection"), value("deployServiceConnection"));
        });

        it("maps the dbt token only into the steps that run the program, never in Preview", () => {
            const withToken = (name: string) => stepsOf(stage(name).jobs[0]).filter((s) => s.env?.DBT_CLOUD_TOKEN).map((s) => stepCalls(commandOf(s))[0]?.step);
            assert.deepEqual(withToken("Preview"), []);
            assert.deepEqual(withToken("Deploy"), ["preview", "up"]);
            assert.deepEqual(withToken("Rotate"), ["preview", "up"]);
            assert.deepEqual(withToken("Drift"), ["drift"]);
        });

        it("stores no client secret", () => {
            assert.doesNotMatch(text, /ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|servicePrincipalKey/);
        });
    });
});
