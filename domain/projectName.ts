import { fail, ok, ParseResult } from "./parseResult";

// Azure DevOps project names: at most 64 characters, none of these, not starting with `_` or
// `.`, not ending with `.`.
const FORBIDDEN = /[\\/:*?"<>|;#$*{},+=[\]]/;

export function parseAdoProjectName(raw: string): ParseResult<string> {
    const value = raw.trim();
    if (value.length === 0 || value.length > 64) {
        return fail(`"${raw}" is not a project name: use 1-64 characters, exactly as shown in Azure DevOps.`);
    }
    if (FORBIDDEN.test(value) || /^[_.]/.test(value) || value.endsWith(".")) {
        return fail(`"${raw}" is not a project name: Azure DevOps project names cannot contain \\ / : * ? " < > | ; # $ { } , + = [ ], start with _ or . or end with a dot.`);
    }
    return ok(value);
}
