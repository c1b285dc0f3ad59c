/**
 * The GitHub workflows as written, run by nektos/act on this host against the fake clouds and the
 * engine `npm run engine` built (test/workflows/harness/world.ts says what stands in for what).
 *
 * One world, one story, in order: a deploy from a feature branch is refused; a push to main
 * deploys; a pull request previews as the preview identity only; the daily rotation changes
 * nothing inside a period and rotates across a boundary (dbt Cloud ends up holding the new
 * secret); the drift audit fails on a redirect URI added in the portal; and a rotation stuck for
 * a whole period, with dbt Cloud failing, still runs the expiry check, which fails. Runs inside the rotation are moved in time with libfaketime (the program, the
 * providers and the scripts; act and the engine keep real time, as a real runner's Go programs
 * would not care).
 */
import * as assert from "assert";
import { planRotation, RotationSettings, secretGeneration } from "../../domain/rotationSchedule";
import { readTenant, updateTenant } from "../engine/fakeAzuread/tenant";
import { DBT_TOKEN, PAT } from "../engine/fakeClouds";
import { skipOrFailWhenMissing } from "../engine/workspace";
import { DBT_TOKEN as DBT_TOKEN_SECRET, DEPLOY_CLIENT_ID } from "../pipelines/trustBoundaries";
import { StepRun } from "./harness/act";
import { RunReport, SECRETS, stepsDeclaring, stepsSeeing, unobservedSteps, WorkflowWorld } from "./harness/world";

/** The CI stack's schedule (stacks/Pulumi.prod.yaml sets none: Pulumi.yaml's defaults). */
const SETTINGS: RotationSettings = { rotationDays: 90, overlapDays: 14 };
const HOUR = 60 * 60 * 1000;
/** rotate.yml's cron, "17 5 * * *": the first scheduled run after a boundary (boundaries fall at 00:00 UTC). */
const SCHEDULED = 5 * HOUR + 17 * 60 * 1000;

function tail(report: RunReport): string {
    const log = report.act.readableLog();
    return `\n--- ${report.act.title}, exit ${report.act.exitCode}, log tail:\n${log.slice(-12000)}`;
}

/** The step of `job` that runs `.ci/step <name>`. */
function ciStep(report: RunReport, job: string, name: string): StepRun {
    return report.act.step(job, new RegExp(`^\\.ci/step ${name}\\b`));
}

/** act's message with a step's job summary ($GITHUB_STEP_SUMMARY), which it logs as "Summary - ...". */
function jobSummary(step: StepRun): string {
    return /Summary - ([\s\S]*)/.exec(step.output)?.[1] ?? "";
}

/** Requests that change something at a fake (Azure DevOps or dbt Cloud). */
function writes(report: RunReport): string[] {
    return report.requests.filter((r) => !["GET", "HEAD"].includes(r.method)).map((r) => `${r.method} ${r.path}`);
}

/** Creates, updates and deletes in the fake tenant after call number `after`. */
function tenantWrites(tenantFile: string, after: number): string[] {
    return readTenant(tenantFile).calls.filter((c) => c.n > after && ["create", "update", "delete"].includes(c.op)).map((c) => `${c.op} ${c.type}`);
}

function tenantCalls(tenantFile: string): number {
    return readTenant(tenantFile).calls.length;
}

function passwords(tenantFile: string): Array<{ keyId: string; value: string; endDate: string }> {
    return readTenant(tenantFile).applications.flatMap((a) => a.passwords);
}

describe("GitHub workflows, run as written by act (offline, against the fakes)", function () {
    this.timeout(60 * 60_000);
    let world: WorkflowWorld;
    let stack: string;

    /** No run's log may show a token or a client secret (act masks secrets; the program must print none). */
    function assertNoSecretsIn(report: RunReport): void {
        const secrets = [DBT_TOKEN, PAT, SECRETS.GITHUB_TOKEN, ...passwords(world.tenantFile).map((p) => p.value)];
        const shown = report.act.shownText();
        const leaked = secrets.filter((s) => shown.includes(s));
        assert.deepStrictEqual(leaked.map((s) => `${s.slice(0, 3)}...`), [], `${report.act.title}: its log shows a secret`);
    }

    before(async function () {
        skipOrFailWhenMissing(this, "Workflow tests", WorkflowWorld.missing());
        world = await WorkflowWorld.create();
        assert.strictEqual(world.stacks.length, 1, `the story below follows one CI stack; .ci/stacks.yml lists ${world.stacks.join(", ")}`);
        stack = world.stacks[0];
    });

    after(async () => {
        await world?.dispose();
    });

    const start = new Date();
    const period = planRotation(start, SETTINGS).current.period;
    const boundary = (k: number) => secretGeneration(period + k, SETTINGS).periodStart;

    it("deploy refuses a branch that is not main: dispatched from a feature branch, the checks run and the up job is skipped", async () => {
        const report = await world.run({ workflow: "deploy.yml", event: "workflow_dispatch", ref: "refs/heads/feature/try-deploy" });
        assert.strictEqual(report.act.jobs.get("checks"), "success", `the checks pass, so only the branch can stop the deploy${tail(report)}`);
        assert.strictEqual(report.act.jobs.get("up"), "skipped", `the up job is skipped${tail(report)}`);
        assert.deepStrictEqual(report.act.mainSteps("up"), [], "no step of the up job ran");
        assert.deepStrictEqual(report.signIns, [], "nobody signed in");
        assert.deepStrictEqual(report.requests.map((r) => `${r.method} ${r.path}`), [], "neither Azure DevOps nor dbt Cloud was called");
        assertNoSecretsIn(report);
    });

    it("a push to main deploys: the checks, then preview and up as the deploy identity; dbt Cloud holds the newest secret, and only the steps that name DBT_CLOUD_TOKEN see it", async () => {
        const callsBefore = tenantCalls(world.tenantFile);
        const report = await world.run({ workflow: "deploy.yml", event: "push", ref: "refs/heads/main" });
        assert.strictEqual(report.act.jobs.get("checks"), "success", tail(report));
        assert.strictEqual(report.act.jobs.get("up"), "success", tail(report));
        assert.deepStrictEqual(report.signIns.map((s) => `${s.job}: ${s.identity} (${s.subject})`), [`up: deploy identity (repo:contoso/dbt-azure-devops:environment:dbt-azure-devops-${stack})`]);
        const held = passwords(world.tenantFile);
        assert.strictEqual(held.length, 1, "a first deploy mints the current slot's secret only: nobody holds a previous one");
        assert.strictEqual(world.clouds.dbtSecret(), held[0].value, "dbt Cloud holds it");
        assert.ok(tenantWrites(world.tenantFile, callsBefore).length > 0);

        // The trust boundary as the workflow states it: npm ci and the rest never see the dbt Cloud token.
        const declaring = stepsDeclaring("deploy.yml", "up", "DBT_CLOUD_TOKEN");
        assert.ok(declaring.length > 0);
        assert.deepStrictEqual(stepsSeeing(report, DBT_TOKEN), declaring, "DBT_CLOUD_TOKEN reaches exactly the steps whose env names it");
        assert.ok(stepsSeeing(report, SECRETS[DEPLOY_CLIENT_ID]).length > 0, "the deploy identity is seen where it is used (so the pull-request check below can see it)");
        assert.deepStrictEqual(unobservedSteps(report), [], "every step's environment was recorded");
        assertNoSecretsIn(report);
    });

    it("a pull request previews as the preview identity only: no step sees the deploy identity or DBT_CLOUD_TOKEN, nothing is written, and the comment is reported as not posted", async () => {
        const callsBefore = tenantCalls(world.tenantFile);
        const report = await world.run({ workflow: "pull-request.yml", event: "pull_request", ref: "refs/heads/feature/tweak" });
        assert.strictEqual(report.act.jobs.get("checks"), "success", tail(report));
        assert.strictEqual(report.act.jobs.get("preview"), "success", tail(report));
        assert.deepStrictEqual(report.signIns.map((s) => `${s.job}: ${s.identity} (${s.subject})`), ["preview: preview identity (repo:contoso/dbt-azure-devops:environment:dbt-azure-devops-preview)"]);
        for (const [name, value] of [[DEPLOY_CLIENT_ID, SECRETS[DEPLOY_CLIENT_ID]], [DBT_TOKEN_SECRET, DBT_TOKEN], ["the deploy identity's Azure DevOps credential", PAT]]) {
            assert.deepStrictEqual(stepsSeeing(report, value), [], `no pull-request step sees ${name}`);
        }
        assert.deepStrictEqual(unobservedSteps(report), [], "every step's environment was recorded, so the check above saw them all");
        assert.ok(!report.requests.some((r) => JSON.stringify(r.headers).includes(DBT_TOKEN)), "dbt Cloud never saw the token");
        assert.deepStrictEqual(writes(report), [], "the preview wrote nothing to Azure DevOps or dbt Cloud");
        assert.deepStrictEqual(tenantWrites(world.tenantFile, callsBefore), [], "nor to the tenant");
        const comment = report.act.step("preview", /preview comment/);
        assert.match(comment.output, /NOT RUN: the script would call api\.github\.com \(.*issues\.createComment.*\), which needs the internet\. Nothing was posted\./, "the stand-in says the comment was not posted");
        assert.match(comment.output, /holds what the script would have posted/, "and shows what would have been");
        assert.match(ciStep(report, "preview", "preview").output, /no changes|unchanged/i, "the preview of main's own code changes nothing");
        assertNoSecretsIn(report);
    });

    it("a scheduled rotate on a day inside the period changes nothing, and its expiry check passes", async () => {
        const at = new Date(start.getTime() + (boundary(1).getTime() - start.getTime()) / 2);
        const before = { calls: tenantCalls(world.tenantFile), keys: passwords(world.tenantFile).map((p) => p.keyId).sort(), held: world.clouds.dbtSecret() };
        const report = await world.run({ workflow: "rotate.yml", event: "schedule", at });
        assert.strictEqual(report.act.jobs.get("rotate"), "success", tail(report));
        assert.deepStrictEqual(tenantWrites(world.tenantFile, before.calls), [], "nothing written to the tenant");
        assert.deepStrictEqual(writes(report), [], "nothing written to Azure DevOps or dbt Cloud");
        assert.deepStrictEqual(passwords(world.tenantFile).map((p) => p.keyId).sort(), before.keys);
        assert.strictEqual(world.clouds.dbtSecret(), before.held);
        assert.strictEqual(ciStep(report, "rotate", "expiry").result, "success", tail(report));
        assertNoSecretsIn(report);
    });

    it("a scheduled rotate across a period boundary rotates, and dbt Cloud ends up holding the new secret", async () => {
        const at = new Date(boundary(1).getTime() + SCHEDULED);
        const before = { passwords: passwords(world.tenantFile), held: world.clouds.dbtSecret() };
        const report = await world.run({ workflow: "rotate.yml", event: "schedule", at });
        assert.strictEqual(report.act.jobs.get("rotate"), "success", tail(report));
        const after = passwords(world.tenantFile);
        const minted = after.filter((p) => !before.passwords.some((b) => b.keyId === p.keyId));
        assert.strictEqual(minted.length, 1, "one new secret");
        assert.strictEqual(world.clouds.dbtSecret(), minted[0].value, "dbt Cloud holds the new secret");
        assert.strictEqual(minted[0].endDate, planRotation(at, SETTINGS).current.endDate, "valid as the schedule says");
        assert.ok(after.some((p) => p.value === before.held), "the secret dbt Cloud held until now is kept for the overlap");
        assert.strictEqual(after.length, 2, "the two slots' secrets, nothing else");
        assert.strictEqual(ciStep(report, "rotate", "expiry").result, "success", tail(report));
        assertNoSecretsIn(report);
    });

    it("the drift audit fails on a redirect URI added in the portal, and names it", async () => {
        const at = new Date(boundary(1).getTime() + 24 * HOUR + SCHEDULED + HOUR);
        const seeded = "https://portal-edit.example.com/complete/azure_active_directory";
        const app = () => readTenant(world.tenantFile).applications[0];
        const original = app().web.redirectUris;
        updateTenant(world.tenantFile, (tenant) => {
            tenant.applications[0].web.redirectUris = [...original, seeded];
        });
        try {
            const report = await world.run({ workflow: "drift.yml", event: "schedule", at });
            assert.strictEqual(report.act.jobs.get("drift"), "failure", tail(report));
            const drift = ciStep(report, "drift", "drift");
            assert.strictEqual(drift.result, "failure", tail(report));
            assert.ok(drift.output.includes(seeded), `the log names the URI added in the portal${tail(report)}`);
            assert.match(jobSummary(ciStep(report, "drift", "summary")), /drift/i, "and the job summary says drift was found");
            assert.deepStrictEqual(writes(report), [], "the audit writes nothing");
            assert.deepStrictEqual(app().web.redirectUris, [...original, seeded], "nor puts it back: that is the next deploy's job");
            assertNoSecretsIn(report);
        } finally {
            updateTenant(world.tenantFile, (tenant) => {
                tenant.applications[0].web.redirectUris = original;
            });
        }
    });

    it("a rotation stuck for a whole period: with dbt Cloud failing, up fails and the expiry check still runs, and fails", async () => {
        // No run got through boundary 2: at boundary 3 the secret dbt Cloud holds has its overlap left, under the 14-day margin.
        const at = new Date(boundary(3).getTime() + SCHEDULED);
        const held = world.clouds.dbtSecret();
        world.clouds.dbt.server.inject((r) => r.method === "POST" && /azure-ad-applications\/\d+\/$/.test(r.path), { kind: "status", status: 503, body: { status: { code: 503, user_message: "Service Unavailable" } } }, 50);
        try {
            const report = await world.run({ workflow: "rotate.yml", event: "schedule", at });
            assert.strictEqual(report.act.jobs.get("rotate"), "failure", tail(report));
            const steps = report.act.mainSteps("rotate");
            const up = ciStep(report, "rotate", "up");
            assert.strictEqual(up.result, "failure", `pulumi up fails${tail(report)}`);
            assert.strictEqual(steps.find((s) => s.result === "failure"), up, "and is the first step to fail");
            const expiry = ciStep(report, "rotate", "expiry");
            assert.ok(steps.indexOf(expiry) > steps.indexOf(up), "the expiry check comes after it");
            assert.strictEqual(expiry.result, "failure", `the expiry check ran and failed${tail(report)}`);
            assert.match(expiry.output, /expires/i, "and says when the secret expires");
            assert.strictEqual(world.clouds.dbtSecret(), held, "dbt Cloud still holds the secret it had");
            assertNoSecretsIn(report);
        } finally {
            world.clouds.dbt.server.reset();
        }
    });
});
