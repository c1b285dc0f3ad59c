/**
 * The job summary of one stack's CI job, from the step records: a table of what each step did,
 * the lines that need a reader, the preview's output folded away, and, when the pinned CLI could
 * not be installed, what the job could not do and how long the secret dbt Cloud holds lasts at
 * worst. The same markdown is the pull-request comment of a preview (with a marker the comment
 * step finds it again by).
 */
import { planRotation, RotationSettings } from "../../domain/rotationSchedule";
import { STACK_CONFIG_PARSERS } from "../../config/stackConfigSchema";
import { readStackFiles } from "../plan/stackFiles";
import { Mode, StepName, StepRecord, STEPS_OF_MODE } from "./stepRecords";

const DAY_MS = 86_400_000;
/** GitHub refuses comments over 65,536 characters; the preview output gets what is left. */
const OUTPUT_LIMIT = 50_000;

const STEP_TITLES: Record<StepName, string> = {
    install: "Install the pinned Pulumi CLI",
    recover: "Recover from a killed run",
    preview: "Policy preview",
    up: "pulumi up",
    expiry: "Expiry check",
    drift: "Drift audit",
    summary: "Summary",
};

const MODE_TITLES: Record<Mode, string> = {
    preview: "pull-request preview",
    deploy: "deploy",
    rotate: "scheduled rotation",
    drift: "drift audit",
};

/** The marker the pull-request comment of `stack` starts with, so each push edits the same comment. */
export function commentMarker(stack: string): string {
    return `<!-- pulumi-preview:${stack} -->`;
}

/** The stack's rotation settings from its stack file (Pulumi.yaml's defaults applied), or why they cannot be read. */
export function rotationSettingsOf(projectDir: string, stack: string): RotationSettings | string {
    try {
        const files = readStackFiles(projectDir, stack);
        const read = (key: "secretRotationDays" | "secretOverlapDays") => {
            const parsed = STACK_CONFIG_PARSERS[key](files.values[`${files.project}:${key}`] ?? "");
            return parsed.ok ? parsed.value : undefined;
        };
        const rotationDays = read("secretRotationDays");
        const overlapDays = read("secretOverlapDays");
        if (rotationDays === undefined || overlapDays === undefined) {
            return "secretRotationDays or secretOverlapDays in its stack file is not valid";
        }
        return { rotationDays, overlapDays };
    } catch (error) {
        return (error as Error).message;
    }
}

/**
 * How long the secret dbt Cloud holds lasts at worst when no run can get through now: a secret
 * minted after a period boundary lives 2 x secretRotationDays + secretOverlapDays from it, so if
 * the last run that got through was in the previous period (the worst case for a daily job
 * that worked until yesterday), it lasts secretRotationDays + secretOverlapDays past the last
 * boundary; if a run got through this period already, a full period longer.
 */
export function worstCaseLines(settings: RotationSettings, now: Date): string[] {
    const plan = planRotation(now, settings);
    const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);
    const daysFromNow = (d: string) => Math.floor((Date.parse(d) - now.getTime()) / DAY_MS);
    const { rotationDays: r, overlapDays: o } = settings;
    return [
        `**How long the secret dbt Cloud holds lasts, at worst:** until ${day(plan.previous.endDate)} ` +
            `(${daysFromNow(plan.previous.endDate)} days from now): secretRotationDays + secretOverlapDays (${r} + ${o} = ${r + o} days) ` +
            `after the last period boundary, ${day(plan.current.periodStart)}, provided a run got through in the period before it (from ${day(plan.previous.periodStart)}). ` +
            `If a run got through since ${day(plan.current.periodStart)}, it lasts until ${day(plan.current.endDate)}. ` +
            `Each period in which no run gets through brings the worst case ${r} days closer. ` +
            "From a trusted machine, `pulumi stack output clientSecretExpiresAt` gives the exact date.",
    ];
}

function mark(record: StepRecord | undefined): string {
    if (!record) return "– not run";
    return record.outcome === "succeeded" ? "✓" : record.outcome === "refused" ? "✗ refused" : "✗ failed";
}

export interface SummaryInput {
    stack: string;
    mode: Mode;
    records: Partial<Record<StepName, StepRecord>>;
    /** The policy preview's (or the drift preview's) output, when kept. */
    previewOutput?: string;
    projectDir: string;
    now: Date;
}

export function renderSummary({ stack, mode, records, previewOutput, projectDir, now }: SummaryInput): string {
    const steps = STEPS_OF_MODE[mode].filter((s) => s !== "summary");
    const failed = steps.filter((s) => records[s] && records[s]!.outcome !== "succeeded");
    const notRun = steps.filter((s) => !records[s]);
    const overall = failed.length > 0 ? "failed" : notRun.length > 0 ? "incomplete" : "succeeded";
    const icon = overall === "succeeded" ? "✓" : "✗";
    const out: string[] = [];
    if (mode === "preview") {
        out.push(commentMarker(stack));
    }
    out.push(`### ${icon} \`${stack}\`: ${MODE_TITLES[mode]} ${overall}`, "");
    out.push("| Step | Result |", "|---|---|");
    for (const step of steps) {
        const record = records[step];
        out.push(`| ${STEP_TITLES[step]} | ${mark(record)}${record?.lines[0] ? ` ${escapeCell(record.lines[0])}` : ""} |`);
    }
    out.push("");
    for (const step of steps) {
        for (const line of records[step]?.lines.slice(1) ?? []) {
            out.push(`- ${line}`);
        }
    }
    const install = records.install;
    if (mode !== "preview" && install?.outcome !== "succeeded") {
        const skipped = steps.filter((s) => s !== "install" && !records[s]).map((s) => STEP_TITLES[s]);
        out.push(
            "",
            `**This job could not ${install ? "install" : "verify"} the pinned Pulumi CLI**, so it ran no pulumi command with its credentials` +
                (skipped.length > 0 ? ` (not run: ${skipped.join(", ")})` : "") +
                `: nothing was changed${mode === "rotate" || mode === "deploy" ? " and the client secret was not rotated" : ""}.`,
        );
        const settings = rotationSettingsOf(projectDir, stack);
        out.push(...(typeof settings === "string" ? [`How long dbt Cloud's secret lasts could not be worked out: ${settings}.`] : worstCaseLines(settings, now)));
    }
    if (previewOutput !== undefined && previewOutput.trim() !== "") {
        const shown = previewOutput.length > OUTPUT_LIMIT ? `${previewOutput.slice(0, OUTPUT_LIMIT)}\n... (cut here; the full output is in the run's log)` : previewOutput;
        out.push("", `<details${mode === "preview" ? " open" : ""}><summary>${mode === "drift" ? "pulumi preview --refresh" : "pulumi preview"} output</summary>`, "", "```", shown.replace(/```/g, "'''").trimEnd(), "```", "</details>");
    }
    return `${out.join("\n")}\n`;
}

function escapeCell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
