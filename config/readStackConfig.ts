import * as pulumi from "@pulumi/pulumi";
import { closestName } from "./closestName";
import { ConfigError } from "./configError";
import { ConfigKey, MAX_SECRET_LIFETIME_DAYS, STACK_CONFIG_SCHEMA, StackConfig, StackConfigKey } from "./stackConfigSchema";

/**
 * Reads and validates the stack's configuration as a whole. Every problem is collected, so a
 * user fixes them in one pass; nothing is declared until the whole config is valid.
 */
export function readStackConfig(): StackConfig {
    const project = pulumi.getProject();
    const raw = projectConfig(project);
    const problems: string[] = [];
    const values: Partial<Record<StackConfigKey, unknown>> = {};
    const keys = Object.keys(STACK_CONFIG_SCHEMA) as StackConfigKey[];

    for (const name of keys) {
        const definition: ConfigKey<unknown> = STACK_CONFIG_SCHEMA[name];
        const value = raw[name];
        if (value === undefined) {
            if (definition.default === undefined) {
                problems.push(`${project}:${name} is required. ${definition.description} Run: pulumi config set ${name} <value>`);
            }
            values[name] = definition.default;
            continue;
        }
        const result = definition.parse(value);
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

    const rotation = values.secretRotationDays as number | undefined;
    const overlap = values.secretOverlapDays as number | undefined;
    if (rotation !== undefined && overlap !== undefined && overlap >= rotation) {
        problems.push(
            `${project}:secretOverlapDays (${overlap}) must be less than secretRotationDays (${rotation}); ` +
                `lower the overlap or lengthen the rotation period.`,
        );
    } else if (rotation !== undefined && overlap !== undefined && 2 * rotation + overlap > MAX_SECRET_LIFETIME_DAYS) {
        problems.push(
            `${project}:secretRotationDays (${rotation}) makes each secret live 2 x ${rotation} + ${overlap} = ${2 * rotation + overlap} days, ` +
                `more than ${MAX_SECRET_LIFETIME_DAYS}; lower secretRotationDays or secretOverlapDays.`,
        );
    }

    const projects = values.adoProjects as string[] | undefined;
    if (values.authMode === "service_user" && projects && projects.length > 0) {
        problems.push(
            `${project}:adoProjects applies to service_principal mode only: in service_user mode dbt acts as the service user, ` +
                `whose access you manage in Azure DevOps. Remove adoProjects or set authMode to service_principal.`,
        );
    }

    if (problems.length > 0) {
        throw new ConfigError(pulumi.getStack(), problems);
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
