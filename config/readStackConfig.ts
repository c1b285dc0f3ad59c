import * as pulumi from "@pulumi/pulumi";
import { ParseResult } from "../domain/parseResult";
import { closestName } from "./closestName";
import { ConfigError } from "./configError";
import { CROSS_KEY_RULES, REQUIRED_VALUE_HINTS, STACK_CONFIG_PARSERS, StackConfig, StackConfigKey } from "./stackConfigSchema";

/**
 * Reads and validates the stack's configuration as a whole, at the run's instant `at`. Every
 * problem is collected, so a user fixes them in one pass; nothing is declared until the whole
 * config is valid.
 */
export function readStackConfig(at: Date = new Date()): StackConfig {
    return parseStackConfig(pulumi.getProject(), pulumi.getStack(), projectConfig(pulumi.getProject()), at);
}

/**
 * The config of `stack` from the project's keys without their namespace, as the CLI passes them:
 * Pulumi.yaml's defaults already applied, so an absent key is one Pulumi.yaml gives no default.
 * `at` is the run's instant, for the rules that depend on it (getdbt.com hosts).
 */
export function parseStackConfig(project: string, stack: string, raw: Record<string, string>, at: Date = new Date()): StackConfig {
    const problems: string[] = [];
    const values: Partial<Record<StackConfigKey, unknown>> = {};
    const keys = Object.keys(STACK_CONFIG_PARSERS) as StackConfigKey[];

    for (const name of keys) {
        const value = raw[name];
        if (value === undefined) {
            problems.push(`${project}:${name} is required (Pulumi.yaml declares it without a default). Run: pulumi config set ${name} ${REQUIRED_VALUE_HINTS[name] ?? "<value>"}`);
            continue;
        }
        const parse: (raw: string) => ParseResult<unknown> = STACK_CONFIG_PARSERS[name];
        const result = parse(value);
        if (result.ok) {
            values[name] = result.value;
        } else {
            problems.push(`${project}:${name} ${result.problem}`);
        }
    }

    for (const name of Object.keys(raw).filter((k) => !(keys as string[]).includes(k))) {
        const suggestion = closestName(name, keys);
        problems.push(
            `${project}:${name} is not a setting of this program` +
                (suggestion ? ` (did you mean ${suggestion}?)` : "") +
                `. Remove it with: pulumi config rm ${name}`,
        );
    }

    for (const rule of CROSS_KEY_RULES) {
        const found = rule(values as Partial<StackConfig>, { at });
        if (found) {
            problems.push(`${project}:${found.key} ${found.problem}`);
        }
    }

    if (problems.length > 0) {
        throw new ConfigError(stack, problems);
    }
    return values as StackConfig;
}

/** The project's keys without their namespace, as the CLI passes them (defaults applied). */
function projectConfig(project: string): Record<string, string> {
    const prefix = `${project}:`;
    const result: Record<string, string> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(prefix)) {
            result[fullKey.slice(prefix.length)] = value;
        }
    }
    return result;
}
