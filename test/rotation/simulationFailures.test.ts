import * as assert from "assert/strict";
import { daysIntoPeriod, DEFAULTS, expectZeroDowntime } from "./rotationSimulation";
import { DeclaredRun, SecretLedger } from "./secretLedger";

describe("two years of scheduled rotation: failed updates", function () {
    this.timeout(120_000);

    it("keeps dbt Cloud on a valid secret when the update after each boundary fails at dbt Cloud", () =>
        expectZeroDowntime({
            title: "dbt Cloud update fails after each boundary",
            runsOn: (day) => day % 3 === 0,
            settingsOn: () => DEFAULTS,
            // The first run of each period (days 0-2 after the boundary) fails; the next succeeds.
            consumerFailsOn: (day, settings) => day > 0 && daysIntoPeriod(day, settings) < 3,
        }));

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
});
