/**
 * nektos/act, as the workflow tests use it: where the binary is (ACT_BIN, or what
 * `bash tools/act/build.sh` built into .engine/act-<version>/), and what one run of it reports,
 * read from its JSON log (`--json -v`): every job's and step's result and each step's output.
 *
 * The log fields are act's (v0.2.89, pkg/runner/logger.go and step.go): `jobID`, `stage`
 * ("Pre", "Main", "Post"), `step` (its name), `stepID` (a one-element list), `stepResult` and
 * `jobResult` ("success", "failure", "skipped"), and `raw_output` on a line a step printed.
 * A skipped job or step is reported at debug level ("Skipping job 'x' due to '...'").
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../../tools/projectRoot";

const ROOT = projectRoot();

/** The act executable: ACT_BIN when set, else the newest one tools/act/build.sh built. */
export function actBinary(): string | undefined {
    const fromEnv = process.env.ACT_BIN;
    if (fromEnv) {
        return fs.existsSync(fromEnv) ? fromEnv : undefined;
    }
    const engines = path.join(ROOT, ".engine");
    const built = fs.existsSync(engines)
        ? fs.readdirSync(engines).filter((d) => d.startsWith("act-")).map((d) => path.join(engines, d, "act")).filter((f) => fs.existsSync(f))
        : [];
    return built.sort().pop();
}

/** The version go.mod pins, e.g. "v0.2.89" (for messages). */
export function pinnedActVersion(): string {
    const goMod = fs.readFileSync(path.join(ROOT, "tools", "act", "go.mod"), "utf8");
    return /github\.com\/nektos\/act (v\S+)/.exec(goMod)?.[1] ?? "?";
}

/** `act --version`, e.g. "act version 0.2.89". */
export function actVersion(bin: string): string {
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
}

export type Result = "success" | "failure" | "skipped";

interface ActEntry {
    level?: string;
    msg?: string;
    jobID?: string;
    stage?: string;
    step?: string;
    stepID?: string[];
    stepResult?: Result;
    jobResult?: Result;
    raw_output?: boolean;
}

export interface StepRun {
    jobId: string;
    stage: string;
    id: string;
    name: string;
    result?: Result;
    /** What the step printed, in order. */
    output: string;
}

/** One run of act over one workflow file, read from its JSON log. */
export class WorkflowRun {
    public readonly steps: StepRun[] = [];
    public readonly jobs = new Map<string, Result>();
    /** act's own lines that are not JSON (for example "Error: Job 'up' failed"). */
    public readonly plainLines: string[] = [];
    private readonly entries: ActEntry[] = [];

    constructor(public readonly title: string, public readonly exitCode: number, public readonly logText: string) {
        for (const line of logText.split("\n")) {
            if (!line.trim()) {
                continue;
            }
            let entry: ActEntry;
            try {
                entry = JSON.parse(line) as ActEntry;
            } catch {
                this.plainLines.push(line);
                continue;
            }
            this.entries.push(entry);
            if (entry.jobResult && entry.jobID) {
                this.jobs.set(entry.jobID, entry.jobResult);
            }
            const id = entry.stepID?.[0];
            if (!entry.jobID || !id || !entry.stage) {
                continue;
            }
            let step = this.steps.find((s) => s.jobId === entry.jobID && s.stage === entry.stage && s.id === id);
            if (!step) {
                step = { jobId: entry.jobID, stage: entry.stage, id, name: entry.step ?? id, output: "" };
                this.steps.push(step);
            }
            if (entry.raw_output) {
                step.output += entry.msg ?? "";
            } else if (entry.level !== "debug" && entry.msg) {
                step.output += `${entry.msg}\n`;
            }
            if (entry.stepResult) {
                step.result = entry.stepResult;
            }
        }
    }

    /** The main-stage step of `jobId` whose name or id matches; throws, with the log, when there is none. */
    public step(jobId: string, match: string | RegExp): StepRun {
        const found = this.steps.filter((s) => s.jobId === jobId && s.stage === "Main" && (typeof match === "string" ? s.id === match || s.name === match : match.test(s.name)));
        if (found.length !== 1) {
            throw new Error(`${this.title}: ${found.length} steps of job ${jobId} match ${String(match)}; steps: ${this.mainSteps(jobId).map((s) => `${s.id} "${s.name}"`).join(", ")}\n${this.readableLog()}`);
        }
        return found[0];
    }

    public mainSteps(jobId: string): StepRun[] {
        return this.steps.filter((s) => s.jobId === jobId && s.stage === "Main");
    }

    /**
     * Everything act's log shows, debug lines included: each entry's message (act masks secrets
     * there) and act's plain lines. Not the JSON fields: act's JSON log repeats the argument of an
     * `add-mask` or `set-env` command in clear in its `arg` (and `raw`) field, which its text log
     * never prints; those fields are act's bookkeeping, not output.
     */
    public shownText(): string {
        return [...this.entries.map((e) => e.msg ?? ""), ...this.plainLines].join("\n");
    }

    /** The log as a person reads it: act's info lines and what the steps printed, no debug lines. */
    public readableLog(): string {
        const lines = this.entries.filter((e) => e.level !== "debug").map((e) => (e.raw_output ? `  | ${(e.msg ?? "").replace(/\n$/, "")}` : `[${e.jobID ?? "act"}] ${e.msg ?? ""}`));
        return [...lines, ...this.plainLines].join("\n");
    }
}
