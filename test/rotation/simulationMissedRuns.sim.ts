import { daysIntoPeriod, DEFAULTS, expectZeroDowntime } from "./rotationSimulation";

describe("two years of scheduled rotation: missed runs", function () {
    this.timeout(120_000);

    it("keeps dbt Cloud on a valid, newest secret when the runs on and after every boundary are missed for 10 days", () =>
        expectZeroDowntime({
            title: "boundary runs missed",
            runsOn: (day, settings) => daysIntoPeriod(day, settings) >= 10,
            settingsOn: () => DEFAULTS,
        }));
});
