import * as assert from "node:assert/strict";
import { DEFAULT_MAX_LIFETIME_DAYS } from "../../policy/rules/clientSecretLifetime";
import { APPLICATION_PASSWORD_TYPE } from "../../policy/wellKnownIds";
import { AT, mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "client-secret-max-lifetime";
const DAY_MS = 24 * 60 * 60 * 1000;

function daysAfter(now: Date, days: number): string {
    return new Date(now.getTime() + days * DAY_MS).toISOString();
}

describe(`policy ${POLICY}`, () => {
    it("passes on the program's two secret slots", async () => {
        assert.deepEqual(verdictOf(POLICY, await programResources()).violations, []);
    });

    it(`fails a secret that outlives the default ${DEFAULT_MAX_LIFETIME_DAYS} days`, async () => {
        const resources = mutated(await programResources(), APPLICATION_PASSWORD_TYPE, (secret) => {
            secret.inputs.endDate = daysAfter(AT, DEFAULT_MAX_LIFETIME_DAYS + 1);
        });
        const verdict = verdictOf(POLICY, resources);
        assert.equal(verdict.violations.length, 2, "one per slot");
        assert.match(verdict.violations[0], /366 days away, more than the 365-day maximum/);
    });

    it("honours maxLifetimeDays from the policy config", async () => {
        const resources = await programResources();
        const strict = verdictOf(POLICY, resources, { [POLICY]: { maxLifetimeDays: 30 } });
        assert.ok(strict.violations.length > 0, "the program's secrets live longer than 30 days");
        const lenient = verdictOf(POLICY, resources, { [POLICY]: { maxLifetimeDays: 3650 } });
        assert.deepEqual(lenient.violations, []);
    });

    it("measures the lifetime from the injected instant, not the wall clock", async () => {
        const resources = await programResources(AT);
        const muchEarlier = new Date(AT.getTime() - 400 * DAY_MS);
        assert.ok(verdictOf(POLICY, resources, {}, muchEarlier).violations.length > 0);
        assert.deepEqual(verdictOf(POLICY, resources, {}, AT).violations, []);
    });

    it("fails a secret without endDate, or with one that is not RFC 3339", async () => {
        const missing = mutated(await programResources(), APPLICATION_PASSWORD_TYPE, (secret) => {
            delete secret.inputs.endDate;
            secret.inputs.endDateRelative = "8760h";
        });
        assert.match(verdictOf(POLICY, missing).violations[0], /has no endDate \(endDateRelative is deprecated/);
        const malformed = mutated(await programResources(), APPLICATION_PASSWORD_TYPE, (secret) => {
            secret.inputs.endDate = "2025-12-01";
        });
        assert.match(verdictOf(POLICY, malformed).violations[0], /not an RFC 3339 date-time/);
    });

    it("is skipped when the config disables it", async () => {
        const resources = mutated(await programResources(), APPLICATION_PASSWORD_TYPE, (secret) => {
            delete secret.inputs.endDate;
        });
        const verdict = verdictOf(POLICY, resources, { [POLICY]: { enforcementLevel: "disabled" } });
        assert.equal(verdict.enforcementLevel, "disabled");
        assert.deepEqual(verdict.violations, []);
    });
});
