import { DEFAULTS, expectZeroDowntime } from "./rotationSimulation";

describe("two years of scheduled rotation: settings changed mid-life", function () {
    this.timeout(120_000);

    it("keeps dbt Cloud on a valid, newest secret when secretRotationDays goes 90, 30, 120, 45 with the overlap", () =>
        expectZeroDowntime({
            title: "rotation days changed",
            runsOn: () => true,
            settingsOn: (day) =>
                day < 200
                    ? DEFAULTS
                    : day < 400
                      ? { rotationDays: 30, overlapDays: 7 }
                      : day < 550
                        ? { rotationDays: 120, overlapDays: 21 }
                        : { rotationDays: 45, overlapDays: 14 },
        }));
});
