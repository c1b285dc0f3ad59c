/**
 * The stand-in actions' and the harness's own logic, without act: how inputs are read and
 * refused, which subject claim a job's token would carry, which Node versions match, and how
 * act's JSON log is read. The workflows themselves run in workflows.workflow.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { jobTokenClaims } from "./actions/azure-login";
import { matchesSpec } from "./actions/setup-node";
import { booleanInput, input, refuseReadOutputs, refuseUnimplementedInputs, WORKFLOW_FILE_VAR } from "./actions/standin";
import { WorkflowRun } from "./harness/act";
import { RunReport, stepsSeeing, unobservedSteps } from "./harness/world";

describe("workflow stand-ins: inputs", () => {
    it("reads an input as @actions/core does: INPUT_<NAME>, hyphens kept, trimmed", () => {
        assert.strictEqual(input("client-id", { "INPUT_CLIENT-ID": "  abc \n" }), "abc");
        assert.strictEqual(input("missing", {}), "");
    });

    it("accepts only the YAML 1.2 core schema's booleans", () => {
        assert.strictEqual(booleanInput("diff", { INPUT_DIFF: "True" }), true);
        assert.strictEqual(booleanInput("diff", { INPUT_DIFF: "FALSE" }), false);
        assert.throws(() => booleanInput("diff", { INPUT_DIFF: "yes" }), /YAML 1\.2 "Core Schema".*diff/s);
    });

    it("refuses every input it does not implement, naming each, and lets an inert one pass at its harmless value only", () => {
        const env = { INPUT_COMMAND: "up", "INPUT_CONFIG-MAP": "{a: 1}", INPUT_MESSAGE: "hi", "INPUT_COMMENT-ON-SUMMARY": "false", "INPUT_EMPTY-ONE": " " };
        assert.throws(() => refuseUnimplementedInputs(["command"], { "comment-on-summary": ["false"] }, env), (error: Error) => {
            assert.match(error.message, /'config-map' = '\{a: 1\}' is not implemented/);
            assert.match(error.message, /'message' = 'hi' is not implemented/);
            assert.doesNotMatch(error.message, /comment-on-summary|empty-one/);
            return true;
        });
        assert.throws(() => refuseUnimplementedInputs(["command"], { "comment-on-summary": ["false"] }, { "INPUT_COMMENT-ON-SUMMARY": "true" }), /comment-on-summary/);
        refuseUnimplementedInputs(["command"], {}, { INPUT_COMMAND: "up" });
    });

    it("refuses to run when the workflow reads the step's outputs, which no stand-in sets", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "standin-"));
        try {
            const file = path.join(dir, "wf.yml");
            fs.writeFileSync(file, "steps:\n  - id: pulumi\n  - run: echo ${{ steps.pulumi.outputs.output }}\n");
            assert.throws(() => refuseReadOutputs({ [WORKFLOW_FILE_VAR]: file, GITHUB_ACTION: "pulumi" }), /reads steps\.pulumi\.outputs/);
            refuseReadOutputs({ [WORKFLOW_FILE_VAR]: file, GITHUB_ACTION: "pulumi-up" });
            refuseReadOutputs({ [WORKFLOW_FILE_VAR]: file, GITHUB_ACTION: "3" });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("workflow stand-ins: setup-node's version match", () => {
    it("matches a major, major.minor, x ranges and an exact version", () => {
        assert.ok(matchesSpec("22.23.3", "22"));
        assert.ok(matchesSpec("22.23.3", "22.x"));
        assert.ok(matchesSpec("22.23.3", "v22.23"));
        assert.ok(matchesSpec("22.23.3", "22.23.3"));
        assert.ok(!matchesSpec("22.23.3", "20"));
        assert.ok(!matchesSpec("22.23.3", "22.22"));
    });

    it("refuses what needs the internet to resolve (lts/*, node)", () => {
        assert.throws(() => matchesSpec("22.23.3", "lts/*"), /aliases such as lts\/\* need the internet/);
        assert.throws(() => matchesSpec("22.23.3", "x"), /not a version/);
    });
});

describe("workflow stand-ins: azure/login's token subject", () => {
    const workflow = `
permissions:
  contents: read
jobs:
  up:
    environment: dbt-azure-devops-dev
    permissions:
      id-token: write
  named:
    environment:
      name: review
    permissions: write-all
  preview:
    permissions:
      id-token: write
  checks:
    runs-on: ubuntu-latest
  expr:
    environment: \${{ inputs.env }}
    permissions:
      id-token: write
  matrixed:
    environment: dbt-azure-devops-\${{ matrix.stack }}
    permissions:
      id-token: write
    env:
      STACK: \${{matrix.stack}}
`;
    const env = { GITHUB_REPOSITORY: "contoso/repo", GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/heads/main" };

    it("is the environment for a job that has one, whatever the event", () => {
        assert.deepStrictEqual(jobTokenClaims(workflow, "up", { ...env, GITHUB_EVENT_NAME: "pull_request" }), { subject: "repo:contoso/repo:environment:dbt-azure-devops-dev", idTokenWrite: true });
        assert.deepStrictEqual(jobTokenClaims(workflow, "named", env), { subject: "repo:contoso/repo:environment:review", idTokenWrite: true });
    });

    it("is pull_request for a pull-request event, else the ref", () => {
        assert.strictEqual(jobTokenClaims(workflow, "preview", { ...env, GITHUB_EVENT_NAME: "pull_request" }).subject, "repo:contoso/repo:pull_request");
        assert.strictEqual(jobTokenClaims(workflow, "preview", env).subject, "repo:contoso/repo:ref:refs/heads/main");
    });

    it("needs id-token: write in the job's permissions, or the workflow's when the job has none", () => {
        assert.strictEqual(jobTokenClaims(workflow, "checks", env).idTokenWrite, false);
        assert.strictEqual(jobTokenClaims(workflow.replace("  contents: read", "  id-token: write"), "checks", env).idTokenWrite, true);
        assert.strictEqual(jobTokenClaims("jobs:\n  a: {}\n", "a", env).idTokenWrite, false, "GitHub's default permissions grant no id-token");
    });

    it("evaluates an expression in the environment's name through the job's env, where act evaluated it", () => {
        assert.strictEqual(jobTokenClaims(workflow, "matrixed", { ...env, STACK: "prod" }).subject, "repo:contoso/repo:environment:dbt-azure-devops-prod");
    });

    it("refuses an expression it cannot evaluate that way, and an unknown job", () => {
        assert.throws(() => jobTokenClaims(workflow, "expr", env), /\$\{\{ inputs\.env \}\}; the stand-in can work out the token's subject only when/);
        assert.throws(() => jobTokenClaims(workflow, "nope", env), /job 'nope' is not in the workflow/);
    });
});

describe("workflow harness: act's JSON log", () => {
    const lines = [
        { level: "warning", msg: "Couldn't get a valid docker connection" },
        { jobID: "up", level: "info", msg: "⭐ Run Main npm ci", stage: "Main", step: "npm ci", stepID: ["2"] },
        { jobID: "up", level: "info", msg: "added 201 packages\n", raw_output: true, stage: "Main", step: "npm ci", stepID: ["2"] },
        { jobID: "up", level: "info", msg: "  ✅  Success - Main npm ci", stage: "Main", step: "npm ci", stepID: ["2"], stepResult: "success" },
        { jobID: "up", level: "info", msg: "⭐ Run Main up", stage: "Main", step: "pulumi up", stepID: ["up"] },
        { jobID: "up", level: "info", msg: "  ❌  Failure - Main up", stage: "Main", step: "pulumi up", stepID: ["up"], stepResult: "failure" },
        { jobID: "up", level: "debug", msg: "Skipping step 'expiry' due to 'success()'", stage: "Main", step: "expiry", stepID: ["expiry"], stepResult: "skipped" },
        { jobID: "up", jobResult: "failure", level: "info", msg: "🏁  Job failed" },
        { jobID: "other", jobResult: "skipped", level: "debug", msg: "Skipping job 'other' due to 'false'" },
    ].map((l) => JSON.stringify(l));
    const run = new WorkflowRun("test", 1, [...lines, "Error: Job 'up' failed"].join("\n"));

    it("reads each job's and step's result, and what each step printed", () => {
        assert.deepStrictEqual([...run.jobs], [["up", "failure"], ["other", "skipped"]]);
        assert.deepStrictEqual(run.mainSteps("up").map((s) => [s.id, s.name, s.result]), [["2", "npm ci", "success"], ["up", "pulumi up", "failure"], ["expiry", "expiry", "skipped"]]);
        assert.match(run.step("up", "2").output, /added 201 packages/);
        assert.deepStrictEqual(run.plainLines, ["Error: Job 'up' failed"]);
    });

    it("finds a step by id, name or pattern, and says which steps there are when none or several match", () => {
        assert.strictEqual(run.step("up", /^pulumi/).id, "up");
        assert.throws(() => run.step("up", /nothing/), /0 steps of job up match.*2 "npm ci", up "pulumi up"/s);
    });

    it("tells which step saw a value, and which ran without leaving a record", () => {
        const report: RunReport = {
            act: run,
            signIns: [],
            requests: [],
            dumps: [
                { kind: "bash", job: "up", step: "2", env: { A: "x" } },
                { kind: "pulumi-actions", job: "up", step: "up", env: { TOKEN: "prefix-secret-suffix" } },
            ],
        };
        assert.deepStrictEqual(stepsSeeing(report, "secret"), ["up/up"]);
        assert.deepStrictEqual(unobservedSteps(report), []);
        assert.deepStrictEqual(unobservedSteps({ ...report, dumps: report.dumps.slice(1) }), ['up/2 "npm ci"']);
    });
});
