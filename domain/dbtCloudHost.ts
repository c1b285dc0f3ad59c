import { parseInstant } from "./instant";
import { fail, ok, ParseResult } from "./parseResult";

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** dbt Cloud serves every region, cell and single-tenant instance under these domains. */
export const DBT_DOMAINS = ["getdbt.com", "dbt.com"] as const;
const HINT = "Use the account's access URL host, e.g. ab123.us1.dbt.com (dbt Cloud: Account settings > Access URLs).";

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

/*
 * getdbt.com region hosts (cloud.getdbt.com, and a single-tenant instance's <name>.getdbt.com).
 *
 * dbt assigns every account an account-scoped access URL on dbt.com (ACCOUNT_PREFIX.<cell>.dbt.com,
 * e.g. ab123.us1.dbt.com; single-tenant instances get theirs too) and deprecates the shared
 * getdbt.com region URLs for integrations. Source: docs.getdbt.com, "Migrating to account-specific
 * access URLs" (website/docs/docs/platform/about-platform/account-url-migration.md, migration
 * timeline): "getdbt.com region URL deprecation | Scheduled | November 1, 2026", and "getdbt.com
 * region URLs will continue to support integrations until the scheduled deprecation date, unless
 * otherwise specified"; "Azure DevOps (service principal): Update or add App Registration" is on
 * its integration checklist. A later rendering of that page reads "February 3, 2027 (previously
 * November 1, 2026)": an account dbt gave such a date records it in
 * dbtCloudLegacyHostExtendedUntil. The access URL is shown in dbt Cloud under Account settings >
 * Access URLs (the same page, "Finding your new access URLs"; access-regions-ip-addresses.md lists
 * only ACCOUNT_PREFIX hosts now).
 *
 * The rule, judged at the run's instant (`pulumi up`'s clock, the offline plan's --at):
 * - before the deprecation a getdbt.com host is accepted;
 * - from it on, it is refused, unless the stack records that dbt extended this account
 *   (dbtCloudLegacyHostExtendedUntil), and only until that date (the exemption expires by itself).
 * Region hosts on dbt.com (emea.dbt.com, au.dbt.com, us1.dbt.com) have no announced end: they are
 * accepted, and `npm run doctor` advises the account-scoped host.
 */

/** The getdbt.com region URL deprecation (dbt's migration timeline, above). */
export const LEGACY_HOST_DEPRECATION = new Date("2026-11-01T00:00:00Z");
/** The one domain the deprecation is about. */
export const LEGACY_HOST_DOMAIN = "getdbt.com";
/** How far past the deprecation an extension may reach: an extension is temporary by nature. */
export const MAX_EXTENSION_DAYS = 366;
/** The stack setting that records dbt's extension for this account. */
export const LEGACY_HOST_EXTENSION_KEY = "dbtCloudLegacyHostExtendedUntil";
/** Region hosts on dbt.com that dbt's access-regions page no longer lists (account-scoped hosts replace them). */
export const SHARED_REGION_HOSTS = ["emea.dbt.com", "au.dbt.com", "us1.dbt.com"] as const;

const WHERE_TO_FIND = "Find this account's access URL in dbt Cloud under Account settings > Access URLs (e.g. ab123.us1.dbt.com)";
const SOURCE = "docs.getdbt.com, \"Migrating to account-specific access URLs\"";

/** Whether `host` (bare, lower case) is a getdbt.com region host: cloud.getdbt.com or a single-tenant <name>.getdbt.com. */
export function isLegacyRegionHost(host: string): boolean {
    return host === LEGACY_HOST_DOMAIN || host.endsWith(`.${LEGACY_HOST_DOMAIN}`);
}

/** Whether `host` is a shared region host on dbt.com (accepted; an account-scoped host is advised). */
export function isSharedRegionHost(host: string): boolean {
    return (SHARED_REGION_HOSTS as readonly string[]).includes(host);
}

function day(date: Date): string {
    return date.toISOString().slice(0, 10);
}

/**
 * The dbtCloudLegacyHostExtendedUntil setting: "" (no extension) or the date dbt gave, YYYY-MM-DD,
 * after the deprecation and at most MAX_EXTENSION_DAYS past it. Returned as given (the date), or "".
 */
export function parseLegacyHostExtension(raw: string): ParseResult<string> {
    const value = raw.trim();
    if (value === "") {
        return ok("");
    }
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseInstant(value) : undefined;
    if (!parsed || !parsed.ok) {
        return fail(`"${value}" is not a date; give the day dbt Cloud's extension for this account ends, as YYYY-MM-DD (e.g. 2027-02-03), or remove the key.`);
    }
    const latest = new Date(LEGACY_HOST_DEPRECATION.getTime() + MAX_EXTENSION_DAYS * 86_400_000);
    if (parsed.value.getTime() <= LEGACY_HOST_DEPRECATION.getTime()) {
        return fail(`${value} is not after ${day(LEGACY_HOST_DEPRECATION)}, when dbt deprecated getdbt.com hosts (${SOURCE}); an extension ends later. ` +
            `Give the date dbt gave you, or remove it with: pulumi config rm ${LEGACY_HOST_EXTENSION_KEY}`);
    }
    if (parsed.value.getTime() > latest.getTime()) {
        return fail(`${value} is more than a year after ${day(LEGACY_HOST_DEPRECATION)}; an extension is temporary. Give the date dbt gave you (at most ${day(latest)}), ` +
            `and move to the account's access URL: ${WHERE_TO_FIND}.`);
    }
    return ok(value);
}

/** Where a host sits in the stack's config: the primary, or an item of dbtCloudAdditionalHosts. */
export type HostPlace = { key: "dbtCloudHost" } | { key: "dbtCloudAdditionalHosts"; index: number };

export type LegacyHostVerdict =
    /** Not a getdbt.com host, or before the deprecation: nothing to say. */
    | { kind: "accepted" }
    /** A getdbt.com host kept by dbt's extension, until `until`. */
    | { kind: "extended"; until: string }
    /** A getdbt.com host at or after the deprecation, with no extension in force. */
    | { kind: "refused"; expiredExtension?: string };

/**
 * Whether `host` may be used at `at`, given the extension the stack records ("" for none). The one
 * rule behind the config check, the offline plan (at its --at) and `npm run doctor`.
 */
export function judgeLegacyHost(host: string, at: Date, extendedUntil: string): LegacyHostVerdict {
    if (!isLegacyRegionHost(host) || at.getTime() < LEGACY_HOST_DEPRECATION.getTime()) {
        return { kind: "accepted" };
    }
    if (extendedUntil !== "") {
        return at.getTime() < Date.parse(`${extendedUntil}T00:00:00Z`) ? { kind: "extended", until: extendedUntil } : { kind: "refused", expiredExtension: extendedUntil };
    }
    return { kind: "refused" };
}

/** The problem with `host` at `place` at the instant `at`, with the command that fixes it; undefined when it may be used. */
export function legacyHostProblem(host: string, place: HostPlace, at: Date, extendedUntil: string): string | undefined {
    const verdict = judgeLegacyHost(host, at, extendedUntil);
    if (verdict.kind !== "refused") {
        return undefined;
    }
    const why = verdict.expiredExtension !== undefined
        ? `dbt's extension of this account's getdbt.com URL ended on ${verdict.expiredExtension} (${LEGACY_HOST_EXTENSION_KEY})`
        : `dbt Cloud deprecated getdbt.com region URLs for integrations on ${day(LEGACY_HOST_DEPRECATION)} (${SOURCE})`;
    const what = place.key === "dbtCloudHost" ? `"${host}"` : `item ${place.index} "${host}"`;
    const fix = place.key === "dbtCloudHost"
        ? `${WHERE_TO_FIND} and run: pulumi config set dbtCloudHost <that host>` +
            (verdict.expiredExtension !== undefined
                ? ` and pulumi config rm ${LEGACY_HOST_EXTENSION_KEY}. Only if dbt extended it again, record the new end date: pulumi config set ${LEGACY_HOST_EXTENSION_KEY} <YYYY-MM-DD>`
                : `. Only if dbt extended this account's getdbt.com URL, record the end date dbt gave: pulumi config set ${LEGACY_HOST_EXTENSION_KEY} <YYYY-MM-DD>`)
        : `Its redirect URI no longer serves the sign-in; remove it with: pulumi config rm --path 'dbtCloudAdditionalHosts[${place.index}]'`;
    return `${what} is a getdbt.com region host, and ${why}. ${fix}`;
}
