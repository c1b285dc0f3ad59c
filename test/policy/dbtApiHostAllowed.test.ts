import * as assert from "node:assert/strict";
import { DBT_API_BASE_READERS } from "../../policy/rules/dbtApiHostAllowed";
import { CLIENT_SECRET_ROTATION_TYPE, DBT_CLOUD_RECORD_TYPE, ROTATING_SECRET_COMPONENT_TYPE } from "../../policy/wellKnownIds";
import { runProgram } from "../harness/runProgram";
import { added, mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "dbt-api-host-allowed";

/** The rotation as the program declares it: `<component>-rotation` under RotatingClientSecret, handing over to dbt Cloud or a stack output. */
function rotation(handover: Record<string, unknown>) {
    return added(CLIENT_SECRET_ROTATION_TYPE, "dbt-azure-devops-secret-rotation", { handover }, "dbt-azure-devops-secret", [ROTATING_SECRET_COMPONENT_TYPE]);
}

function handoverOf(resources: Array<{ type: string; inputs: Record<string, unknown> }>): Record<string, unknown> | undefined {
    return resources.find((r) => r.type === CLIENT_SECRET_ROTATION_TYPE)?.inputs.handover as Record<string, unknown> | undefined;
}
const DBT_HANDOVER = { kind: "dbtCloud", accountId: 12345, organizationName: "contoso-data", authMethod: "service_principal", redirectHosts: ["cloud.getdbt.com"] };

describe(`policy ${POLICY}`, function () {
    this.timeout(60_000);

    it("reads the dbt API base of each resource type that calls dbt Cloud, from one table", () => {
        assert.deepEqual(Object.keys(DBT_API_BASE_READERS).sort(), [CLIENT_SECRET_ROTATION_TYPE, DBT_CLOUD_RECORD_TYPE].sort());
    });

    it("passes the program's dbt handover on an account-scoped host, and on a dbt.com region host", async () => {
        const dev = await programResources();
        assert.equal(handoverOf(dev)?.apiBaseUrl, "https://ab123.us1.dbt.com/api");
        const verdict = verdictOf(POLICY, dev);
        assert.equal(verdict.enforcementLevel, "mandatory");
        assert.deepEqual(verdict.violations, []);
        const cell = (await runProgram({ config: { dbtCloudHost: "emea.dbt.com", dbtCloudAccountId: "12345" } })).resources;
        assert.deepEqual(verdictOf(POLICY, cell).violations, []);
    });

    it("fails a custom host until the pack config's allowedHosts lists it: the token and the client secret would go there", async () => {
        const custom = (await runProgram({ config: { dbtCloudHost: "dbt.acme.example", dbtCloudCustomDomain: "true", dbtCloudAccountId: "12345" } })).resources;
        assert.match(verdictOf(POLICY, custom).violations[0],
            /^dbt-azure-devops-secret-rotation: sends the dbt token and the client secret to "https:\/\/dbt\.acme\.example\/api", which is on host dbt\.acme\.example, outside getdbt\.com, dbt\.com and not in its config's allowedHosts \(none\)/);
        assert.deepEqual(verdictOf(POLICY, custom, { [POLICY]: { allowedHosts: ["dbt.acme.example"] } }).violations, []);
        assert.equal(verdictOf(POLICY, custom, { "entra-app-dbt-redirect-uris-only": { allowedHosts: ["dbt.acme.example"] } }).violations.length, 1,
            "each rule reads its own config: policy/config.json lists a custom host for both");
    });

    it("fails an apiBaseUrl the program's handover points elsewhere: another host, http, a user, a port", async () => {
        for (const [url, reason] of [
            ["https://cloud.getdbt.com.evil.example/api", /on host cloud\.getdbt\.com\.evil\.example, outside getdbt\.com, dbt\.com/],
            ["http://cloud.getdbt.com/api", /is not https/],
            ["https://user@cloud.getdbt.com/api", /carries a user, password, port, query or fragment/],
            ["https://cloud.getdbt.com:8443/api", /carries a user, password, port/],
            ["not a url", /is not an absolute URL/],
        ] as const) {
            const resources = mutated(await programResources(), CLIENT_SECRET_ROTATION_TYPE, (record) => {
                record.inputs.handover = { ...(record.inputs.handover as Record<string, unknown>), apiBaseUrl: url };
            });
            const violations = verdictOf(POLICY, resources).violations;
            assert.equal(violations.length, 1, url);
            assert.match(violations[0], reason, url);
        }
    });

    it("judges issue 15's rotation by its handover: dbtCloud's apiBaseUrl, nothing for a stack output", async () => {
        const withoutSlots = (await programResources()).filter((r) => r.type !== CLIENT_SECRET_ROTATION_TYPE);
        assert.deepEqual(verdictOf(POLICY, [...withoutSlots, rotation({ ...DBT_HANDOVER, apiBaseUrl: "https://emea.dbt.com/api" })]).violations, []);
        assert.deepEqual(verdictOf(POLICY, [...withoutSlots, rotation({ kind: "stackOutput" })]).violations, []);
        assert.match(verdictOf(POLICY, [...withoutSlots, rotation({ ...DBT_HANDOVER, apiBaseUrl: "https://dbt.attacker.example/api" })]).violations[0],
            /^dbt-azure-devops-secret-rotation: sends the dbt token and the client secret to "https:\/\/dbt\.attacker\.example\/api", which is on host dbt\.attacker\.example/);
        assert.match(verdictOf(POLICY, [...withoutSlots, rotation({ kind: "webhook", url: "https://x" })]).violations[0], /hands the secret over as "webhook", which the pack does not know/);
    });
});
