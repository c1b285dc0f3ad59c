import * as pulumi from "@pulumi/pulumi";
import { ParseResult } from "../domain/parseResult";
import { closestName } from "./closestName";
import { ConfigError } from "./configError";
import { secretConfigKeys, secretKeysAffecting, withoutSecretValue, withoutSecretValues } from "./secretEcho";
import { CROSS_KEY_RULES, STACK_CONFIG_PARSERS, StackConfig, StackConfigKey } from "./stackConfigSchema";

/**
 * Reads and validates the stack's configuration as a whole. Every problem is collected, so a
 * user fixes them in one pass; nothing is declared until the whole config is valid.
 */
export function readStackConfig(): StackConfig {
    const raw = projectConfig(pulumi.getProject());
    return parseStackConfig(pulumi.getProject(), pulumi.getStack(), raw, secretConfigKeys(pulumi.getProject(), Object.keys(raw)));
}

/**
 * The config of `stack` from the project's keys without their namespace, as the CLI passes them:
 * Pulumi.yaml's defaults already applied, so an absent key is one Pulumi.yaml gives no default.
 * The values of `secretKeys` are never echoed (config/secretEcho.ts).
 */
export function parseStackConfig(project: string, stack: string, raw: Record<string, string>, secretKeys: ReadonlySet<string> = new Set()): StackConfig {
    const problems: string[] = [];
    const values: Partial<Record<StackConfigKey, unknown>> = {};
    const keys = Object.keys(STACK_CONFIG_PARSERS) as StackConfigKey[];

    for (const name of keys) {
        const value = raw[name];
        if (value === undefined) {
            problems.push(`${project}:${name} is required (Pulumi.yaml declares it without a default). Run: pulumi config set ${name} <value>`);
            continue;
        }
        const parse: (raw: string) => ParseResult<unknown> = STACK_CONFIG_PARSERS[name];
        const result = parse(value);
        if (result.ok) {
            values[name] = result.value;
        } else {
            problems.push(`${project}:${name} ${secretKeys.has(name) ? withoutSecretValue(result.problem, value) : result.problem}`);
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
        const found = rule(values as Partial<StackConfig>);
        if (found) {
            const secrets = secretKeysAffecting(rule, values as Partial<StackConfig>, secretKeys).map((key) => raw[key]);
            problems.push(`${project}:${found.key} ${secrets.length > 0 ? withoutSecretValues(found.problem, secrets) : found.problem}`);
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
