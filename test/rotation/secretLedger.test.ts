/**
 * The ledger that `npm run test:sim` replays two years of runs through: checked here, on every
 * `npm test`, to hold replaced secrets correctly and to fail when it should.
 */
import * as assert from "assert/strict";
import { DeclaredRun, SecretLedger } from "./secretLedger";

describe("the secret ledger behind the rotation simulations", () => {
    it("has a ledger model that keeps replaced secrets until an update succeeds", () => {
        const ledger = new SecretLedger(() => 1);
        const run = (at: string, endDate: string): DeclaredRun => ({
            at: new Date(at),
            secrets: [{ name: "slot", inputs: { endDate }, ignoreChanges: [], value: endDate }],
            handedOver: (live) => live.find((e) => e.value === endDate),
        });
        ledger.apply(run("2027-01-01T00:00:00Z", "2027-06-01T00:00:00Z"));
        const first = ledger.consumerSecret;
        ledger.apply(run("2027-02-01T00:00:00Z", "2027-07-01T00:00:00Z"), { consumerUpdateFails: true });
        assert.equal(ledger.consumerSecret, first, "the consumer keeps its secret");
        assert.equal(first?.deleted, undefined, "and that secret is not deleted");
        ledger.apply(run("2027-02-02T00:00:00Z", "2027-07-01T00:00:00Z"));
        assert.notEqual(ledger.consumerSecret, first);
        assert.ok(first?.deleted, "the next successful update deletes it");
    });

    it("has a ledger model that fails when the secret dbt Cloud holds runs short", () => {
        // Guard against a model that cannot fail: one slot with a short-lived secret breaks the invariants.
        const ledger = new SecretLedger(() => 14);
        const oneSlot = (at: Date, endDate: string): DeclaredRun => ({
            at,
            secrets: [{ name: "only", inputs: { endDate }, ignoreChanges: [], value: endDate }],
            handedOver: (live) => live[0],
        });
        ledger.apply(oneSlot(new Date("2027-01-01T00:00:00Z"), "2027-01-20T00:00:00Z"));
        assert.throws(() => ledger.check(new Date("2027-01-10T00:00:00Z")), /less than the overlap/);
    });

    it("has a ledger model that fails when the consumer is left on an older secret", () => {
        const ledger = new SecretLedger(() => 1);
        const run = (at: string, endDates: string[], handed: number): DeclaredRun => ({
            at: new Date(at),
            secrets: endDates.map((endDate, i) => ({ name: `slot-${i}`, inputs: { endDate }, ignoreChanges: [], value: endDate })),
            handedOver: (live) => live.find((e) => e.value === endDates[handed]),
        });
        ledger.apply(run("2027-01-01T00:00:00Z", ["2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z"], 1));
        assert.throws(() => ledger.apply(run("2027-02-01T00:00:00Z", ["2027-08-01T00:00:00Z", "2027-07-01T00:00:00Z"], 1)), /not the newest/);
    });
});
