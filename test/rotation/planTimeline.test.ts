import * as assert from "assert/strict";
import { runPlanCommand } from "../../tools/plan/cli";
import { PlanDocument } from "../../tools/plan/renderPlan";
import { REPO_ROOT } from "../harness/runProgram";
import { withoutPromiseStackTraces } from "./rotationSimulation";
import { ClientSecretRotationInputs } from "../../providers/entra/clientSecretRotation";
import { HandoverModel } from "./handoverModel";

const ROTATION = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";
const DAY = 86_400_000;

/** The dev stack planned from outside: the command's JSON, as a pipeline would read it. */
async function planDev(at: Date): Promise<PlanDocument> {
    let stdout = "";
    let stderr = "";
    const code = await runPlanCommand(["--stack", "dev", "--json", "--at", at.toISOString()], {
        cwd: REPO_ROOT,
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
    });
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout) as PlanDocument;
}

function withoutInstant(plan: PlanDocument): Omit<PlanDocument, "at"> {
    const { at: _at, ...rest } = plan;
    return rest;
}

describe("rotation seen through the offline plan's --at", function () {
    this.timeout(60_000);

    it("keeps the invariants when dev is planned weekly across two years, through the provider's own handover", async () => {
        const model = new HandoverModel(() => 14);
        await withoutPromiseStackTraces(async () => {
            for (let week = 0; week <= 104; week++) {
                const at = new Date(Date.UTC(2026, 10, 27, 6) + week * 7 * DAY);
                const plan = await planDev(at);
                assert.ok(!("clientSecret" in plan.outputs), "dev hands the secret to dbt Cloud: no output holds it");
                const [rotation] = plan.resources.filter((r) => r.type === ROTATION);
                // What the plan declares is what the provider decides on (mintReasons) and hands over (rotate).
                await model.run(at, rotation.inputs as unknown as ClientSecretRotationInputs);
                assert.equal(model.consumerSecret?.endDate.toISOString().replace(/\.\d{3}Z$/, "Z"), plan.outputs.clientSecretExpiresAt,
                    `${at.toISOString()}: dbt Cloud holds the secret the plan's outputs name`);
            }
        });
        assert.ok(model.mints >= 8, `${model.mints} secrets minted`);
        assert.ok(model.live().length <= 2);
        console.log(`      [weekly plans] worst remaining validity of dbt Cloud's secret: ${model.worstRemainingDays.toFixed(2)} days`);
    });

    it("prints the same plan for two instants of one period", async () => {
        const early = await planDev(new Date("2026-12-20T01:00:00Z"));
        const late = await planDev(new Date("2027-03-10T23:00:00Z"));
        assert.deepEqual(withoutInstant(early), withoutInstant(late));
    });

    it("changes only the rotation's current secret one period later: slot, period and end date", async () => {
        const before = await planDev(new Date("2026-12-20T01:00:00Z"));
        const after = await planDev(new Date("2027-03-20T01:00:00Z"));
        assert.deepEqual(after.resources.map((r) => r.name), before.resources.map((r) => r.name));
        // Inputs are what the engine diffs: the rotation's `current` alone moves, and the provider mints for it.
        const changed = before.resources.filter((r, i) => JSON.stringify(r.inputs) !== JSON.stringify(after.resources[i].inputs));
        assert.deepEqual(changed.map((r) => r.type), [ROTATION], `unexpected changes: ${changed.map((r) => r.name).join(", ")}`);
        const rotationAfter = after.resources.find((r) => r.type === ROTATION)!;
        const changedKeys = Object.keys(changed[0].inputs).filter((k) => JSON.stringify(changed[0].inputs[k]) !== JSON.stringify(rotationAfter.inputs[k]));
        assert.deepEqual(changedKeys, ["current"]);
        const [from, to] = [changed[0].inputs.current, rotationAfter.inputs.current] as { slot: string; period: number }[];
        assert.deepEqual([to.slot !== from.slot, to.period - from.period], [true, 1], "the next period's secret goes into the other slot");
        const changedOutputs = Object.keys(before.outputs).filter((k) => JSON.stringify(before.outputs[k]) !== JSON.stringify(after.outputs[k]));
        // The rotation outputs (issue 11) move with the slot: which one dbt Cloud holds, and when the next comes. The
        // new secret's key id is Entra's to give: the plan shows the same placeholder either side of the boundary.
        assert.deepEqual(changedOutputs, ["clientSecretExpiresAt", "clientSecretSlot", "nextRotationAt"]);
        assert.equal(after.outputs.clientSecretKeyId, "<keyId of dbt-azure-devops-secret-rotation>");
    });
});
