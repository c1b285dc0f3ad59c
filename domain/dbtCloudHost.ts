import { fail, ok, ParseResult } from "./parseResult";

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** dbt Cloud serves every region, cell and single-tenant instance under these domains. */
export const DBT_DOMAINS = ["getdbt.com", "dbt.com"] as const;
const HINT = "Use the access URL's host, e.g. cloud.getdbt.com, emea.dbt.com or ab123.us1.dbt.com.";

/** Whether `host` (lower case, no scheme) is under one of dbt Cloud's own domains. */
export function isDbtDomainHost(host: string): boolean {
    return DBT_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/** Why a host outside dbt's domains is refused without the custom-domain opt-in. */
export function customHostProblem(host: string): string {
    return `"${host}" is not a dbt Cloud host (expected *.getdbt.com or *.dbt.com). ${HINT} ` +
        "A custom domain of a single-tenant or VPC deployment needs: pulumi config set dbtCloudCustomDomain true";
}

/**
 * An access host's syntax only: a bare host or an `https://` URL with nothing after the host,
 * returned bare and lower case. Whether it is dbt's is {@link parseDbtCloudHost}'s question.
 */
export function parseAccessHost(raw: string): ParseResult<string> {
    const value = raw.trim();
    if (/^http:\/\//i.test(value)) {
        return fail(`"${value}" uses http://; dbt Cloud is served over https only. ${HINT}`);
    }
    const withoutScheme = value.replace(/^https:\/\//i, "");
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(withoutScheme)) {
        return fail(`"${value}" has an unsupported scheme. ${HINT}`);
    }
    const host = withoutScheme.replace(/\/$/, "").toLowerCase();
    if (/[/?#]/.test(host)) {
        // A URL copied from the browser: its host is the access host.
        const hostPart = host.split(/[/?#]/)[0];
        return fail(`"${value}" has a path, query or fragment; only the host is used${isHostName(hostPart) ? `: give ${hostPart}.` : `. ${HINT}`}`);
    }
    if (!isHostName(host)) {
        return fail(`"${value}" is not a valid host name. ${HINT}`);
    }
    return ok(host);
}

function isHostName(host: string): boolean {
    const labels = host.split(".");
    return labels.length >= 2 && labels.every((label) => HOST_LABEL.test(label));
}

/**
 * The dbt Cloud access host (`cloud.getdbt.com`, `emea.dbt.com`, `ab123.us1.dbt.com`,
 * `acme.getdbt.com`), given as a bare host or an `https://` URL with nothing after the host.
 */
export function parseDbtCloudHost(raw: string): ParseResult<string> {
    const parsed = parseAccessHost(raw);
    if (!parsed.ok || isDbtDomainHost(parsed.value)) {
        return parsed;
    }
    return fail(customHostProblem(raw.trim()));
}

/** dbt Cloud serves its API under the access URL of each region, cell or single-tenant host. */
export function dbtCloudApiBaseUrl(accessHost: string): string {
    return `https://${accessHost}/api`;
}
