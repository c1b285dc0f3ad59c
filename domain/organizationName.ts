/**
 * Azure DevOps organization names, as dbt Cloud's settings form and every Azure DevOps URL
 * want them: the bare name, never `dev.azure.com/<name>`. The one rule the stack config and the
 * providers' checks share.
 */

// Azure DevOps naming rules: letters, digits and hyphens; starts and ends with a letter or
// digit; at most 50 characters.
const ORGANIZATION_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;
// What people paste instead of the name: the org URL, old or new style, with or without scheme.
// A clone URL carries the organization as its user too: https://<org>@dev.azure.com/<org>/<project>/_git/<repo>.
const DEV_AZURE_URL = /^(?:https?:\/\/)?(?:[^@/\s]+@)?dev\.azure\.com\/([^/?#\s]+)/i;
const VISUALSTUDIO_URL = /^(?:https?:\/\/)?(?:[^@/\s]+@)?([^./@\s]+)\.visualstudio\.com/i;

export interface OrganizationNameProblem {
    /** What is wrong, starting with the quoted value. */
    problem: string;
    /** When the value was the organization's URL: the name in it, to suggest instead. */
    nameInUrl?: string;
}

/** What is wrong with `value` as an organization name; undefined when it is one. */
export function organizationNameProblem(value: unknown): OrganizationNameProblem | undefined {
    const text = typeof value === "string" ? value : String(value);
    const fromUrl = DEV_AZURE_URL.exec(text) ?? VISUALSTUDIO_URL.exec(text);
    if (fromUrl) {
        const name = decodedPathSegment(fromUrl[1]);
        if (name === undefined || !ORGANIZATION_NAME.test(name)) {
            // A bad %-escape or a segment that is no name: say it is a URL, suggest nothing.
            return { problem: `"${text}" is a URL; give the organization name alone, exactly as in https://dev.azure.com/<name>.` };
        }
        return { problem: `"${text}" is a URL; the organization name alone is "${name}".`, nameInUrl: name };
    }
    if (typeof value !== "string" || !ORGANIZATION_NAME.test(value)) {
        return {
            problem: `"${text}" is not an Azure DevOps organization name: use 1-50 letters, digits or hyphens, ` +
                "starting and ending with a letter or digit, exactly as in https://dev.azure.com/<name>.",
        };
    }
    return undefined;
}

/** A URL path segment with its %-escapes decoded; undefined when an escape is malformed. */
function decodedPathSegment(segment: string): string | undefined {
    try {
        return decodeURIComponent(segment);
    } catch {
        return undefined;
    }
}

/**
 * Azure DevOps organization names are case-insensitive (`Contoso` and `contoso` are one
 * organization): compare them canonically, so a change of case alone changes nothing.
 */
export function sameOrganization(a: string, b: string): boolean {
    return a.toLowerCase() === b.toLowerCase();
}
