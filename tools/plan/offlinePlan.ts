import { ConfigError } from "../../config/configError";
import { echoValue } from "../../config/echo";
import { STACK_CONFIG_PARSERS } from "../../config/stackConfigSchema";
import * as fs from "fs";
import * as path from "path";
import { evaluatePolicies, PolicyPackConfig } from "../../policy/evaluate";
import { Evaluation, evaluateProgram } from "./evaluateProgram";
import { planDocument, PlanDocument } from "./renderPlan";
import { rotationTable } from "./rotationTable";
import { ConfigDeclaration, readStackFiles, SECRET_PLACEHOLDER, StackFileConfig, StackFileError } from "./stackFiles";

export interface OfflinePlan {
    /** What is printed. */
    document: PlanDocument;
    /** The evaluation behind it, secret values included: for tests, never printed. */
    evaluation: Evaluation;
}

/**
 * Plans one stack of the project at `root` offline: its files, the real program, the mocks.
 * `serializeProviders: false` skips serializing the dynamic providers' code, which the plan never
 * shows; Pulumi caches that result per provider for the life of the process, so only a process
 * that plans once and exits (the CLI) may skip it.
 */
export async function offlinePlan(root: string, stack: string, at: Date, serializeProviders = true, stackChosenBy?: string): Promise<OfflinePlan> {
    const files = readStackFiles(root, stack);
    const notes = environmentNotes(stack, files);
    let evaluation: Evaluation;
    try {
        evaluation = await evaluateProgram({
            project: files.project,
            stack,
            config: files.values,
            secretKeys: files.secretKeys,
            at,
            idStyle: "placeholder",
            serializeProviders,
        });
    } catch (error) {
        if (error instanceof ConfigError && notes.length > 0) {
            error.message = [error.message, ...notes.map((note) => `Note: ${note}`)].join("\n");
        }
        throw error;
    }
    const policies = evaluatePolicies(evaluation.resources, at, readPolicyPackConfig(root), { stack });
    const config = shownConfig(files.project, files.declarations, files.values, files.secretKeys);
    const rotation = rotationTable(at, { rotationDays: evaluation.config.secretRotationDays, overlapDays: evaluation.config.secretOverlapDays }, evaluation.outputs);
    return { document: planDocument({ stack, stackChosenBy, at, config, rotation, notes }, evaluation, policies), evaluation };
}

/** The stack's ESC environments are not opened offline: say so, as their config is missing. */
function environmentNotes(stack: string, files: StackFileConfig): string[] {
    if (files.environments.length === 0) {
        return [];
    }
    return [
        `Pulumi.${stack}.yaml imports the Pulumi ESC environment(s) ${files.environments.join(", ")}; ` +
            "the offline plan does not open them, so any config they provide is missing here (pulumi preview resolves them).",
    ];
}

/** The project's settings as the program read them, in the parsers' order; secure ones masked. */
function shownConfig(project: string, declarations: Record<string, ConfigDeclaration>, values: Record<string, string>, secretKeys: string[]): Record<string, unknown> {
    const shown: Record<string, unknown> = {};
    for (const key of Object.keys(STACK_CONFIG_PARSERS)) {
        const fullKey = `${project}:${key}`;
        if (fullKey in values) {
            shown[key] = secretKeys.includes(fullKey) ? SECRET_PLACEHOLDER : typed(declarations[key]?.type ?? "string", values[fullKey]);
        }
    }
    return shown;
}

/** Config values arrive as strings; show them as the type Pulumi.yaml declares when they parse. */
function typed(type: string, value: string): unknown {
    if (type === "string") return echoValue(value);
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/**
 * The policy pack's config, as both CI systems pass it (`--policy-pack-config policy/config.json`),
 * so the plan judges a stack as the pipelines' previews do. None (no file) means the rules' defaults.
 */
export const POLICY_PACK_CONFIG = path.join("policy", "config.json");

function readPolicyPackConfig(root: string): PolicyPackConfig {
    const file = path.join(root, POLICY_PACK_CONFIG);
    if (!fs.existsSync(file)) {
        return {};
    }
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig;
    } catch (error) {
        throw new StackFileError(`${POLICY_PACK_CONFIG} is not valid JSON (${(error as Error).message}); fix it, as pulumi preview --policy-pack-config would refuse it too.`);
    }
}
