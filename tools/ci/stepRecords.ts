/**
 * What each CI step of a job did, one JSON file per step, so that later steps (the summary, the
 * pull-request comment) can say it without parsing logs. They live in the job's temporary
 * folder: RUNNER_TEMP on GitHub Actions, AGENT_TEMPDIRECTORY on Azure Pipelines, or
 * DBT_ADO_CI_OUT when set (tests, local runs), under one folder per stack. They hold no secret.
 */
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

export function outDir(env: Env, stack: string): string {
    const base = env.DBT_ADO_CI_OUT || path.join(env.RUNNER_TEMP || env.AGENT_TEMPDIRECTORY || os.tmpdir(), "dbt-ado-ci");
    return path.join(base, stack);
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
