import { evaluatePolicies, PlannedResource, PolicyPackConfig, PolicyVerdict } from "../../policy/evaluate";
import { AT } from "./programResources";

/** The verdict of one policy over `resources`, evaluated at the fixed test instant. */
export function verdictOf(policy: string, resources: PlannedResource[], config: PolicyPackConfig = {}, now: Date = AT): PolicyVerdict {
    const verdict = evaluatePolicies(resources, now, config).find((v) => v.policy === policy);
    if (!verdict) {
        throw new Error(`no policy named ${policy}`);
    }
    return verdict;
}
