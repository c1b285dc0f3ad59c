import * as assert from "assert/strict";
import { runProgram } from "../harness/runProgram";
import { runInstant, withoutPromiseStackTraces } from "./rotationSimulation";

describe("rotation between boundaries", function () {
    this.timeout(60_000);

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
});
