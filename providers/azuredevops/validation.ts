/**
 * Input checks shared by the Azure DevOps providers, phrased for the person who typed the value.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const NOT_CONNECTED_TENANT = "00000000-0000-0000-0000-000000000000";

export function isGuid(value: unknown): value is string {
    return typeof value === "string" && GUID.test(value);
}

/** Returns a reason when the organization name is not a bare Azure DevOps organization name. */
export function organizationNameProblem(value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim() === "") {
        return "organization is required: the bare Azure DevOps organization name, e.g. \"contoso\".";
    }
    if (/dev\.azure\.com|visualstudio\.com|[/:\s]/i.test(value)) {
        return `organization must be the bare organization name, without "https://dev.azure.com/" or any slash; got "${value}".`;
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(value)) {
        return `organization "${value}" has characters Azure DevOps organization names cannot contain (letters, digits and hyphens only).`;
    }
    return undefined;
}

export function guidProblem(name: string, value: unknown): string | undefined {
    return isGuid(value) ? undefined : `${name} must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47; got "${String(value)}".`;
}
