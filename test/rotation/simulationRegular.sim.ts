import { DEFAULTS, expectZeroDowntime } from "./rotationSimulation";

describe("two years of scheduled rotation: regular runs", function () {
    this.timeout(120_000);

    it("keeps dbt Cloud on a valid, newest secret with daily runs", () =>
        expectZeroDowntime({ title: "daily runs", runsOn: () => true, settingsOn: () => DEFAULTS }));

    it("keeps dbt Cloud on a valid, newest secret with runs every 13 days (gaps shorter than the overlap)", () =>
        expectZeroDowntime({ title: "every 13 days", runsOn: (day) => day % 13 === 0, settingsOn: () => DEFAULTS }));
});
