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
}

/** What a rule may read besides the resource: the evaluation instant and its policy config. */
export interface RuleContext<TConfig> {
    now: Date;
    config: TConfig;
}

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

/** One policy: metadata for the pack plus a pure check returning violation messages. */
export interface Rule<TConfig extends object = object> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** The Pulumi type token the rule applies to; other resources are not applicable. */
    resourceType: string;
    /** JSON schema of the rule's policy config (passed with `--policy-pack-config`). */
    configSchema?: { properties: Record<string, Record<string, unknown>> };
    /** Config used when none is given; must match what `configSchema` defaults say. */
    defaultConfig: TConfig;
    check(resource: PolicyResource, context: RuleContext<TConfig>): string[];
}
