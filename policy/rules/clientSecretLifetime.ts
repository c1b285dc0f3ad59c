import { Rule } from "../types";
import { APPLICATION_PASSWORD_TYPE, CLIENT_SECRET_ROTATION_TYPE } from "../wellKnownIds";

export interface ClientSecretLifetimeConfig {
    /** Longest allowed time from now to a client secret's endDate, in days. */
    maxLifetimeDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Microsoft recommends client secrets live less than 12 months. The rotation schedule
 * mints secrets valid for 2 x rotationDays + overlapDays; this bound catches a schedule (or
 * a hand-made secret) that drifts past it.
 */
export const DEFAULT_MAX_LIFETIME_DAYS = 365;

/** RFC 3339 date-time, as the provider requires for endDate (e.g. 2025-01-01T00:00:00Z). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A secret without an end date is valid for Entra's default two years and is exactly the
 * credential nobody remembers to rotate. The lifetime is measured from the evaluation instant
 * (`now`), which callers inject so the check is deterministic in tests and in the offline plan.
 * The program's own secret is minted by its ClientSecretRotation, with the end date of its
 * `current` input; an ApplicationPassword (declared by hand) carries its own `endDate`.
 */
export const clientSecretLifetime: Rule<ClientSecretLifetimeConfig> = {
    name: "client-secret-max-lifetime",
    description: "Every client secret (the program's ClientSecretRotation, or an ApplicationPassword) has an explicit RFC 3339 end date " +
        "no further than maxLifetimeDays from now.",
    enforcementLevel: "mandatory",
    resourceType: [APPLICATION_PASSWORD_TYPE, CLIENT_SECRET_ROTATION_TYPE],
    configSchema: {
        properties: {
            maxLifetimeDays: {
                type: "integer",
                minimum: 1,
                default: DEFAULT_MAX_LIFETIME_DAYS,
                description: "Longest allowed time from now to a client secret's endDate, in days.",
            },
        },
    },
    defaultConfig: { maxLifetimeDays: DEFAULT_MAX_LIFETIME_DAYS },
    check({ type, props }, { now, config }) {
        const minted = type === CLIENT_SECRET_ROTATION_TYPE;
        const key = minted ? "current.endDate" : "endDate";
        const endDate = minted ? (props.current as { endDate?: unknown } | undefined)?.endDate : props.endDate;
        if (endDate === undefined || endDate === null || endDate === "") {
            const relative = !minted && props.endDateRelative ? " (endDateRelative is deprecated and not checked)" : "";
            return [`has no ${key}${relative}: set an explicit RFC 3339 ${key} so the secret expires on schedule.`];
        }
        if (typeof endDate !== "string" || !RFC3339.test(endDate) || Number.isNaN(Date.parse(endDate))) {
            return [`${key} ${JSON.stringify(endDate)} is not an RFC 3339 date-time.`];
        }
        const maxDays = config.maxLifetimeDays;
        const limit = now.getTime() + maxDays * DAY_MS;
        if (Date.parse(endDate) > limit) {
            const days = Math.ceil((Date.parse(endDate) - now.getTime()) / DAY_MS);
            return [`${key} ${endDate} is ${days} days away, more than the ${maxDays}-day maximum (policy config maxLifetimeDays).`];
        }
        return [];
    },
};
