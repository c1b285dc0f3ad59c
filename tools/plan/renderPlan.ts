import { PolicyVerdict } from "../../policy/evaluate";
import { Evaluation, FormerIdentity } from "./evaluateProgram";
import { RotationTable, rotationTableText } from "./rotationTable";
import { wellKnownGuidsIn } from "./wellKnownLabels";

/** What the offline plan prints: data that a reviewer, a test or `jq` can read. */
export interface PlanDocument {
    stack: string;
    /** How the stack was chosen when no --stack was given: "pulumi stack select" or "PULUMI_STACK". */
    stackChosenBy?: string;
    at: string;
    config: Record<string, unknown>;
    resources: { type: string; name: string; parent?: string; inputs: Record<string, unknown>; options?: Record<string, unknown> }[];
    outputs: Record<string, unknown>;
    /** The client-secret slots: which one dbt Cloud holds, the previous one, what the next rotation does. */
    rotation?: RotationTable;
    /** The policy pack's verdict on these resources, as `pulumi preview --policy-pack policy` would give it. */
    policies: PolicyVerdict[];
    /** What the plan could not take into account (ESC environments); absent when nothing. */
    notes?: string[];
}

export interface PlanContext {
    stack: string;
    stackChosenBy?: string;
    at: Date;
    config: Record<string, unknown>;
    rotation?: RotationTable;
    notes?: string[];
}

export function planDocument(context: PlanContext, evaluation: Evaluation, policies: PolicyVerdict[]): PlanDocument {
    const notes = context.notes ?? [];
    return {
        stack: context.stack,
        ...(context.stackChosenBy ? { stackChosenBy: context.stackChosenBy } : {}),
        at: context.at.toISOString(),
        config: context.config,
        resources: evaluation.resources.map((r) => ({
            type: r.type,
            name: r.name,
            ...(r.parent ? { parent: r.parent } : {}),
            inputs: r.inputs,
            ...(Object.keys(r.options).length > 0 ? { options: { ...r.options } } : {}),
        })),
        outputs: evaluation.outputs,
        ...(context.rotation ? { rotation: context.rotation } : {}),
        policies,
        ...(notes.length > 0 ? { notes } : {}),
    };
}

export function renderJson(plan: PlanDocument): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}

export interface TextOptions {
    /**
     * Show each resource's aliases (where it was before one of the project's own refactors).
     * Off by default: on a new stack they are noise, and the JSON always carries them.
     */
    aliases?: boolean;
}

export function renderText(plan: PlanDocument, options: TextOptions = {}): string {
    const lines = [
        `Offline plan of stack "${plan.stack}"${plan.stackChosenBy ? ` (chosen by ${plan.stackChosenBy})` : ""} at ${plan.at}`,
        `(mock runtime, run as a preview: no credentials, no network; <... of ...> marks values only the cloud knows)`,
        ...(plan.notes ?? []).map((note) => `Note: ${note}`),
        ...(plan.rotation ? ["", ...rotationTableText(plan.rotation)] : []),
        "",
        "Config:",
        ...Object.entries(plan.config).map(([k, v]) => `  ${k}: ${inline(v)}`),
        "",
        `Resources (${plan.resources.length}):`,
    ];
    for (const resource of plan.resources) {
        const shownOptions = Object.keys(resource.options ?? {}).filter((o) => options.aliases || o !== "aliases");
        const details = [resource.parent ? `parent ${resource.parent}` : "", ...shownOptions.map((o) => optionText(o, resource.options![o]))]
            .filter((d) => d.length > 0)
            .join(", ");
        lines.push(`  + ${resource.name}  [${resource.type}]${details ? `  (${details})` : ""}`);
        for (const [key, value] of Object.entries(resource.inputs)) {
            lines.push(`      ${key}: ${inline(value)}`, ...wellKnownGuidsIn(inline(value)).map((label) => `        # ${label}`));
        }
    }
    lines.push("", "Outputs:", ...Object.entries(plan.outputs).map(([k, v]) => `  ${k}: ${inline(v)}`));
    lines.push("", "Policies:");
    for (const verdict of plan.policies) {
        const outcome = verdict.violations.length === 0 ? "pass" : "FAIL";
        lines.push(`  ${outcome}  ${verdict.policy} (${verdict.enforcementLevel})`, ...verdict.violations.map((v) => `        ${v}`));
    }
    return `${lines.join("\n")}\n`;
}

/** The plan's last line, and what the exit status is decided on. */
export function planSummary(plan: PlanDocument): { line: string; mandatoryViolations: number } {
    const violations = plan.policies.reduce((n, v) => n + v.violations.length, 0);
    const mandatoryViolations = plan.policies.filter((v) => v.enforcementLevel === "mandatory").reduce((n, v) => n + v.violations.length, 0);
    const line = `plan: ${plan.resources.length} resources, ${violations} policy violation${violations === 1 ? "" : "s"} (${mandatoryViolations} mandatory)`;
    return { line, mandatoryViolations };
}

function optionText(option: string, value: unknown): string {
    if (option === "aliases") {
        // Where the resource was before: its URN there is carried over, not replaced.
        return (value as FormerIdentity[]).map((former) => `alias ${former.name} ${former.parent ? `under ${former.parent}` : "at the root"}`).join(", ");
    }
    return value === true ? option : `${option}: ${inline(value)}`;
}

function inline(value: unknown): string {
    return value === "[secret]" ? "[secret]" : JSON.stringify(value);
}
