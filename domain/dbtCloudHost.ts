import { fail, ok, ParseResult } from "./parseResult";

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// dbt Cloud serves every region, cell and single-tenant instance under these domains.
const DBT_DOMAINS = ["getdbt.com", "dbt.com"];

/**
 * The dbt Cloud access host (`cloud.getdbt.com`, `emea.dbt.com`, `ab123.us1.dbt.com`,
 * `acme.getdbt.com`), given as a bare host or an `https://` URL with nothing after the host.
 */
export function parseDbtCloudHost(raw: string): ParseResult<string> {
    const value = raw.trim();
    const hint = "Use the access URL's host, e.g. cloud.getdbt.com, emea.dbt.com or ab123.us1.dbt.com.";
    if (/^http:\/\//i.test(value)) {
        return fail(`"${value}" uses http://; dbt Cloud is served over https only. ${hint}`);
    }
    const withoutScheme = value.replace(/^https:\/\//i, "");
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(withoutScheme)) {
        return fail(`"${value}" has an unsupported scheme. ${hint}`);
    }
    const host = withoutScheme.replace(/\/$/, "").toLowerCase();
    if (/[/?#]/.test(host)) {
        return fail(`"${value}" has a path, query or fragment; only the host is used. ${hint}`);
    }
    const labels = host.split(".");
    if (labels.length < 2 || !labels.every((label) => HOST_LABEL.test(label))) {
        return fail(`"${value}" is not a valid host name. ${hint}`);
    }
    if (!DBT_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`))) {
        return fail(`"${value}" is not a dbt Cloud host (expected *.getdbt.com or *.dbt.com). ${hint}`);
    }
    return ok(host);
}
