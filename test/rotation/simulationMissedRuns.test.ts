import * as assert from "assert/strict";
import { runProgram } from "../harness/runProgram";
import { daysIntoPeriod, DEFAULTS, expectZeroDowntime, runInstant, withoutPromiseStackTraces } from "./rotationSimulation";
import { DeclaredRun, SecretLedger } from "./secretLedger";

describe("two years of scheduled rotation: missed runs", function () {
    this.timeout(120_000);

    it("keeps dbt Cloud on a valid, newest secret when the runs on and after every boundary are missed for 10 days", () =>
        expectZeroDowntime({
            title: "boundary runs missed",
            runsOn: (day, settings) => daysIntoPeriod(day, settings) >= 10,
            settingsOn: () => DEFAULTS,
        }));

    it("is stable between boundaries: 90 daily runs of a 90-day schedule change the inputs once", async () => {
        const declared: string[] = [];
        await withoutPromiseStackTraces(async () => {
            for (let day = 0; day < 90; day++) {
                const run = await runProgram({ at: runInstant(day) });
                declared.push(JSON.stringify(run.resources.map((r) => [r.name, r.actualInputs])));
            }
        });
        const changes = declared.filter((d, i) => i > 0 && d !== declared[i - 1]).length;
        assert.equal(changes, 1);
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
