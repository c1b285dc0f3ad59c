import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

/** A stack's configuration as the Pulumi CLI would pass it: Pulumi.yaml defaults, then Pulumi.<stack>.yaml. */
export interface StackFileConfig {
    project: string;
    /** Fully qualified keys (`project:key`) to the string values the SDK sees. */
    values: Record<string, string>;
    /** Keys whose values are `secure:` in the stack file: they cannot be read offline. */
    secretKeys: string[];
}

export class StackFileError extends Error {}

/** Stands in for a `secure:` value: offline there is no key to decrypt it, and it must never print. */
export const SECRET_PLACEHOLDER = "[secret]";

export function readStackFiles(root: string, stack: string): StackFileConfig {
    const projectFile = readYaml(path.join(root, "Pulumi.yaml")) as {
        name?: string;
        config?: Record<string, { default?: unknown } | unknown>;
    };
    const project = projectFile?.name;
    if (typeof project !== "string") {
        throw new StackFileError(`Pulumi.yaml has no project name.`);
    }
    const stackPath = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackPath)) {
        const known = fs
            .readdirSync(root)
            .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter((s): s is string => s !== undefined);
        throw new StackFileError(
            `No stack file Pulumi.${stack}.yaml in ${root}. Stacks with a file: ${known.join(", ") || "none"}.`,
        );
    }
    const stackFile = (readYaml(stackPath) ?? {}) as { config?: Record<string, unknown> };

    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, declaration] of Object.entries(projectFile.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        if (declaration && typeof declaration === "object" && "default" in declaration) {
            values[fullKey] = toConfigString((declaration as { default: unknown }).default);
        }
    }
    for (const [key, value] of Object.entries(stackFile.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        if (isSecure(value)) {
            values[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else {
            values[fullKey] = toConfigString(value);
        }
    }
    return { project, values, secretKeys };
}

function readYaml(file: string): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(error as Error).message}`);
    }
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && "secure" in value;
}

/** The CLI passes scalars as their text and lists or maps as JSON. */
function toConfigString(value: unknown): string {
    return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}
