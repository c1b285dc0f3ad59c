/**
 * Entra's rules for adding a password credential to an application, in one place for both fakes
 * that add one: the fake azuread plugin (ApplicationPassword create, as terraform-provider-azuread
 * v3.8.0 calls Graph's addPassword) and the fake Microsoft Graph (test/entra/fakeEntra.ts).
 */
import * as crypto from "crypto";
import { FakeApplication, FakePassword, Tenant } from "./tenant";

/** Graph's default password lifetime when no end date is given: startDateTime + 2 years (application-addpassword docs). */
const DEFAULT_PASSWORD_YEARS = 2;

/** Entra's answer when an app management policy caps password lifetimes. */
export const POLICY_ERROR_CODE = "CredentialInvalidLifetimeAsPerAppPolicy";
/** Entra's answer when an app management policy blocks password addition (MS.AAD.5.5v1). */
export const BLOCKED_ERROR_CODE = "CredentialTypeNotAllowedAsPerAppPolicy";

/** A refusal, as Graph's error body has it: `{ error: { code, message } }` with this status. */
export interface GraphRefusal {
    status: number;
    code: string;
    message: string;
}

/** Whole-second UTC, as Go's time.Format(time.RFC3339) of Graph's UTC answer prints it. */
export function utcSeconds(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function addYears(ms: number, years: number): number {
    const d = new Date(ms);
    d.setUTCFullYear(d.getUTCFullYear() + years);
    return d.getTime();
}

/** An Entra-shaped client secret: 40 characters with the `8Q~` marker after a 3-character hint. */
export function newSecretValue(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
    const draw = (n: number) => Array.from(crypto.randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");
    return `${draw(3)}8Q~${draw(34)}`;
}

export interface PasswordRequest {
    displayName: string;
    /** RFC 3339; absent means now. */
    startDate?: string;
    /** RFC 3339; absent means start + 2 years. */
    endDate?: string;
}

/**
 * Adds a password to `app` (mutating the tenant) or returns Entra's refusal, leaving it as it was.
 * Given dates are re-printed in whole seconds UTC (go-azure-sdk's RFC3339 formatting); without a
 * start date Entra uses "now" with fractions.
 */
export function addPassword(t: Tenant, app: FakeApplication, request: PasswordRequest, now: Date): FakePassword | GraphRefusal {
    const startMs = request.startDate !== undefined ? Date.parse(request.startDate) : now.getTime();
    const startDate = request.startDate !== undefined ? utcSeconds(startMs) : new Date(startMs).toISOString();
    const endMs = request.endDate !== undefined ? Date.parse(request.endDate) : addYears(startMs, DEFAULT_PASSWORD_YEARS);

    const policy = effectivePasswordPolicy(t, app);
    // Tenant app-management policy blocking password credentials altogether: ScubaGear
    // MS.AAD.5.5v1 (cisagov/ScubaGear PR #2111); the code name is the fake's reading of Entra's
    // restriction `passwordAddition`.
    if (policy.blockPasswordAddition) {
        return { status: 400, code: BLOCKED_ERROR_CODE, message: `Credential type not allowed as per assigned policy '${policy.policyId}'.` };
    }
    // Entra refuses an end date that has passed or precedes the start (error text as quoted in
    // hashicorp/terraform-provider-azuread#201).
    if (Number.isNaN(endMs) || endMs <= now.getTime() || endMs <= startMs) {
        return { status: 400, code: "InvalidKeyEndDate", message: "Key credential end date is invalid." };
    }
    // Tenant app-management policy: Entra's answer as quoted in
    // OfficeDev/microsoft-365-agents-toolkit#10998 and Azure/azure-cli#28522.
    const cap = policy.maxPasswordLifetimeDays;
    if (typeof cap === "number" && endMs - startMs > cap * 86_400_000) {
        return {
            status: 400,
            code: POLICY_ERROR_CODE,
            message: `Credential lifetime exceeds the max value allowed as per assigned policy '${policy.policyId}'.`,
        };
    }
    const value = newSecretValue();
    const password: FakePassword = {
        keyId: crypto.randomUUID(),
        displayName: request.displayName,
        startDate,
        endDate: utcSeconds(endMs),
        value,
        hint: value.slice(0, 3),
        createdAt: now.toISOString(),
    };
    app.passwords.push(password);
    return password;
}

/**
 * The password rules that apply to `app`: an enabled app management policy assigned to it replaces
 * the tenant default (Microsoft Graph's appManagementPolicy resource: "If this resource is not
 * configured for an application or service principal, the restrictions default to the settings in
 * the tenantAppManagementPolicy"); a restriction in it applies to apps created after its
 * `restrictForAppsCreatedAfterDateTime`, unless its state is disabled. Lifetimes in whole days
 * (`P<n>D`, the form the tests use).
 */
function effectivePasswordPolicy(t: Tenant, app: FakeApplication): { blockPasswordAddition: boolean; maxPasswordLifetimeDays?: number; policyId: string } {
    const assigned = t.directory?.appPolicyAssignments?.[app.objectId];
    const appPolicy = assigned ? t.directory?.appManagementPolicies?.find((p) => p.id === assigned && p.isEnabled) : undefined;
    if (!appPolicy) {
        return { blockPasswordAddition: t.policy.blockPasswordAddition === true, maxPasswordLifetimeDays: t.policy.maxPasswordLifetimeDays, policyId: t.policy.policyId ?? "00000000-0000-0000-0000-000000000000" };
    }
    const applies = appPolicy.passwordCredentials.filter((r) => r.state !== "disabled" &&
        (!r.restrictForAppsCreatedAfterDateTime || Date.parse(app.createdAt) >= Date.parse(r.restrictForAppsCreatedAfterDateTime)));
    const lifetime = applies.find((r) => r.restrictionType === "passwordLifetime" && typeof r.maxLifetime === "string")?.maxLifetime;
    const days = lifetime ? /^P(\d+)D$/.exec(lifetime)?.[1] : undefined;
    return {
        blockPasswordAddition: applies.some((r) => r.restrictionType === "passwordAddition"),
        ...(days !== undefined ? { maxPasswordLifetimeDays: Number(days) } : {}),
        policyId: appPolicy.id,
    };
}

export function isRefusal(value: FakePassword | GraphRefusal): value is GraphRefusal {
    return (value as GraphRefusal).code !== undefined && (value as FakePassword).keyId === undefined;
}
