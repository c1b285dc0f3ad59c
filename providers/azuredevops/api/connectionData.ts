/**
 * Which Entra tenant an organization is connected to, read without credentials from the
 * X-VSS-ResourceTenant header of GET https://dev.azure.com/{org}/_apis/connectionData.
 */
import { HttpHooks, realHttpHooks, requestJson } from "../../../lib/http/request";
import { httpSettingsFromEnv } from "../../../lib/http/settings";
import { azureDevOpsHosts, orgUrl } from "./endpoints";
import { NOT_CONNECTED_TENANT } from "../../../domain/wellKnownIds";

export type OrganizationTenant =
    | { kind: "no-such-organization" }
    | { kind: "not-connected" }
    | { kind: "connected"; tenantId: string };

export async function readOrganizationTenant(organization: string, hooks: HttpHooks = realHttpHooks): Promise<OrganizationTenant> {
    const url = orgUrl(azureDevOpsHosts().core, organization, "_apis/connectionData");
    // Anonymous callers are answered 200, 401, 302 (a redirect to the sign-in page) or 203 (the
    // sign-in page itself, HTML), depending on the organization's policy; every one carries
    // X-VSS-ResourceTenant. So the redirect is not followed (it leads to another host, without the
    // header) and the header is read from whatever answer comes, as several public clients do
    // (noted in the project's REFERENCE.md, "Azure DevOps: behaviours beyond the happy path").
    const result = await requestJson<unknown>({
        method: "GET",
        url,
        permissionHint: "nothing (anonymous call)",
        acceptStatuses: [203, 301, 302, 303, 307, 401, 404],
        redirect: "manual",
    }, httpSettingsFromEnv(), hooks);
    if (result.status === 404) {
        return { kind: "no-such-organization" };
    }
    const header = result.headers.get("x-vss-resourcetenant");
    if (!header) {
        throw new Error(`GET ${url} answered HTTP ${result.status} without an X-VSS-ResourceTenant header, so the connected directory of "${organization}" cannot be read. Check the organization name and any proxy in between.`);
    }
    // Normally one GUID; be tolerant of a list.
    const tenants = header.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
    const connected = tenants.filter((t) => t !== NOT_CONNECTED_TENANT);
    if (connected.length === 0) {
        return { kind: "not-connected" };
    }
    return { kind: "connected", tenantId: connected[0] };
}
