/**
 * Reads `pulumi stack output --json` and decides whether the client secret handed to dbt Cloud
 * expires too soon. It reads only `clientSecretExpiresAt`, so it needs no secrets, and it never
 * echoes its input (which may hold them when run with --show-secrets).
 */
export type ExpiryVerdict =
    | { status: "fresh"; message: string }
    | { status: "expiring" | "expired"; message: string }
    | { status: "invalid"; message: string };

const DAY_MS = 86_400_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const HOW_TO_FIX =
    "Run the scheduled rotation now (pulumi up on this stack); it mints a new secret and hands it to dbt Cloud.";

export function checkSecretExpiry(stackOutputJson: string, now: Date, thresholdDays: number): ExpiryVerdict {
    let outputs: unknown;
    try {
        outputs = JSON.parse(stackOutputJson);
    } catch {
        return {
            status: "invalid",
            message: "Standard input is not JSON: pipe `pulumi stack output --json` into this command.",
        };
    }
    if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
        // (the offline plan's JSON is an object too: its "outputs" are read below)
        return { status: "invalid", message: "Standard input is not a JSON object of stack outputs: pipe `pulumi stack output --json`." };
    }
    // The offline plan's JSON (`npm start -s -- --json`) holds the stack outputs under "outputs".
    const planOutputs = (outputs as Record<string, unknown>).outputs;
    if (!("clientSecretExpiresAt" in outputs) && "resources" in outputs && planOutputs !== null && typeof planOutputs === "object") {
        outputs = planOutputs;
    }
    const expiresAt = (outputs as Record<string, unknown>).clientSecretExpiresAt;
    if (expiresAt === undefined) {
        return {
            status: "invalid",
            message: "The stack has no clientSecretExpiresAt output: select the right stack (pulumi stack select) and run pulumi up once.",
        };
    }
    if (typeof expiresAt !== "string" || !RFC3339.test(expiresAt) || Number.isNaN(Date.parse(expiresAt))) {
        return { status: "invalid", message: "clientSecretExpiresAt is not an RFC 3339 date-time; the stack output is malformed." };
    }
    const daysLeft = (Date.parse(expiresAt) - now.getTime()) / DAY_MS;
    if (daysLeft <= 0) {
        return { status: "expired", message: `The client secret dbt Cloud holds expired at ${expiresAt}. ${HOW_TO_FIX}` };
    }
    if (daysLeft <= thresholdDays) {
        return {
            status: "expiring",
            message: `The client secret dbt Cloud holds expires at ${expiresAt}, in ${daysLeft.toFixed(1)} days (threshold ${thresholdDays}). ${HOW_TO_FIX}`,
        };
    }
    return { status: "fresh", message: `The client secret expires at ${expiresAt}, in ${daysLeft.toFixed(1)} days: more than ${thresholdDays}.` };
}
