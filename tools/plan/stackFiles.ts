import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { echoValue } from "../../config/echo";

/**
 * A stack's configuration as the Pulumi CLI would pass it: Pulumi.yaml defaults, then
 * Pulumi.<stack>.yaml from the folder Pulumi.yaml's `stackConfigDir` names (else beside Pulumi.yaml).
 */
export interface StackFileConfig {
    project: string;
    /** Pulumi.yaml's declaration of each of the project's keys (unqualified). */
    declarations: Record<string, ConfigDeclaration>;
    /** Fully qualified keys (`project:key`) to the string values the SDK sees. */
    values: Record<string, string>;
    /** Keys whose values are `secure:` in the stack file: they cannot be read offline. */
    secretKeys: string[];
    /**
     * The Pulumi ESC environments the stack file's `environment:` imports (a definition written
     * in place is listed as "(inline definition)"). Offline they are not opened: any config they
     * would provide is missing from the plan.
     */
    environments: string[];
}

/** One key of Pulumi.yaml's `config:` block: the one source of its type, description and default. */
export interface ConfigDeclaration {
    type?: string;
    description?: string;
    default?: unknown;
}

export class StackFileError extends Error {}

/** Stands in for a `secure:` value: offline there is no key to decrypt it, and it must never print. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface ProjectFile {
    project: string;
    /** Pulumi.yaml's declaration of each of the project's keys (unqualified). */
    declarations: Record<string, ConfigDeclaration>;
    /** Config defaults declared in Pulumi.yaml, as fully qualified keys. */
    defaults: Record<string, string>;
    /** Where the stack files are: `stackConfigDir` resolved against the project folder. */
    stackDir: string;
    /** Pulumi.yaml's `backend.url`, when it pins one (it decides which stack `pulumi stack select` chose). */
    backendUrl?: string;
}

/** The project's name, the config defaults its Pulumi.yaml declares and where its stack files live. */
export function readProjectFile(root: string): ProjectFile {
    const projectFile = readYaml(path.join(root, "Pulumi.yaml")) as {
        name?: string;
        stackConfigDir?: unknown;
        config?: unknown;
        backend?: { url?: unknown };
    };
    const project = projectFile?.name;
    if (typeof project !== "string") {
        throw new StackFileError(`Pulumi.yaml has no project name.`);
    }
    const defaults: Record<string, string> = {};
    const declarations: Record<string, ConfigDeclaration> = {};
    for (const [key, declaration] of Object.entries(configMap("Pulumi.yaml", projectFile.config))) {
        // A bare value is the short form of a declaration with only a default.
        const declared = declaration !== null && typeof declaration === "object" && !Array.isArray(declaration)
            ? (declaration as ConfigDeclaration)
            : { default: declaration };
        declarations[key] = declared;
        if ("default" in declared) {
            defaults[qualified(project, key)] = toConfigString(declared.default);
        }
    }
    const stackConfigDir = projectFile.stackConfigDir;
    if (stackConfigDir !== undefined && typeof stackConfigDir !== "string") {
        throw new StackFileError(`Pulumi.yaml's stackConfigDir must be a folder path; got ${JSON.stringify(stackConfigDir)}.`);
    }
    const backendUrl = typeof projectFile.backend?.url === "string" && projectFile.backend.url !== "" ? projectFile.backend.url : undefined;
    return { project, declarations, defaults, stackDir: path.resolve(root, stackConfigDir ?? "."), ...(backendUrl ? { backendUrl } : {}) };
}

export function readStackFiles(root: string, stack: string): StackFileConfig {
    const { project, declarations, defaults, stackDir } = readProjectFile(root);
    const stackPath = path.join(stackDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackPath)) {
        throw new StackFileError(
            `No stack file Pulumi.${stack}.yaml in ${stackDir}. Stacks with a file: ${stackNames(stackDir).join(", ") || "none"}.`,
        );
    }
    // Whole numbers are read exactly (a 21-digit account id stays 21 digits, for the parser to refuse
    // as too long), not rounded to the nearest double.
    const stackFile = (readYaml(stackPath, { intAsBigInt: true }) ?? {}) as { config?: unknown; environment?: unknown };

    const values: Record<string, string> = { ...defaults };
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(configMap(path.basename(stackPath), stackFile.config))) {
        const fullKey = qualified(project, key);
        if (isSecure(value)) {
            values[fullKey] = SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else {
            values[fullKey] = toConfigString(value);
        }
    }
    return { project, declarations, values, secretKeys, environments: environmentNames(stackFile.environment) };
}

/** `environment:` is a list of environment names, or an environment definition written in place. */
function environmentNames(environment: unknown): string[] {
    if (environment === undefined || environment === null) {
        return [];
    }
    if (Array.isArray(environment)) {
        return environment.map((name) => String(name));
    }
    const imports = (environment as { imports?: unknown }).imports;
    return Array.isArray(imports) ? [...imports.map((name) => String(name)), "(inline definition)"] : ["(inline definition)"];
}

/** The stacks that have a settings file in `stackDir`. */
export function stackNames(stackDir: string): string[] {
    if (!fs.existsSync(stackDir)) {
        return [];
    }
    return fs
        .readdirSync(stackDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** A file's `config:` block: absent or empty is no keys; anything but a map of keys is refused. */
function configMap(file: string, config: unknown): Record<string, unknown> {
    if (config === undefined || config === null) {
        return {};
    }
    if (typeof config !== "object" || Array.isArray(config)) {
        const got = Array.isArray(config) ? "a list" : `${typeof config} ${JSON.stringify(echoValue(String(config)))}`;
        throw new StackFileError(`${file}'s config: block must be a map of keys to values (key: value, one per line); got ${got}.`);
    }
    return config as Record<string, unknown>;
}

/** Keys without a namespace belong to the project, as in the CLI. */
function qualified(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function readYaml(file: string, options: { intAsBigInt?: boolean } = {}): unknown {
    try {
        return YAML.parse(fs.readFileSync(file, "utf8"), options);
    } catch (error) {
        throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(error as Error).message}`);
    }
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && "secure" in value;
}

/** The CLI passes scalars as their text and lists or maps as JSON. */
function toConfigString(value: unknown): string {
    return typeof value === "object" && value !== null
        ? JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? (Number.isSafeInteger(Number(item)) ? Number(item) : item.toString()) : item))
        : String(value);
}
