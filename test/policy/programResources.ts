/**
 * The resources the policy tests run on: what the real program declares for the `dev` stack,
 * evaluated under the lead's mocks (test/harness/runProgram.ts). Failing cases are this output
 * mutated, so every rule is shown to pass on the program and to bite on a plausible mistake.
 */
import { PlannedResource } from "../../policy/evaluate";
import { runProgram } from "../harness/runProgram";

/** A fixed evaluation instant: the rules take `now` as an argument, so nothing here reads the clock. */
export const AT = new Date("2026-11-27T09:00:00Z");

// The mock runtime is process-global: evaluate once per instant and hand out copies.
const evaluations = new Map<number, Promise<PlannedResource[]>>();

export async function programResources(at: Date = AT): Promise<PlannedResource[]> {
    let evaluation = evaluations.get(at.getTime());
    if (!evaluation) {
        evaluation = runProgram({ stack: "dev", at }).then((result) => result.resources);
        evaluations.set(at.getTime(), evaluation);
    }
    return structuredClone(await evaluation);
}

/** A deep copy of the resources with `change` applied to every resource of `type`. */
export function mutated(resources: PlannedResource[], type: string, change: (resource: PlannedResource) => void): PlannedResource[] {
    const copy = structuredClone(resources);
    const targets = copy.filter((r) => r.type === type);
    if (targets.length === 0) {
        throw new Error(`the program declares no ${type}: the mutation would test nothing`);
    }
    targets.forEach(change);
    return copy;
}

/** A resource beside the program's, as someone might declare it in index.ts or a component. */
export function added(type: string, name: string, inputs: Record<string, unknown>, parent?: string, parentTypes: string[] = [], options: PlannedResource["options"] = {}): PlannedResource {
    return { type, name, inputs, options, ...(parent ? { parent } : {}), parentTypes };
}

