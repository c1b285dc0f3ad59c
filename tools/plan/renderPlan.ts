import { PolicyVerdict } from "../../policy/evaluate";
import { Evaluation, FormerIdentity } from "./evaluateProgram";

/** What the offline plan prints: data that a reviewer, a test or `jq` can read. */
export interface PlanDocument {
    stack: string;
    at: string;
    config: Record<string, unknown>;
    resources: { type: string; name: string; parent?: string; inputs: Record<string, unknown>; options?: Record<string, unknown> }[];
    outputs: Record<string, unknown>;
    /** The policy pack's verdict on these resources, as `pulumi preview --policy-pack policy` would give it. */
    policies: PolicyVerdict[];
    /** What the plan could not take into account (ESC environments); absent when nothing. */
    notes?: string[];
}

export function planDocument(
    stack: string,
    at: Date,
    config: Record<string, unknown>,
    evaluation: Evaluation,
    policies: PolicyVerdict[],
    notes: string[] = [],
): PlanDocument {
    return {
        stack,
        at: at.toISOString(),
        config,
        resources: evaluation.resources.map((r) => ({
            type: r.type,
            name: r.name,
            ...(r.parent ? { parent: r.parent } : {}),
            inputs: r.inputs,
            ...(Object.keys(r.options).length > 0 ? { options: { ...r.options } } : {}),
        })),
        outputs: evaluation.outputs,
        policies,
        ...(notes.length > 0 ? { notes } : {}),
    };
}

export function renderJson(plan: PlanDocument): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}

export function renderText(plan: PlanDocument): string {
    const lines = [
        `Offline plan of stack "${plan.stack}" at ${plan.at}`,
        `(mock runtime: no credentials, no network; <... of ...> marks values only the cloud knows)`,
        ...[rotationLine(plan.outputs)].filter((line): line is string => line !== undefined),
        ...(plan.notes ?? []).map((note) => `Note: ${note}`),
        "",
        "Config:",
        ...Object.entries(plan.config).map(([k, v]) => `  ${k}: ${inline(v)}`),
        "",
        `Resources (${plan.resources.length}):`,
    ];
    for (const resource of plan.resources) {
        const details = [resource.parent ? `parent ${resource.parent}` : "", ...Object.keys(resource.options ?? {}).map((o) => optionText(o, resource.options![o]))]
            .filter((d) => d.length > 0)
            .join(", ");
        lines.push(`  + ${resource.name}  [${resource.type}]${details ? `  (${details})` : ""}`);
        for (const [key, value] of Object.entries(resource.inputs)) {
            lines.push(`      ${key}: ${inline(value)}`);
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

/** Which slot dbt Cloud holds and when the next rotation comes, from the rotation outputs. */
export function rotationLine(outputs: Record<string, unknown>): string | undefined {
    const { clientSecretSlot: slot, clientSecretExpiresAt: expires, nextRotationAt: next, previousSecretExpiresAt: previous } = outputs;
    if (typeof slot !== "string" || typeof next !== "string") {
        return undefined;
    }
    const other = slot === "a" ? "b" : "a";
    // Only a stack that writes dbt Cloud's record (dbtCloudAccountId set) exports dbt's redirect
    // domain; elsewhere the secret reaches dbt Cloud by hand.
    const holder = "dbtOauthRedirectDomain" in outputs ? "dbt Cloud holds" : "dbt Cloud should hold (copied by hand)";
    // The previous secret lives in the rotation's state only: a plan of a fresh stack has none.
    const previousText = typeof previous === "string" && previous !== ""
        ? `whose previous secret stays valid until ${previous}`
        : "which holds no secret yet on a fresh stack (for a deployed one: pulumi stack output previousSecretExpiresAt)";
    return `Rotation: ${holder} the secret in slot ${slot} (expires ${String(expires)}); next rotation ${next}, into slot ${other}, ${previousText}`;
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
