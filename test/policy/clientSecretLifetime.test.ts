import * as assert from "node:assert/strict";
import { PlannedResource } from "../../policy/evaluate";
import { DEFAULT_MAX_LIFETIME_DAYS } from "../../policy/rules/clientSecretLifetime";
import { APPLICATION_PASSWORD_TYPE, CLIENT_SECRET_ROTATION_TYPE } from "../../policy/wellKnownIds";
import { AT, mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "client-secret-max-lifetime";
const DAY_MS = 24 * 60 * 60 * 1000;

function daysAfter(now: Date, days: number): string {
    return new Date(now.getTime() + days * DAY_MS).toISOString();
}

/** The end date of the secret the program's rotation mints now. */
function setCurrentEndDate(endDate: string | undefined): (rotation: PlannedResource) => void {
    return (rotation) => {
        const current = rotation.inputs.current as Record<string, unknown>;
        if (endDate === undefined) delete current.endDate;
        else current.endDate = endDate;
    };
}

describe(`policy ${POLICY}`, () => {
    it("passes on the program's client secret (the ClientSecretRotation's current end date)", async () => {
        const resources = await programResources();
        assert.equal(resources.filter((r) => r.type === CLIENT_SECRET_ROTATION_TYPE).length, 1);
        assert.deepEqual(verdictOf(POLICY, resources).violations, []);
    });

    it(`fails a secret that outlives the default ${DEFAULT_MAX_LIFETIME_DAYS} days`, async () => {
        const resources = mutated(await programResources(), CLIENT_SECRET_ROTATION_TYPE, setCurrentEndDate(daysAfter(AT, DEFAULT_MAX_LIFETIME_DAYS + 1)));
        const verdict = verdictOf(POLICY, resources);
        assert.equal(verdict.violations.length, 1, "the one secret the rotation mints");
        assert.match(verdict.violations[0], /^dbt-azure-devops-secret-rotation: current\.endDate \S+ is 366 days away, more than the 365-day maximum/);
    });

    it("honours maxLifetimeDays from the policy config", async () => {
        const resources = await programResources();
        const strict = verdictOf(POLICY, resources, { [POLICY]: { maxLifetimeDays: 30 } });
        assert.equal(strict.violations.length, 1, "the program's secret lives longer than 30 days");
        const lenient = verdictOf(POLICY, resources, { [POLICY]: { maxLifetimeDays: 3650 } });
        assert.deepEqual(lenient.violations, []);
    });

    it("measures the lifetime from the injected instant, not the wall clock", async () => {
        const resources = await programResources(AT);
        const muchEarlier = new Date(AT.getTime() - 400 * DAY_MS);
        assert.ok(verdictOf(POLICY, resources, {}, muchEarlier).violations.length > 0);
        assert.deepEqual(verdictOf(POLICY, resources, {}, AT).violations, []);
    });

    it("fails a secret without an end date, or with one that is not RFC 3339", async () => {
        const missing = mutated(await programResources(), CLIENT_SECRET_ROTATION_TYPE, setCurrentEndDate(undefined));
        assert.match(verdictOf(POLICY, missing).violations[0], /has no current\.endDate: set an explicit RFC 3339 current\.endDate/);
        const malformed = mutated(await programResources(), CLIENT_SECRET_ROTATION_TYPE, setCurrentEndDate("2025-12-01"));
        assert.match(verdictOf(POLICY, malformed).violations[0], /current\.endDate "2025-12-01" is not an RFC 3339 date-time/);
    });

    it("still judges an ApplicationPassword someone declares by hand, by its own endDate", async () => {
        const password = (inputs: Record<string, unknown>): PlannedResource =>
            ({ type: APPLICATION_PASSWORD_TYPE, name: "by-hand", inputs: { applicationId: "/applications/x", ...inputs }, options: {}, parentTypes: [] });
        const judged = async (inputs: Record<string, unknown>) => verdictOf(POLICY, [...await programResources(), password(inputs)]).violations;
        assert.deepEqual(await judged({ endDate: daysAfter(AT, 30) }), []);
        assert.match((await judged({ endDate: daysAfter(AT, 400) }))[0], /^by-hand: endDate \S+ is 400 days away/);
        assert.match((await judged({ endDateRelative: "8760h" }))[0], /^by-hand: has no endDate \(endDateRelative is deprecated/);
    });

    it("is skipped when the config disables it", async () => {
        const resources = mutated(await programResources(), CLIENT_SECRET_ROTATION_TYPE, setCurrentEndDate(undefined));
        const verdict = verdictOf(POLICY, resources, { [POLICY]: { enforcementLevel: "disabled" } });
        assert.equal(verdict.enforcementLevel, "disabled");
        assert.deepEqual(verdict.violations, []);
    });
});
