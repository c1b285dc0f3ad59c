/**
 * The shape every rule works on: what a Pulumi policy sees of one resource (`args.type`,
 * `args.props`, `args.opts`), reduced to plain data so the same rule runs inside the policy
 * pack, in the offline plan, and in unit tests.
 */
export interface PolicyResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    opts: { protect?: boolean };
    /** Types of the component ancestors, outermost first (as in the URN; the root stack is not one). */
    parentTypes: string[];
    /** The parent's name, when the resource has a component parent. */
    parentName?: string;
    /** The stack's name, from the URN (`urn:pulumi:<stack>::...`); the offline plan passes the stack it plans. */
    stack?: string;
}

/**
 * What a rule may read besides the resource: the evaluation instant, its policy config and, for
 * a rule of `scope: "stack"`, every resource of the stack (the offline plan passes the planned
 * inputs, the policy pack the engine's final view of each resource).
 */
export interface RuleContext<TConfig> {
    now: Date;
    config: TConfig;
    stack?: readonly PolicyResource[];
}

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

/** One policy: metadata for the pack plus a pure check returning violation messages. */
export interface Rule<TConfig extends object = object> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /**
     * `stack` when the check reads other resources (`context.stack`): the pack then runs it as a
     * stack policy, since a resource policy sees one resource only. Default `resource`.
     */
    scope?: "resource" | "stack";
    /** The Pulumi type token(s) the rule applies to, or "*" for every type; other resources are not applicable. */
    resourceType: string | readonly string[];
    /** JSON schema of the rule's policy config (passed with `--policy-pack-config`). */
    configSchema?: { properties: Record<string, Record<string, unknown>> };
    /** Config used when none is given; must match what `configSchema` defaults say. */
    defaultConfig: TConfig;
    check(resource: PolicyResource, context: RuleContext<TConfig>): string[];
}

/** Whether `rule` applies to resources of `type`. */
export function appliesTo(rule: Rule<object>, type: string): boolean {
    return typeof rule.resourceType === "string" ? rule.resourceType === "*" || rule.resourceType === type : rule.resourceType.includes(type);
}
