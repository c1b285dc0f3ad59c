import { RULES } from "./rules";
import { appliesTo, EnforcementLevel, PolicyResource, Rule } from "./types";
import OWN_CONFIG from "./config.json";

/** A resource as the program's test harness and offline plan record it. */
export interface PlannedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    options: { protect?: boolean };
    /** The parent's name and its component ancestors' types, outermost first (absent: none). */
    parent?: string;
    parentTypes?: string[];
}

export interface PolicyVerdict {
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** One message per violation, prefixed with the offending resource's name. */
    violations: string[];
}

/**
 * Policy config, shaped like the JSON file given to `--policy-pack-config`:
 * `{ "<policy name>": { "<key>": value, "enforcementLevel"?: "advisory" } }`.
 */
export type PolicyPackConfig = Record<string, Record<string, unknown>>;

/**
 * The pack's own config, policy/config.json: what every run of the pack starts from. The pack hands
 * it to the engine as its initial config (policy/index.ts), so `pulumi preview --policy-pack policy`
 * judges as CI's `--policy-pack-config policy/config.json` does, and a config file given on top
 * overrides it key by key.
 */
export const PACK_OWN_CONFIG: PolicyPackConfig = OWN_CONFIG as PolicyPackConfig;

/**
 * Runs every rule over planned resources without the Pulumi engine, so the offline plan can
 * print the same verdicts `pulumi preview --policy-pack policy` would give. The config is layered
 * as the engine layers it (pulumi pkg resource/analyzer/config.go, ReconcilePolicyPackConfig): each
 * rule's defaults, then the pack's own config, then `packConfig`, key by key.
 */
export function evaluatePolicies(resources: PlannedResource[], now: Date, packConfig: PolicyPackConfig = {}, options: { stack?: string } = {}): PolicyVerdict[] {
    return RULES.map((rule) => {
        const { enforcementLevel, config } = resolveRuleConfig(rule, { ...PACK_OWN_CONFIG[rule.name], ...packConfig[rule.name] });
        const violations: string[] = [];
        if (enforcementLevel !== "disabled") {
            const toResource = (r: PlannedResource) => toPolicyResource(r, options.stack);
            // The whole stack, for rules that read what other resources declare (scope "stack").
            const stack = rule.scope === "stack" ? resources.map(toResource) : undefined;
            for (const resource of resources.filter((r) => appliesTo(rule, r.type))) {
                for (const message of rule.check(toResource(resource), { now, config, stack })) {
                    violations.push(`${resource.name}: ${message}`);
                }
            }
        }
        return { policy: rule.name, enforcementLevel, violations };
    });
}

/** The rule's defaults overlaid with what the user configured; shared with the policy pack. */
export function resolveRuleConfig<T extends object>(rule: Rule<T>, given: Record<string, unknown> | undefined): { enforcementLevel: EnforcementLevel; config: T } {
    const { enforcementLevel, ...rest } = given ?? {};
    return {
        enforcementLevel: isEnforcementLevel(enforcementLevel) ? enforcementLevel : rule.enforcementLevel,
        config: { ...rule.defaultConfig, ...rest } as T,
    };
}

function toPolicyResource(resource: PlannedResource, stack: string | undefined): PolicyResource {
    return {
        type: resource.type,
        name: resource.name,
        props: resource.inputs,
        opts: { protect: resource.options.protect },
        parentTypes: resource.parentTypes ?? [],
        ...(resource.parent !== undefined ? { parentName: resource.parent } : {}),
        ...(stack !== undefined ? { stack } : {}),
    };
}

function isEnforcementLevel(value: unknown): value is EnforcementLevel {
    return value === "advisory" || value === "mandatory" || value === "disabled";
}
