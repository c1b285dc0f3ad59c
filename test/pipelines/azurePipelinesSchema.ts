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
