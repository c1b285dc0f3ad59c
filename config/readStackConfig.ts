import * as pulumi from "@pulumi/pulumi";
import { ParseResult } from "../domain/parseResult";
import { closestName } from "./closestName";
import { ConfigError } from "./configError";
import { secretConfigKeys, secretKeysAffecting, withoutSecretValue, withoutSecretValues } from "./secretEcho";
import { CROSS_KEY_RULES, REQUIRED_VALUE_HINTS, STACK_CONFIG_PARSERS, StackConfig, StackConfigKey } from "./stackConfigSchema";

/**
 * Reads and validates the stack's configuration as a whole, at the run's instant `at`. Every
 * problem is collected, so a user fixes them in one pass; nothing is declared until the whole
 * config is valid.
 */
export function readStackConfig(at: Date = new Date()): StackConfig {
    const project = pulumi.getProject();
    const raw = projectConfig(project);
    return parseStackConfig(project, pulumi.getStack(), raw, { allKeys: Object.keys(pulumi.runtime.allConfig()), secretKeys: secretConfigKeys(project, Object.keys(raw)), at });
}

/**
 * Namespaces a stack's keys may have besides the project's: Pulumi's own and the providers the
 * program uses (`azuread:tenantId` pins the tenant).
 */
export const OTHER_KNOWN_NAMESPACES = ["pulumi", "azuread"] as const;

/**
 * The config of `stack` from the project's keys without their namespace, as the CLI passes them:
 * Pulumi.yaml's defaults already applied, so an absent key is one Pulumi.yaml gives no default.
 * `allKeys` are every key the CLI passed, namespaced (`azuread:tenantId`): a key under a misspelt
 * namespace (`dbt-azure-devop:adoOrganization`), which the program would otherwise never read, is
 * a problem too. The values of `secretKeys` are never echoed (config/secretEcho.ts). `at` is the
 * run's instant, for the rules that depend on it (getdbt.com hosts).
 */
export function parseStackConfig(
    project: string,
    stack: string,
    raw: Record<string, string>,
    { allKeys = [], secretKeys = new Set<string>(), at = new Date() }: { allKeys?: string[]; secretKeys?: ReadonlySet<string>; at?: Date } = {},
): StackConfig {
    const problems: string[] = [];
    const values: Partial<Record<StackConfigKey, unknown>> = {};
    const keys = Object.keys(STACK_CONFIG_PARSERS) as StackConfigKey[];

    for (const name of keys) {
        const value = raw[name];
        if (value === undefined) {
            problems.push(`${project}:${name} is required (Pulumi.yaml declares it without a default). Run: pulumi config set ${name} ${REQUIRED_VALUE_HINTS[name] ?? "<value>"}`);
            continue;
        }
        const parse: (raw: string, key: string) => ParseResult<unknown> = STACK_CONFIG_PARSERS[name];
        const result = parse(value, name);
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

    problems.push(...namespaceProblems(project, stack, allKeys, keys));

    for (const rule of CROSS_KEY_RULES) {
        const found = rule(values as Partial<StackConfig>, { at });
        if (found) {
            const secrets = secretKeysAffecting((judged: Partial<StackConfig>) => rule(judged, { at }), values as Partial<StackConfig>, secretKeys).map((key) => raw[key]);
            problems.push(`${project}:${found.key} ${secrets.length > 0 ? withoutSecretValues(found.problem, secrets) : found.problem}`);
        }
    }

    if (problems.length > 0) {
        throw new ConfigError(stack, problems);
    }
    return values as StackConfig;
}

/**
 * Keys the program never reads because their namespace is not one it knows, when they were surely
 * meant for it: the namespace is a near miss of the project's (or a provider's), or the key is one
 * of this program's settings. Other namespaces are left alone.
 */
function namespaceProblems(project: string, stack: string, allKeys: string[], settings: readonly string[]): string[] {
    const known = [project, ...OTHER_KNOWN_NAMESPACES];
    const problems: string[] = [];
    for (const fullKey of allKeys) {
        const colon = fullKey.indexOf(":");
        if (colon <= 0) {
            continue;
        }
        const namespace = fullKey.slice(0, colon);
        const name = fullKey.slice(colon + 1).replace(/^config:/, "");
        if (known.includes(namespace)) {
            continue;
        }
        // At most two edits: a long namespace of its own (dbt-azure-devops-prod) is not a typo of this one.
        const meant = closestName(namespace, known, 2) ?? (settings.includes(name) ? project : undefined);
        if (meant === undefined) {
            continue;
        }
        const rename = meant === project ? `${name} (no namespace needed)` : `${meant}:${name}`;
        problems.push(
            `${fullKey} is under namespace "${namespace}", which is not ${meant === project ? "this project's" : "a provider's"}, so it is never read ` +
                `(did you mean ${meant}:${name}?); rename the key to ${rename} in Pulumi.${stack}.yaml.`,
        );
    }
    return problems;
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
