import { outsideCeiling, parsedHttpsUrl, withinCeiling } from "../hosts";
import { Rule } from "../types";
import { lowerCased, read, UNKNOWN } from "../values";
import { CLIENT_SECRET_ROTATION_TYPE, DBT_CLOUD_RECORD_TYPE, DBT_DOMAINS } from "../wellKnownIds";

export interface DbtApiHostAllowedConfig {
    /** Hosts allowed besides those under `allowedDomains`: a custom domain is listed here (and in entra-app-dbt-redirect-uris-only's). */
    allowedHosts: string[];
    /** Domains whose hosts are allowed (default dbt Cloud's). */
    allowedDomains: string[];
}

/** Where a resource sends the dbt token and the client secret: a URL, nowhere (it does not call dbt Cloud), or a reason to refuse it. */
export type DbtApiBase = { url: unknown } | { none: true } | { refuse: string };

/**
 * Where each resource that writes to dbt Cloud sends the dbt token and the client secret: its dbt
 * API base URL, read from its inputs. A new resource that talks to dbt Cloud is one line here.
 */
export const DBT_API_BASE_READERS: Readonly<Record<string, (props: Record<string, unknown>) => DbtApiBase>> = {
    [DBT_CLOUD_RECORD_TYPE]: (props) => ({ url: read(props, "apiBaseUrl") }),
    // Issue 15: the rotation hands the new secret to dbt Cloud itself when `handover.kind` is "dbtCloud".
    [CLIENT_SECRET_ROTATION_TYPE]: (props) => {
        const handover = read(props, "handover");
        const kind = read(handover, "kind");
        if (kind === "stackOutput") {
            return { none: true };
        }
        if (kind === "dbtCloud") {
            return { url: read(handover, "apiBaseUrl") };
        }
        return { refuse: kind === UNKNOWN ? "hands the secret over in a way not known until the update (handover.kind)" :
            `hands the secret over as ${JSON.stringify(kind)}, which the pack does not know: only "dbtCloud" (judged here) and "stackOutput"` };
    },
};

/**
 * The dbt API base URL follows the stack's host, and the dbt token and the client secret go there:
 * a host added to the stack (or the program) would receive both. It must be an https URL on dbt
 * Cloud's domains or a host the pack's own config lists (`allowedHosts`, as for redirect URIs),
 * with no user, port, query or fragment.
 */
export const dbtApiHostAllowed: Rule<DbtApiHostAllowedConfig> = {
    name: "dbt-api-host-allowed",
    description: "Every dbt Cloud API base URL (the dbt record's apiBaseUrl, the rotation's dbtCloud handover) is https on dbt Cloud's domains " +
        "(allowedDomains, default *.getdbt.com / *.dbt.com) or a host in the policy config's allowedHosts.",
    enforcementLevel: "mandatory",
    resourceType: Object.keys(DBT_API_BASE_READERS),
    configSchema: {
        properties: {
            allowedHosts: { type: "array", items: { type: "string" }, default: [] },
            allowedDomains: { type: "array", items: { type: "string" }, default: DBT_DOMAINS },
        },
    },
    defaultConfig: { allowedHosts: [], allowedDomains: DBT_DOMAINS },
    check({ type, props }, { config }) {
        const base = DBT_API_BASE_READERS[type](props);
        if ("none" in base) {
            return [];
        }
        if ("refuse" in base) {
            return [`${base.refuse}.`];
        }
        if (base.url === UNKNOWN) {
            return ["sends the dbt token and the client secret to a dbt API base URL not known until the update; it must be known, and allowed, before anything is sent."];
        }
        const problem = apiBaseProblem(base.url, lowerCased(config.allowedDomains ?? DBT_DOMAINS), lowerCased(config.allowedHosts ?? []));
        return problem ? [`sends the dbt token and the client secret to ${JSON.stringify(base.url)}, which ${problem}.`] : [];
    },
};

function apiBaseProblem(base: unknown, domains: string[], hosts: string[]): string | undefined {
    const url = parsedHttpsUrl(base);
    if (typeof url === "string") {
        return url;
    }
    if (url.username || url.password || url.port || url.search || url.hash) {
        return "carries a user, password, port, query or fragment";
    }
    const host = url.hostname.toLowerCase();
    if (!withinCeiling(host, domains, hosts)) {
        return `is on host ${host}, ${outsideCeiling(domains, hosts)}; a custom domain must be listed there, in policy/config.json, for this rule and for ` +
            "entra-app-dbt-redirect-uris-only";
    }
    return undefined;
}
