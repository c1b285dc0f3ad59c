import * as path from "path";
import { Evaluation, evaluateProgram } from "../../tools/plan/evaluateProgram";
import { ProgramMockOptions } from "../../tools/plan/programMocks";
import { readProjectFile, readStackFiles } from "../../tools/plan/stackFiles";
import { projectRoot } from "../../tools/projectRoot";
import { TYPES } from "../engine/fakeAzuread/schema";

export const PROJECT = "dbt-azure-devops";
export const REPO_ROOT = projectRoot(path.resolve(__dirname));

export interface RunProgramOptions {
    /** Start from this stack's stacks/Pulumi.<stack>.yaml (default: Pulumi.yaml defaults only). */
    stack?: string;
    /** Project keys without namespace; `null` removes a key. */
    config?: Record<string, string | null>;
    at?: Date;
    mocks?: Omit<ProgramMockOptions, "idStyle" | "at">;
}

/** A minimal valid stack: Pulumi.yaml defaults plus the required keys. */
export const BASE_CONFIG = { adoOrganization: "contoso-data", dbtCloudHost: "ab123.us1.dbt.com" };

/**
 * Evaluates the real program under mocks that return realistic ids (`/applications/<guid>`), so a
 * wrong wire between resources shows up as a wrong GUID.
 */
export async function runProgram(options: RunProgramOptions = {}): Promise<Evaluation> {
    const values = options.stack
        ? readStackFiles(REPO_ROOT, options.stack).values
        : { ...projectDefaults(), ...qualify(BASE_CONFIG) };
    for (const [key, value] of Object.entries(options.config ?? {})) {
        if (value === null) {
            delete values[`${PROJECT}:${key}`];
        } else {
            values[`${PROJECT}:${key}`] = value;
        }
    }
    return evaluateProgram({
        project: PROJECT,
        stack: options.stack ?? "test",
        config: values,
        at: options.at ?? new Date("2026-11-27T09:00:00Z"),
        idStyle: "guid",
        serializeProviders: true,
        mocks: options.mocks,
    });
}

let defaults: Record<string, string> | undefined;
/** Pulumi.yaml's defaults, read once: simulations evaluate the program thousands of times. */
function projectDefaults(): Record<string, string> {
    defaults ??= readProjectFile(REPO_ROOT).defaults;
    return defaults;
}

function qualify(config: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v]));
}

/** The single resource of a type (and optional name suffix); fails when there is not exactly one. */
export function only(evaluation: Evaluation, type: string, nameSuffix = ""): Evaluation["resources"][number] {
    const matches = evaluation.resources.filter((r) => r.type === type && r.name.endsWith(nameSuffix));
    if (matches.length !== 1) {
        throw new Error(`Expected one ${type} ending in "${nameSuffix}", found ${matches.map((m) => m.name).join(", ") || "none"}`);
    }
    return matches[0];
}

/** The azuread type tokens, as the fake azuread plugin of the engine tests knows them (one list). */
export { TYPES };
