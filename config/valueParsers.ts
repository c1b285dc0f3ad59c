import { isGuid } from "../domain/guid";
import { organizationNameProblem } from "../domain/organizationName";
import { fail, ok, ParseResult } from "../domain/parseResult";
import { projectNameProblem } from "../domain/projectName";
import { closestName } from "./closestName";

/**
 * Parsers for Pulumi config values, which always arrive as strings (arrays as JSON). Each is given
 * the key it reads (`owners[0]` for a list item) when its message can name the command that fixes
 * the value.
 */

/** The command that sets `key` (a key, or a path such as `owners[0]`) to `value`; empty without a key. */
export function setCommand(key: string | undefined, value: string): string {
    if (key === undefined) {
        return "";
    }
    const shown = /^[A-Za-z0-9_.:\/+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
    return key.includes("[") ? ` Run: pulumi config set --path '${key}' ${shown}` : ` Run: pulumi config set ${key} ${shown}`;
}

/**
 * One of `allowed`. A near miss (`service-principal`) gets a did-you-mean, and a name the product
 * shows for a value (`otherNames`, e.g. Azure DevOps' "Basic" for `express`) says which value it is.
 */
export function oneOf<T extends string>(allowed: readonly T[], otherNames: Partial<Record<T, string>> = {}) {
    return (raw: string, key?: string): ParseResult<T> => {
        if ((allowed as readonly string[]).includes(raw)) {
            return ok(raw as T);
        }
        const choices = `"${raw}" is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
        const named = (Object.entries(otherNames) as [T, string][]).find(([, name]) => name.toLowerCase() === raw.trim().toLowerCase());
        if (named) {
            return fail(`${choices}: ${named[1]} is "${named[0]}" in the API's spelling.${setCommand(key, named[0])}`);
        }
        const near = closestName(raw.trim(), allowed);
        return near !== undefined ? fail(`${choices} (did you mean "${near}"?).${setCommand(key, near)}`) : fail(`${choices}.`);
    };
}

export function integerInRange(min: number, max: number) {
    return (raw: string): ParseResult<number> => {
        const value = Number(raw.trim());
        const digits = /^-?(\d+)$/.exec(raw.trim())?.[1];
        if (digits !== undefined && !Number.isSafeInteger(value)) {
            return fail(`"${raw.trim()}" is too long (${digits.length} digits) to be a number here; use one from ${min} to ${max}.`);
        }
        if (digits === undefined) {
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
export function stringList(key: string, item: (value: string, key?: string) => ParseResult<string>, maxItems = Number.MAX_SAFE_INTEGER) {
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
            const result = item(entry, `${key}[${index}]`);
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

export function objectId(raw: string, key?: string): ParseResult<string> {
    return guidOrHint(raw, key, "az ad user show --id <upn> --query id");
}

/**
 * An object id that may be left empty (Pulumi.yaml's default ""): empty means "none".
 * `howToFind` is the command that finds the right one.
 */
export function optionalObjectId(howToFind: string) {
    return (raw: string, key?: string): ParseResult<string> => (raw.trim() === "" ? ok("") : guidOrHint(raw, key, howToFind));
}

/**
 * A GUID, lower-cased. One wrapped in braces, parentheses or quotes, as some tools print them
 * (`{3F0E8A52-...}`), is refused with the bare value offered; anything else with how to find one.
 */
function guidOrHint(raw: string, key: string | undefined, howToFind: string): ParseResult<string> {
    const value = raw.trim();
    const bare = value.replace(/^[{("'\s]+|[})"'\s]+$/g, "");
    if (isGuid(value)) {
        return ok(value.toLowerCase());
    }
    if (isGuid(bare)) {
        return fail(`"${raw}" has ${/^\{/.test(value) ? "braces" : "characters"} around the object id; give it bare: ${bare.toLowerCase()}.${setCommand(key, bare.toLowerCase())}`);
    }
    return fail(`"${raw}" is not an object id (a GUID such as 00000000-0000-0000-0000-000000000000); find it with: ${howToFind}`);
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
