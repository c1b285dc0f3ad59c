/**
 * `.ci/step <step> --stack <stack> --mode <mode>`: one CI step of one stack's job, the same in
 * GitHub Actions and Azure Pipelines (their YAML only says when, as whom and where). `.ci/step`
 * runs the bash-only steps (stacks, setup, checks) itself and hands the others here.
 */
import * as path from "path";
import { parseFlags } from "../cliFlags";
import { projectRoot } from "../projectRoot";
import { annotation, Env, prepareEnvironment } from "./ciEnvironment";
import { CiSettingsError, readCiSettings, stateBackend } from "./ciSettings";
import { NoVerifiedCliError, pulumiCli } from "./pulumiCli";
import { drift, expiry, install, preview, recover, StepContext, StepResult, up } from "./steps";
import { Mode, MODES, outDir, readOutput, readRecord, StepName, StepRecord, STEPS, STEPS_OF_MODE, writeOutput, writeRecord } from "./stepRecords";
import { renderSummary } from "./summary";
import * as fs from "fs";

export const USAGE = `Usage: .ci/step <step> --stack <stack> --mode <mode>

Steps, in the order a job runs them (modes: preview, deploy, rotate, drift):
  stacks      the CI stacks listed in .ci/stacks.yml (--github-output: as a matrix for GitHub)
  setup       npm ci --ignore-scripts, then build these scripts
  checks      npm test, and the offline plan of every CI stack
  install     install the Pulumi CLI of package.json's @pulumi/pulumi version, its checksum
              verified; every mode but preview requires the checksum pinned in .ci/pulumi-cli.sha256
  recover     clear what a killed run left: a stale lock, pending operations (deploy, rotate;
              --mode optional here: .ci/step recover --stack dev)
  preview     pulumi preview --diff with the policy pack and its config (preview, deploy, rotate)
  up          pulumi up with the policy pack, after a passing preview in this job (deploy, rotate)
  expiry      fail when the secret dbt Cloud holds expires within ciExpiryWarningDays (rotate)
  drift       pulumi preview --refresh --expect-no-changes, then the Graph audit of the app (drift)
  summary     the job summary (and the pull-request comment's text): always run it last

Exit status: 0 done, 1 the step failed (its output says why), 2 bad usage or a refused environment.`;

const NODE_STEPS = STEPS;

export async function main(argv: string[], rawEnv: Env, projectDir: string, repoDir: string, now: () => Date): Promise<number> {
    const [step, ...rest] = argv;
    const { values, help, problems } = parseFlags(rest, { stack: "value", mode: "value" });
    if (help || step === undefined || step === "--help" || step === "-h") {
        process.stdout.write(`${USAGE}\n`);
        return step === undefined ? 2 : 0;
    }
    if (!(NODE_STEPS as readonly string[]).includes(step)) {
        problems.push(`unknown step "${step}".`);
    }
    const stack = typeof values.stack === "string" ? values.stack : undefined;
    if (stack === undefined) {
        problems.push("--stack is required.");
    } else if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(stack)) {
        problems.push(`--stack "${stack}" is not a stack name.`);
    }
    const mode = typeof values.mode === "string" ? (values.mode as Mode) : undefined;
    if (mode === undefined && step !== "recover") {
        problems.push(`--mode is required (${MODES.join(", ")}).`);
    } else if (mode !== undefined && !MODES.includes(mode)) {
        problems.push(`--mode "${mode}" is not one of ${MODES.join(", ")}.`);
    } else if (mode !== undefined && (NODE_STEPS as readonly string[]).includes(step) && !STEPS_OF_MODE[mode].includes(step as StepName)) {
        problems.push(`${step} does not run in ${mode} mode (its steps: ${STEPS_OF_MODE[mode].join(", ")}).`);
    }
    if (problems.length > 0) {
        process.stderr.write(`${problems.map((p) => `.ci/step: ${p}`).join("\n")}\n${USAGE}\n`);
        return 2;
    }
    return runStep(step as StepName, stack as string, mode, rawEnv, projectDir, repoDir, now);
}

async function runStep(step: StepName, stack: string, mode: Mode | undefined, rawEnv: Env, projectDir: string, repoDir: string, now: () => Date): Promise<number> {
    // Annotations and ##vso commands must be on stdout for the runners to act on them.
    const log = (line: string) => process.stdout.write(`${line}\n`);
    const startedAt = new Date().toISOString();
    const prepared = prepareEnvironment(rawEnv);
    for (const note of prepared.notes) {
        log(annotation("warning", note, rawEnv));
    }
    const record = (result: StepResult) => {
        const outcome = result.outcome ?? (result.exitCode === 0 ? "succeeded" : "failed");
        const entry: StepRecord = { step, stack, mode: mode ?? "deploy", outcome, exitCode: result.exitCode, startedAt, finishedAt: new Date().toISOString(), lines: result.lines, facts: result.facts ?? {} };
        writeRecord(rawEnv, entry);
        return result.exitCode;
    };

    if (step === "summary") {
        return summary(stack, mode as Mode, rawEnv, projectDir, now);
    }
    if (prepared.refusals.length > 0) {
        for (const refusal of prepared.refusals) {
            log(annotation("error", refusal, rawEnv));
        }
        return record({ exitCode: 2, outcome: "refused", lines: ["refused to run", ...prepared.refusals] });
    }
    let settings;
    try {
        settings = readCiSettings(projectDir);
    } catch (error) {
        if (error instanceof CiSettingsError) {
            log(error.message);
            return record({ exitCode: 2, outcome: "refused", lines: ["refused to run", error.message] });
        }
        throw error;
    }
    const backend = stateBackend(settings, prepared.env);
    for (const note of backend.notes) {
        log(annotation("warning", note, rawEnv));
    }
    const env: Env = { ...prepared.env, PULUMI_BACKEND_URL: backend.backendUrl, AZURE_STORAGE_ACCOUNT: backend.storageAccount, DBT_ADO_CI_OUT: path.dirname(outDir(rawEnv, stack)) };
    const ctx: StepContext = {
        stack,
        mode,
        projectDir,
        repoDir,
        env,
        settings,
        cli: () => pulumiCli(stack, projectDir, env),
        now,
        log,
    };
    const steps: Record<Exclude<StepName, "summary">, (c: StepContext) => Promise<StepResult>> = { install, recover, preview, up, expiry, drift };
    try {
        if (step !== "install") {
            log(`.ci/step ${step}: ${ctx.cli().origin}; state in ${env.PULUMI_BACKEND_URL}`);
        }
        const result = await steps[step](ctx);
        for (const line of result.lines) {
            log(`${step}: ${line}`);
        }
        return record(result);
    } catch (error) {
        if (error instanceof NoVerifiedCliError) {
            log(annotation("error", error.message, rawEnv));
            return record({ exitCode: 1, outcome: "refused", lines: ["not run: no verified Pulumi CLI in this job", error.message] });
        }
        throw error;
    }
}

function summary(stack: string, mode: Mode, env: Env, projectDir: string, now: () => Date): number {
    const records: Partial<Record<StepName, StepRecord>> = {};
    for (const step of STEPS_OF_MODE[mode]) {
        const found = readRecord(env, stack, step);
        if (found) records[step] = found;
    }
    const markdown = renderSummary({ stack, mode, records, previewOutput: readOutput(env, stack, "preview.txt"), projectDir, now: now() });
    const file = writeOutput(env, stack, "summary.md", markdown);
    process.stdout.write(markdown);
    if (env.GITHUB_STEP_SUMMARY) {
        fs.appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
    }
    if (env.TF_BUILD) {
        process.stdout.write(`##vso[task.uploadsummary]${file}\n`);
    }
    return 0;
}

if (require.main === module) {
    // `.ci/step` runs from the project folder; the scripts' own checkout holds dist/.
    main(process.argv.slice(2), process.env, process.cwd(), projectRoot(__dirname), () => new Date()).then(
        (code) => {
            process.exitCode = code;
        },
        (error: Error) => {
            process.stderr.write(`.ci/step: unexpected failure: ${error.message}\n${process.env.DEBUG ? error.stack : ""}`);
            process.exitCode = 1;
        },
    );
}
