import { fail, ok, ParseResult } from "./parseResult";

// Azure DevOps naming rules: letters, digits and hyphens; starts and ends with a letter or
// digit; at most 50 characters.
const ORGANIZATION_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;
// What people paste instead of the name: the org URL, old or new style, with or without scheme.
const DEV_AZURE_URL = /^(?:https?:\/\/)?dev\.azure\.com\/([^/?#\s]+)/i;
const VISUALSTUDIO_URL = /^(?:https?:\/\/)?([^./\s]+)\.visualstudio\.com/i;

/** dbt Cloud wants the organization's exact name, without `dev.azure.com/`. */
export function parseAdoOrganization(raw: string): ParseResult<string> {
    const value = raw.trim();
    const fromUrl = DEV_AZURE_URL.exec(value) ?? VISUALSTUDIO_URL.exec(value);
    if (fromUrl) {
        const name = decodeURIComponent(fromUrl[1]);
        return fail(
            `"${value}" is a URL; dbt Cloud wants the organization name alone. ` +
                `Run: pulumi config set adoOrganization ${name}`,
        );
    }
    if (!ORGANIZATION_NAME.test(value)) {
        return fail(
            `"${value}" is not an Azure DevOps organization name: use 1-50 letters, digits or hyphens, ` +
                `starting and ending with a letter or digit, exactly as in https://dev.azure.com/<name>.`,
        );
    }
    return ok(value);
}
