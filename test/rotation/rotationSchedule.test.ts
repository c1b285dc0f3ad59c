import * as assert from "assert/strict";
import { planRotation, ROTATION_EPOCH, secretGeneration } from "../../domain/rotationSchedule";

const DAY = 86_400_000;
const settings = { rotationDays: 90, overlapDays: 14 };

describe("rotation schedule", () => {
    it("is the same for every instant of one period", () => {
        const start = secretGeneration(12, settings).periodStart.getTime();
        const first = planRotation(new Date(start), settings);
        for (const offset of [1, DAY, 45 * DAY, 90 * DAY - 1]) {
            assert.deepEqual(planRotation(new Date(start + offset), settings), first);
        }
    });

    it("moves to the other slot at each boundary and keeps the previous secret in its own slot", () => {
        const boundary = secretGeneration(13, settings).periodStart;
        const before = planRotation(new Date(boundary.getTime() - 1), settings);
        const after = planRotation(boundary, settings);
        assert.notEqual(before.current.slot, after.current.slot);
        assert.deepEqual(after.previous, before.current);
    });

    it("makes each secret valid for two periods plus the overlap from its period's start", () => {
        const plan = planRotation(new Date("2027-05-05T13:14:15Z"), settings);
        for (const generation of [plan.current, plan.previous]) {
            const lifetime = (Date.parse(generation.endDate) - generation.periodStart.getTime()) / DAY;
            assert.equal(lifetime, 2 * 90 + 14);
        }
        assert.equal(plan.current.period, plan.previous.period + 1);
    });

    it("counts periods from a fixed epoch, in whole UTC days", () => {
        const plan = planRotation(new Date(ROTATION_EPOCH.getTime() + 90 * DAY + 5), settings);
        assert.equal(plan.current.period, 1);
        assert.equal(plan.current.periodStart.toISOString(), "2024-03-31T00:00:00.000Z");
        assert.equal(plan.current.endDate, "2024-10-11T00:00:00Z");
        assert.equal(plan.current.slot, "b");
        assert.equal(plan.previous.slot, "a");
    });

    it("leaves the current secret at least one period plus the overlap of validity", () => {
        for (let day = 0; day < 800; day += 7) {
            const at = new Date(Date.UTC(2026, 0, 1) + day * DAY + 3_600_000);
            const remaining = (Date.parse(planRotation(at, settings).current.endDate) - at.getTime()) / DAY;
            assert.ok(remaining > 90 + 14 && remaining <= 2 * 90 + 14, `${at.toISOString()}: ${remaining}`);
        }
    });

    it("refuses instants before the epoch and invalid settings", () => {
        assert.throws(() => planRotation(new Date("2023-12-31T23:59:59Z"), settings), /before 2024-01-01/);
        assert.throws(() => planRotation(new Date("nonsense"), settings), /invalid/);
        assert.throws(() => planRotation(new Date(), { rotationDays: 0, overlapDays: 1 }), /rotationDays/);
    });
});
