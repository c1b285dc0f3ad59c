/**
 * Azure DevOps project names: what the stack config accepts and the project-permissions
 * provider checks, and the slug that names a project's Pulumi resources.
 */

// At most 64 characters, none of these, not starting with `_` or `.`, not ending with `.`.
const FORBIDDEN = /[\\/:*?"<>|;#$*{},+=[\]]/;

/** Azure DevOps allows at most 1,000 projects in one organization: a longer list cannot be right. */
export const MAX_PROJECTS_PER_ORGANIZATION = 1000;

/** What is wrong with `value` as a project name; undefined when it is one. */
export function projectNameProblem(value: unknown): string | undefined {
    const text = typeof value === "string" ? value.trim() : "";
    if (text.length === 0 || text.length > 64) {
        return `"${String(value)}" is not a project name: use 1-64 characters, exactly as shown in Azure DevOps.`;
    }
    if (FORBIDDEN.test(text) || /^[_.]/.test(text) || text.endsWith(".")) {
        return `"${String(value)}" is not a project name: Azure DevOps project names cannot contain \\ / : * ? " < > | ; # $ { } , + = [ ], start with _ or . or end with a dot.`;
    }
    return undefined;
}

/**
 * Azure DevOps project names are case-insensitive (`Analytics` and `analytics` are one project):
 * compare them canonically, so a change of case alone changes nothing.
 */
export function sameProject(a: string, b: string): boolean {
    return a.toLowerCase() === b.toLowerCase();
}

/**
 * The project's part of a resource name: lower case (project names are case-insensitive, so a
 * change of case must not rename the resource), every run of other characters than letters,
 * digits, `.` and `_` turned into one hyphen: "Data Platform" is "data-platform".
 */
export function projectSlug(name: string): string {
    return name.trim().toLowerCase().replace(/[^\p{L}\p{N}._]+/gu, "-").replace(/^-+|-+$/g, "");
}
