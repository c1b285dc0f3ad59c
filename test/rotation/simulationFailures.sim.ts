import { daysIntoPeriod, DEFAULTS, expectZeroDowntime } from "./rotationSimulation";

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
});
