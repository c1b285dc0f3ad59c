/**
 * Where the pack lets tokens and sign-in codes go: an https URL on a host within the pack config's
 * ceiling (hosts under `allowedDomains`, default dbt Cloud's, or listed in `allowedHosts`). Shared
 * by the redirect-URI rule and the dbt API rule. URLs are parsed with the WHATWG parser the
 * providers' fetch and Entra use, so a tab or backslash cannot make the judged host differ from
 * the called one.
 */

/** `value` parsed as an https URL, or why it is not one. */
export function parsedHttpsUrl(value: unknown): URL | string {
    if (typeof value !== "string") {
        return "is not a string";
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return "is not an absolute URL";
    }
    return url.protocol === "https:" ? url : "is not https";
}

/** Whether `host` is under one of `domains` or one of `hosts` (all lower-case). */
export function withinCeiling(host: string, domains: readonly string[], hosts: readonly string[]): boolean {
    return hosts.includes(host) || domains.some((d) => host === d || host.endsWith(`.${d}`));
}

/** How a host outside the ceiling is described: "outside <domains> and not in its config's allowedHosts (<hosts>)". */
export function outsideCeiling(domains: readonly string[], hosts: readonly string[]): string {
    return `outside ${domains.length > 0 ? domains.join(", ") : "(no domains)"} and not in its config's allowedHosts (${hosts.length > 0 ? hosts.join(", ") : "none"})`;
}
