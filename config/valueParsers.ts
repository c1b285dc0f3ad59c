import { isGuid } from "../domain/guid";
import { organizationNameProblem } from "../domain/organizationName";
import { fail, ok, ParseResult } from "../domain/parseResult";
import { projectNameProblem } from "../domain/projectName";

/** Parsers for Pulumi config values, which always arrive as strings (arrays as JSON). */

export function oneOf<T extends string>(allowed: readonly T[]) {
    return (raw: string): ParseResult<T> =>
        (allowed as readonly string[]).includes(raw)
            ? ok(raw as T)
            : fail(`"${raw}" is not one of ${allowed.map((a) => `"${a}"`).join(", ")}.`);
}

export function integerInRange(min: number, max: number) {
    return (raw: string): ParseResult<number> => {
        const value = Number(raw.trim());
        if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
            return fail(`"${raw}" is not a whole number; use one from ${min} to ${max}.`);
        }
        if (value < min || value > max) {
            return fail(`${value} is out of range; use a number from ${min} to ${max}.`);
        }
        return ok(value);
    };
}

export function boolean(raw: string): ParseResult<boolean> {
    if (raw === "true" || raw === "false") {
        return ok(raw === "true");
    }
    return fail(`"${raw}" is not a boolean; use true or false.`);
}

export function text(maxLength: number) {
    return (raw: string): ParseResult<string> => {
        const value = raw.trim();
        if (value.length === 0) {
            return fail("is empty; give a value or remove the key to use the default.");
        }
        if (value.length > maxLength) {
            return fail(`is ${value.length} characters long; use at most ${maxLength}.`);
        }
        return ok(value);
    };
}

/** A list set with `pulumi config set --path 'key[0]' value` (stored as a JSON array of strings). */
export function stringList(key: string, item: (value: string) => ParseResult<string>, maxItems = Number.MAX_SAFE_INTEGER) {
    return (raw: string): ParseResult<string[]> => {
        let parsed: unknown;
        try {
            parsed = JSON.parse(raw);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === "string")) {
            return fail(`is not a list of strings; set items with: pulumi config set --path '${key}[0]' <value>`);
        }
        if (parsed.length > maxItems) {
            return fail(`lists ${parsed.length} items; at most ${maxItems} are possible.`);
        }
        const problems: string[] = [];
        const values: string[] = [];
        parsed.forEach((entry: string, index) => {
            const result = item(entry);
            if (!result.ok) {
                problems.push(`item ${index} ${result.problem}`);
            } else if (values.some((v) => v.toLowerCase() === result.value.toLowerCase())) {
                problems.push(`item ${index} "${entry}" is listed twice; remove the duplicate.`);
            } else {
                values.push(result.value);
            }
        });
        return problems.length > 0 ? fail(problems.join("; ")) : ok(values);
    };
}

export function objectId(raw: string): ParseResult<string> {
    const value = raw.trim();
    return isGuid(value)
        ? ok(value.toLowerCase())
        : fail(`"${raw}" is not an object id (a GUID such as 00000000-0000-0000-0000-000000000000); find it with: az ad user show --id <upn> --query id`);
}

/**
 * An object id that may be left empty (Pulumi.yaml's default ""): empty means "none".
 * `howToFind` is the command that finds the right one.
 */
export function optionalObjectId(howToFind: string) {
    return (raw: string): ParseResult<string> => {
        const value = raw.trim();
        if (value === "") {
            return ok("");
        }
        return isGuid(value)
            ? ok(value.toLowerCase())
            : fail(`"${raw}" is not an object id (a GUID such as 00000000-0000-0000-0000-000000000000); find it with: ${howToFind}`);
    };
}

/** dbt Cloud wants the organization's exact name, without `dev.azure.com/`. */
export function adoOrganization(raw: string): ParseResult<string> {
    const value = raw.trim();
    const found = organizationNameProblem(value);
    if (!found) {
        return ok(value);
    }
    return fail(found.nameInUrl ? `${found.problem} Run: pulumi config set adoOrganization ${found.nameInUrl}` : found.problem);
}

/** A project name, exactly as shown in Azure DevOps. */
export function adoProjectName(raw: string): ParseResult<string> {
    const problem = projectNameProblem(raw);
    return problem ? fail(problem) : ok(raw.trim());
}
