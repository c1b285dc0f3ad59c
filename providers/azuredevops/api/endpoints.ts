/**
 * Base URLs of the three Azure DevOps hosts these providers call. Each can be redirected by
 * an environment variable (read in the provider process at call time), which is how tests
 * point them at a local fake; overrides never enter inputs or state.
 */
import { baseUrlOverride } from "../../../domain/baseUrlOverride";

export interface AzureDevOpsHosts {
    /** dev.azure.com: connectionData, projects, security. */
    core: string;
    /** vssps.dev.azure.com: graph, identities, organization. */
    vssps: string;
    /** vsaex.dev.azure.com: member entitlement management. */
    vsaex: string;
}

function trimSlash(url: string): string {
    return url.replace(/\/+$/, "");
}

export function azureDevOpsHosts(env: NodeJS.ProcessEnv = process.env): AzureDevOpsHosts {
    return {
        // Overrides must be https (http only for 127.0.0.1/localhost): see domain/baseUrlOverride.ts.
        core: trimSlash(baseUrlOverride("AZDO_CORE_BASE_URL", env) || "https://dev.azure.com"),
        vssps: trimSlash(baseUrlOverride("AZDO_VSSPS_BASE_URL", env) || "https://vssps.dev.azure.com"),
        vsaex: trimSlash(baseUrlOverride("AZDO_VSAEX_BASE_URL", env) || "https://vsaex.dev.azure.com"),
    };
}

/** `${host}/${organization}/${path}`, with the organization path-escaped. */
export function orgUrl(host: string, organization: string, path: string): string {
    return `${host}/${encodeURIComponent(organization)}/${path.replace(/^\/+/, "")}`;
}
