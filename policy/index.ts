/**
 * Policy pack entry point, loaded by `pulumi preview|up --policy-pack policy`. The rules live
 * in ./rules as plain functions; this file only adapts them to @pulumi/policy: a rule of
 * `scope: "resource"` becomes a resource policy, one of `scope: "stack"` (it reads other
 * resources, e.g. the app component's declared hosts) a stack policy, which the engine runs
 * once over every resource's final state (outputs; for a component, what it registered).
 */
import { PolicyPack, PolicyResource as EnginePolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PACK_OWN_CONFIG, resolveRuleConfig } from "./evaluate";
import { RULES } from "./rules";
import { ancestryFromUrns, stackOfUrn } from "./rules/noUndeclaredAppGrants";
import { appliesTo, PolicyResource, Rule } from "./types";

/** What the engine shows of a policy, whichever kind. */
function metadata(rule: Rule<object>) {
    return { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel, configSchema: rule.configSchema };
}

function toResourcePolicy(rule: Rule<object>): ResourceValidationPolicy {
    return {
        ...metadata(rule),
        validateResource: (args, reportViolation) => {
            if (!appliesTo(rule, args.type)) {
                args.notApplicable(`applies to ${[rule.resourceType].flat().join(", ")} only`);
            }
            // The engine already applied the pack config's enforcement level; only the rule's
            // own keys matter here, overlaid on its defaults.
            const { config } = resolveRuleConfig(rule, args.getConfig<Record<string, unknown>>());
            const resource = {
                type: args.type,
                name: args.name,
                props: args.props,
                opts: { protect: args.opts.protect },
                ...ancestryFromUrns(args.urn, args.opts.parent),
                stack: stackOfUrn(args.urn),
            };
            for (const message of rule.check(resource, { now: new Date(), config })) {
                reportViolation(message);
            }
        },
    };
}

function toStackPolicy(rule: Rule<object>): StackValidationPolicy {
    return {
        ...metadata(rule),
        validateStack: (args, reportViolation) => {
            const { config } = resolveRuleConfig(rule, args.getConfig<Record<string, unknown>>());
            // `props` stays the analyzer's unknown-checking proxy (never spread): a rule that reads
            // a value unknown at preview gets the pack's "can't run during preview" advisory.
            const entries = args.resources.map((r: EnginePolicyResource) => ({
                urn: r.urn,
                resource: {
                    type: r.type, name: r.name, props: r.props, opts: { protect: r.opts.protect }, ...ancestryFromUrns(r.urn, r.opts.parent), stack: stackOfUrn(r.urn),
                } as PolicyResource,
            }));
            const stack = entries.map((e) => e.resource);
            for (const { urn, resource } of entries.filter((e) => appliesTo(rule, e.resource.type))) {
                for (const message of rule.check(resource, { now: new Date(), config, stack })) {
                    reportViolation(message, urn);
                }
            }
        },
    };
}

/**
 * The pack's own config (policy/config.json) as its initial config: the engine layers a
 * --policy-pack-config file on top of it, key by key (pulumi pkg resource/analyzer/config.go,
 * ReconcilePolicyPackConfig). Each entry carries its rule's own enforcement level: one without
 * any reaches the engine as level 0, advisory (protoutil.js makeAnalyzerInfo), which would
 * silently turn that rule's violations into warnings.
 */
const initialConfig = Object.fromEntries(Object.entries(PACK_OWN_CONFIG).map(([name, config]) =>
    [name, { enforcementLevel: RULES.find((rule) => rule.name === name)?.enforcementLevel ?? "mandatory", ...config }]));

new PolicyPack("dbt-azure-devops", { policies: RULES.map((rule) => (rule.scope === "stack" ? toStackPolicy(rule) : toResourcePolicy(rule))) }, initialConfig);
