import * as assert from "assert/strict";
import { runPlanCommand } from "../../tools/plan/cli";
import { PlanDocument } from "../../tools/plan/renderPlan";
import { REPO_ROOT } from "../harness/runProgram";
import { withoutPromiseStackTraces } from "./rotationSimulation";
import { SecretLedger } from "./secretLedger";

const PASSWORD = "azuread:index/applicationPassword:ApplicationPassword";
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

    it("keeps the invariants when dev is planned weekly across two years", async () => {
        const ledger = new SecretLedger(() => 14);
        await withoutPromiseStackTraces(async () => {
            for (let week = 0; week <= 104; week++) {
                const at = new Date(Date.UTC(2026, 10, 27, 6) + week * 7 * DAY);
                const plan = await planDev(at);
                const expiresAt = plan.outputs.clientSecretExpiresAt;
                assert.equal(plan.outputs.clientSecret, "[secret]");
                ledger.apply({
                    at,
                    secrets: plan.resources
                        .filter((r) => r.type === PASSWORD)
                        .map((r) => ({ name: r.name, inputs: r.inputs, ignoreChanges: (r.options?.ignoreChanges as string[]) ?? [] })),
                    // The plan masks the value; the output's expiry names the secret it belongs to.
                    handedOver: (live) => live.find((entry) => entry.inputs.endDate === expiresAt),
                });
            }
        });
        assert.ok(ledger.rotations >= 7, `${ledger.rotations} rotations`);
        console.log(`      [weekly plans] worst remaining validity of dbt Cloud's secret: ${ledger.worstRemainingDays.toFixed(2)} days`);
    });

    it("prints the same plan for two instants of one period", async () => {
        const early = await planDev(new Date("2026-12-20T01:00:00Z"));
        const late = await planDev(new Date("2027-03-10T23:00:00Z"));
        assert.deepEqual(withoutInstant(early), withoutInstant(late));
    });

    it("changes only the rotated secret and what consumes it one period later", async () => {
        const before = await planDev(new Date("2026-12-20T01:00:00Z"));
        const after = await planDev(new Date("2027-03-20T01:00:00Z"));
        assert.deepEqual(after.resources.map((r) => r.name), before.resources.map((r) => r.name));
        // Inputs are what the engine diffs; which slot carries ignoreChanges flips with the period.
        const changed = before.resources.filter((r, i) => JSON.stringify(r.inputs) !== JSON.stringify(after.resources[i].inputs));
        const consumers = changed.filter((r) => r.type !== PASSWORD);
        assert.equal(before.resources.length, after.resources.length);
        assert.deepEqual(changed.filter((r) => r.type === PASSWORD).length, 1, "exactly one slot rotates");
        assert.ok(consumers.every((r) => r.name.endsWith("-dbt-cloud")), `unexpected changes: ${consumers.map((r) => r.name).join(", ")}`);
        const changedOutputs = Object.keys(before.outputs).filter((k) => JSON.stringify(before.outputs[k]) !== JSON.stringify(after.outputs[k]));
        // The rotation outputs (issue 11) move with the slot: which one dbt Cloud holds, and when the next comes.
        assert.deepEqual(changedOutputs, ["clientSecretExpiresAt", "clientSecretKeyId", "clientSecretSlot", "nextRotationAt", "previousSecretExpiresAt"]);
    });
});
