/**
 * What each CI step of a job did, one JSON file per step, so that later steps (the summary, the
 * pull-request comment) can say it without parsing logs. They live in the job's temporary
 * folder (see recordsBase), one folder per stack. They hold no secret.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Env } from "./ciEnvironment";

export const STEPS = ["install", "recover", "preview", "up", "expiry", "drift", "summary"] as const;
export type StepName = (typeof STEPS)[number];

export const MODES = ["preview", "deploy", "rotate", "drift"] as const;
export type Mode = (typeof MODES)[number];

/** The steps each mode's job runs, in order. A step outside its modes refuses to run. */
export const STEPS_OF_MODE: Record<Mode, readonly StepName[]> = {
    preview: ["install", "preview", "summary"],
    deploy: ["install", "recover", "preview", "up", "summary"],
    rotate: ["install", "recover", "preview", "up", "expiry", "summary"],
    drift: ["install", "drift", "summary"],
};

export type Outcome = "succeeded" | "failed" | "refused";

export interface StepRecord {
    step: StepName;
    stack: string;
    mode: Mode;
    outcome: Outcome;
    exitCode: number;
    startedAt: string;
    finishedAt: string;
    /** Short lines for the summary: what was done or found, and what to do. */
    lines: string[];
    /** Step-specific facts (install: the CLI; recover: what was found; expiry: the date...). */
    facts: Record<string, unknown>;
}

/**
 * Where a job's records go: DBT_ADO_CI_OUT when set; in a CI job its temporary folder, which the
 * runner empties between jobs; elsewhere a folder of the project's own under the system's
 * temporary folder, so that runs of different checkouts (or test workspaces) never read each
 * other's records.
 */
export function recordsBase(env: Env, projectDir: string): string {
    if (env.DBT_ADO_CI_OUT) {
        return env.DBT_ADO_CI_OUT;
    }
    const jobTemp = env.RUNNER_TEMP || env.AGENT_TEMPDIRECTORY;
    if (jobTemp) {
        return path.join(jobTemp, "dbt-ado-ci");
    }
    return path.join(os.tmpdir(), `dbt-ado-ci-${createHash("sha256").update(path.resolve(projectDir)).digest("hex").slice(0, 12)}`);
}

/** The records of one stack; `env.DBT_ADO_CI_OUT` is set by the step's entry point (see recordsBase). */
export function outDir(env: Env, stack: string): string {
    return path.join(env.DBT_ADO_CI_OUT || recordsBase(env, process.cwd()), stack);
}

export function writeRecord(env: Env, record: StepRecord): void {
    const dir = outDir(env, record.stack);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${record.step}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

export function readRecord(env: Env, stack: string, step: StepName): StepRecord | undefined {
    const file = path.join(outDir(env, stack), `${step}.json`);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as StepRecord;
}

/** A text file beside the records (the preview's output, the summary's markdown). */
export function writeOutput(env: Env, stack: string, name: string, text: string): string {
    const dir = outDir(env, stack);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

export function readOutput(env: Env, stack: string, name: string): string | undefined {
    const file = path.join(outDir(env, stack), name);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}
