/**
 * The model that the rotation simulations (`npm run test:sim`) and the weekly plans replay through
 * the provider's own mintReasons and rotate: checked here, on every `npm test`, to keep the secrets
 * the handover keeps and to fail when it should, so a simulation cannot pass for want of teeth.
 */
import * as assert from "assert/strict";
import { ClientSecretRotationInputs } from "../../providers/entra/clientSecretRotation";
import { HandoverModel } from "./handoverModel";

function inputs(period: number, periodStart: string, endDate: string): ClientSecretRotationInputs {
    return {
        applicationObjectId: "0a1b2c3d-0000-4000-8000-000000000001", clientId: "0a1b2c3d-0000-4000-8000-000000000002", tenantId: "0a1b2c3d-0000-4000-8000-000000000003",
        owner: "dbt-azure-devops/sim", current: { slot: period % 2 === 0 ? "a" : "b", period, periodStart, endDate }, readiness: { successes: 8, timeoutSeconds: 300 },
        handover: { kind: "dbtCloud", accountId: "1", apiBaseUrl: "https://cloud.getdbt.com/api", organizationName: "contoso", authMethod: "service_principal", redirectHosts: ["cloud.getdbt.com"] },
    };
}

describe("the handover model behind the rotation simulations", () => {
    it("keeps dbt Cloud's secret when its write fails, and removes the failed run's secret after the next successful write", async () => {
        const model = new HandoverModel(() => 1);
        await model.run(new Date("2027-01-01T00:00:00Z"), inputs(0, "2027-01-01T00:00:00Z", "2027-06-01T00:00:00Z"));
        const first = model.consumerSecret;
        assert.ok(first);
        await model.run(new Date("2027-02-01T00:00:00Z"), inputs(1, "2027-02-01T00:00:00Z", "2027-07-01T00:00:00Z"), { dbtFails: true });
        assert.equal(model.consumerSecret, first, "dbt Cloud keeps its secret");
        assert.equal(model.live().length, 2, "the failed run's secret stays, in case dbt Cloud took it");
        await model.run(new Date("2027-02-02T00:00:00Z"), inputs(1, "2027-02-01T00:00:00Z", "2027-07-01T00:00:00Z"));
        assert.notEqual(model.consumerSecret, first);
        assert.deepEqual(model.live().map((s) => s.serial), [0, 2], "the failed run's secret is gone; the other slot's stays");
        assert.equal(model.failedRuns, 1);
    });

    it("mints nothing when nothing is due", async () => {
        const model = new HandoverModel(() => 1);
        await model.run(new Date("2027-01-01T00:00:00Z"), inputs(0, "2027-01-01T00:00:00Z", "2027-06-01T00:00:00Z"));
        await model.run(new Date("2027-01-02T00:00:00Z"), inputs(0, "2027-01-01T00:00:00Z", "2027-06-01T00:00:00Z"));
        assert.equal(model.mints, 1);
    });

    it("fails when the secret dbt Cloud holds runs short", async () => {
        // Guard against a model that cannot fail: a schedule whose secret lives shorter than the overlap.
        const model = new HandoverModel(() => 14);
        await model.run(new Date("2027-01-01T00:00:00Z"), inputs(0, "2027-01-01T00:00:00Z", "2027-01-20T00:00:00Z"));
        assert.throws(() => model.check(new Date("2027-01-10T00:00:00Z")), /has 10\.00 days left, less than the overlap/);
    });

    it("fails when a run mints a secret that has already expired", async () => {
        const model = new HandoverModel(() => 1);
        await assert.rejects(model.run(new Date("2027-01-01T00:00:00Z"), inputs(0, "2026-06-01T00:00:00Z", "2026-12-01T00:00:00Z")), /a secret minted already expired/);
    });
});
