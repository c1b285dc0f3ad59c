/**
 * Policy pack entry point, loaded by `pulumi preview|up --policy-pack policy`. The rules live
 * in ./rules as plain functions; this file only adapts them to @pulumi/policy.
 */
import { PolicyPack, ResourceValidationPolicy } from "@pulumi/policy";
import { resolveRuleConfig } from "./evaluate";
import { RULES } from "./rules";
import { ancestryFromUrns } from "./rules/noUndeclaredAppGrants";
import { appliesTo, Rule } from "./types";

function toResourcePolicy(rule: Rule<object>): ResourceValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: rule.configSchema,
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
            };
            for (const message of rule.check(resource, { now: new Date(), config })) {
                reportViolation(message);
            }
        },
    };
}

new PolicyPack("dbt-azure-devops", { policies: RULES.map(toResourcePolicy) });
