/**
 * Entra app management policies against the client secret the program mints: pure rules, no I/O.
 *
 * Microsoft Graph: a tenantAppManagementPolicy (`GET /policies/defaultAppManagementPolicy`) holds
 * `applicationRestrictions.passwordCredentials`; an appManagementPolicy assigned to an application
 * (`GET /applications/{id}/appManagementPolicies`) holds `restrictions.passwordCredentials`, and
 * "if this resource is not configured for an application ..., the restrictions default to the
 * settings in the tenantAppManagementPolicy" (appManagementPolicy resource page), so an assigned
 * policy replaces the default. Each restriction (passwordCredentialConfiguration) has a
 * `restrictionType` (passwordAddition blocks new passwords, passwordLifetime caps them at
 * `maxLifetime`, an ISO 8601 duration), `restrictForAppsCreatedAfterDateTime` (it applies to apps
 * created after that instant) and `state` (enabled or disabled). CISA ScubaGear recommends
 * MS.AAD.5.5v1 (block password addition) and 5.6v1 (lifetime at most 180 days).
 */

export interface PasswordRestriction {
    restrictionType?: string;
    maxLifetime?: string | null;
    restrictForAppsCreatedAfterDateTime?: string | null;
    state?: string | null;
}

export interface PasswordPolicy {
    id: string;
    displayName: string;
    isEnabled: boolean;
    level: "tenant default" | "app";
    passwordCredentials: PasswordRestriction[];
}

export type PolicyVerdict =
    | { kind: "clear" }
    | { kind: "blocked"; policy: PasswordPolicy }
    | { kind: "too-short"; policy: PasswordPolicy; maxDays: number };

const DAYS = { Y: 365, M: 30, W: 7, D: 1 } as const;

/**
 * An ISO 8601 duration in whole days, rounded down (P90D, P6M, P1Y, P4DT12H). Years count 365
 * days and months 30, the short side of a calendar month, so a cap is never overestimated.
 * Undefined when it is not a duration.
 */
export function durationDays(duration: string): number | undefined {
    const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration.trim());
    if (!match || duration.trim() === "P" || duration.trim().endsWith("T")) {
        return undefined;
    }
    const [, y, mo, w, d, h, mi, s] = match.map((part) => Number(part ?? 0));
    return Math.floor(y * DAYS.Y + mo * DAYS.M + w * DAYS.W + d + (h + mi / 60 + s / 3600) / 24);
}

/** The restrictions of `policy` that apply to an app created at `appCreatedAt`. */
function applying(policy: PasswordPolicy, appCreatedAt: Date): PasswordRestriction[] {
    if (!policy.isEnabled) {
        return [];
    }
    return policy.passwordCredentials.filter((r) => (r.state ?? "enabled") !== "disabled" &&
        (!r.restrictForAppsCreatedAfterDateTime || appCreatedAt.getTime() >= Date.parse(r.restrictForAppsCreatedAfterDateTime)));
}

/** What `policy` does to a client secret of `lifetimeDays`, for an app created at `appCreatedAt` (now, for a new one). */
export function judgePasswordPolicy(policy: PasswordPolicy, appCreatedAt: Date, lifetimeDays: number): PolicyVerdict {
    const restrictions = applying(policy, appCreatedAt);
    if (restrictions.some((r) => r.restrictionType === "passwordAddition")) {
        return { kind: "blocked", policy };
    }
    const caps = restrictions.filter((r) => r.restrictionType === "passwordLifetime" && typeof r.maxLifetime === "string")
        .map((r) => durationDays(r.maxLifetime!)).filter((days): days is number => days !== undefined);
    const maxDays = caps.length > 0 ? Math.min(...caps) : undefined;
    return maxDays !== undefined && lifetimeDays > maxDays ? { kind: "too-short", policy, maxDays } : { kind: "clear" };
}

/**
 * The longest rotation whose secrets fit in `maxDays` (2 x rotation + overlap <= maxDays), keeping
 * the overlap when it can and shortening it otherwise, within the config's bounds (rotation 7-180,
 * overlap 1-60 and shorter than the rotation); undefined when none fits.
 */
export function rotationWithin(maxDays: number, current: { rotation: number; overlap: number }, bounds: { minRotation: number; minOverlap: number }): { rotation: number; overlap: number } | undefined {
    // The overlap covers missed scheduled runs: keep it whole when a rotation of at least the minimum fits.
    const keeping = Math.min(current.rotation, Math.floor((maxDays - current.overlap) / 2));
    if (keeping >= bounds.minRotation && current.overlap < keeping) {
        return { rotation: keeping, overlap: current.overlap };
    }
    for (let rotation = Math.min(current.rotation, Math.floor((maxDays - bounds.minOverlap) / 2)); rotation >= bounds.minRotation; rotation--) {
        const overlap = Math.min(current.overlap, rotation - 1, maxDays - 2 * rotation);
        if (overlap >= bounds.minOverlap) {
            return { rotation, overlap };
        }
    }
    return undefined;
}

/** The app-level exemption: the two Graph calls (as `az rest`) that create the policy and assign it to the app. */
export function exemptionCalls(appObjectId: string | undefined, lifetimeDays: number): string {
    const policy = JSON.stringify({
        displayName: "dbt Cloud Azure DevOps integration: client secrets",
        description: "dbt Cloud accepts only a client secret; the program rotates it (2 x secretRotationDays + secretOverlapDays).",
        isEnabled: true,
        restrictions: { passwordCredentials: [{ restrictionType: "passwordLifetime", maxLifetime: `P${lifetimeDays}D`, restrictForAppsCreatedAfterDateTime: "2019-01-01T00:00:00Z" }] },
    });
    const app = appObjectId ?? "<the app's object id>";
    return "an admin with Policy.ReadWrite.ApplicationConfiguration and Application.Read.All exempts this app with an app-level policy: " +
        `az rest --method POST --url https://graph.microsoft.com/v1.0/policies/appManagementPolicies --body '${policy}' ` +
        `and, with the id it answers, az rest --method POST --url 'https://graph.microsoft.com/v1.0/applications/${app}/appManagementPolicies/$ref' ` +
        "--body '{\"@odata.id\":\"https://graph.microsoft.com/v1.0/policies/appManagementPolicies/<policy id>\"}'" +
        (appObjectId ? "" : " (the app exists after the first pulumi up, which creates it and then stops at the secret: assign the policy, then run pulumi up again)");
}
