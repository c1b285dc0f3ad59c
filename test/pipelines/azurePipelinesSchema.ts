import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import * as fs from "node:fs";
import YAML from "yaml";
import { AZURE_PIPELINES_SCHEMA } from "./repoFiles";

/**
 * Compiles Microsoft's Azure Pipelines schema (about 2.5 s: do it once per test file).
 *
 * Azure Pipelines reads every YAML scalar as a string, so documents are parsed with the
 * failsafe schema, which the schema expects everywhere (`always: "true"`) except in task
 * inputs: those still say `type: boolean` / `integer`. The only change made here maps those to
 * the schema's own string spellings, so `addSpnToEnvironment: true` validates as it runs.
 */
export function compileAzurePipelinesSchema(): ValidateFunction {
    const schema = JSON.parse(fs.readFileSync(AZURE_PIPELINES_SCHEMA, "utf8"));
    stringifyTaskInputTypes(schema.definitions.task);
    const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: false });
    return ajv.compile(schema);
}

export function parsePipeline(text: string): unknown {
    return YAML.parse(text, { schema: "failsafe" });
}

/** A short, readable reason: the deepest errors, which point at the offending key. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
    const list = errors ?? [];
    const depth = Math.max(0, ...list.map((e) => e.instancePath.split("/").length));
    const deepest = list.filter((e) => e.instancePath.split("/").length === depth);
    return [...new Set(deepest.map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`))].join("\n");
}

function stringifyTaskInputTypes(node: unknown): void {
    if (Array.isArray(node)) {
        node.forEach(stringifyTaskInputTypes);
    } else if (node !== null && typeof node === "object") {
        const record = node as Record<string, unknown>;
        if (record.type === "boolean") {
            record.type = "string";
            record.pattern = "^(true|false|y|yes|n|no|on|off)$";
        } else if (record.type === "integer" || record.type === "number") {
            record.type = "string";
            record.pattern = "^-?\\d+(\\.\\d+)?$";
        }
        Object.values(record).forEach(stringifyTaskInputTypes);
    }
}

/**
 * The pipeline as Azure DevOps runs it: the compile-time constructs this repository uses
 * expanded, which Microsoft's schema does not model (Azure DevOps expands templates before it
 * validates). Supported, and nothing else (anything left over is an error, so a new construct is
 * not silently accepted):
 * - `- template: <file>` in the root variables: the file's variables are inlined;
 * - `- ${{ each <name> in split(variables.<var>, ',') }}:` in a list: its items once per value;
 * - inside them, `${{ <name> }}` and `${{ replace(<name>, '-', '_') }}` in any key or string;
 * - `${{ variables.<name> }}` is left as written (the trust checks read those references).
 * `values` replaces the variables' values (the stack list) when given.
 */
export function expandPipeline(text: string, readFile: (relative: string) => string, values: Record<string, string> = {}): unknown {
    const pipeline = parsePipeline(text) as { variables?: unknown };
    const variables: Record<string, string> = {};
    if (Array.isArray(pipeline.variables)) {
        pipeline.variables = (pipeline.variables as Array<Record<string, string>>).flatMap((entry) => {
            if (entry.template === undefined) {
                if (entry.name !== undefined) variables[entry.name] = entry.value ?? "";
                return [entry];
            }
            const inlined = ((parsePipeline(readFile(entry.template)) as { variables?: Array<Record<string, string>> }).variables ?? []);
            for (const v of inlined) variables[v.name] = v.value ?? "";
            return inlined;
        });
    }
    Object.assign(variables, values);
    const expanded = expandNode(pipeline, {}, variables);
    // `${{ variables.x }}` is left as written: the trust checks read those references.
    const leftover = /\$\{\{(?!\s*variables[.[])[^}]*\}\}/.exec(JSON.stringify(expanded));
    if (leftover) {
        throw new Error(`azure-pipelines.yml: compile-time expression not expanded by this test's expander: ${leftover[0]}`);
    }
    return expanded;
}

const EACH = /^\$\{\{\s*each\s+(\w+)\s+in\s+split\(variables\.(\w+),\s*','\)\s*\}\}$/;

function substitute(text: string, bound: Record<string, string>): string {
    return text
        .replace(/\$\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => bound[name] ?? whole)
        .replace(/\$\{\{\s*replace\((\w+),\s*'-',\s*'_'\)\s*\}\}/g, (whole, name: string) => (bound[name] === undefined ? whole : bound[name].replace(/-/g, "_")));
}

function expandNode(node: unknown, bound: Record<string, string>, variables: Record<string, string>): unknown {
    if (typeof node === "string") {
        return substitute(node, bound);
    }
    if (Array.isArray(node)) {
        return node.flatMap((item) => {
            const keys = item !== null && typeof item === "object" && !Array.isArray(item) ? Object.keys(item) : [];
            const each = keys.length === 1 ? EACH.exec(keys[0]) : null;
            if (!each) {
                return [expandNode(item, bound, variables)];
            }
            const [, name, variable] = each;
            if (variables[variable] === undefined) {
                throw new Error(`azure-pipelines.yml: each over variables.${variable}, which is not defined`);
            }
            const body = (item as Record<string, unknown>)[keys[0]];
            return variables[variable].split(",").flatMap((value) => expandNode(body, { ...bound, [name]: value }, variables) as unknown[]);
        });
    }
    if (node !== null && typeof node === "object") {
        return Object.fromEntries(Object.entries(node).map(([key, value]) => [substitute(key, bound), expandNode(value, bound, variables)]));
    }
    return node;
}

/** Compiles the schema's definition of a variables template (what .ci/stacks.yml is). */
export function compileVariablesTemplateSchema(): ValidateFunction {
    const schema = JSON.parse(fs.readFileSync(AZURE_PIPELINES_SCHEMA, "utf8"));
    const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: false });
    return ajv.compile({ $schema: schema.$schema, definitions: schema.definitions, $ref: "#/definitions/variablesTemplate" });
}
