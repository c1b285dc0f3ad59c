/**
 * Issue 15 item 6: every Application has the app instance property lock, the program's
 * AppInstanceLock `<app component>-lock`, enabled on every property.
 */
import * as assert from "node:assert/strict";
import { PlannedResource } from "../../policy/evaluate";
import { APP_INSTANCE_LOCK_TYPE, DBT_APP_COMPONENT_TYPE } from "../../policy/wellKnownIds";
import { added, mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-instance-lock";
const FULL_LOCK = { isEnabled: true, allProperties: true, credentialsWithUsageVerify: true, credentialsWithUsageSign: true, identifierUris: true, tokenEncryptionKeyId: true };

function lock(settings: Record<string, unknown>, name = "dbt-azure-devops-lock", parent = "dbt-azure-devops", parentTypes = [DBT_APP_COMPONENT_TYPE]): PlannedResource {
    return added(APP_INSTANCE_LOCK_TYPE, name, { applicationObjectId: "<objectId of dbt-azure-devops-app>", lock: settings }, parent, parentTypes);
}

describe(`policy ${POLICY}`, () => {
    /** The program's resources without its lock. */
    async function withoutLock(): Promise<PlannedResource[]> {
        return (await programResources()).filter((r) => r.type !== APP_INSTANCE_LOCK_TYPE);
    }

    it("is mandatory, and passes the program: its app component declares the lock, enabled on all properties", async () => {
        const resources = await programResources();
        assert.deepEqual(resources.find((r) => r.type === APP_INSTANCE_LOCK_TYPE)?.inputs.lock, FULL_LOCK);
        const verdict = verdictOf(POLICY, resources);
        assert.equal(verdict.enforcementLevel, "mandatory");
        assert.deepEqual(verdict.violations, []);
    });

    it("fails an app without the lock", async () => {
        assert.match(verdictOf(POLICY, await withoutLock()).violations[0],
            /^dbt-azure-devops-app: has no app instance property lock: declare the AppInstanceLock dbt-azure-devops-lock beside it, in its DbtAzureDevOpsApp/);
    });

    it("fails a lock that is off, or does not cover every property", async () => {
        const off = verdictOf(POLICY, mutated(await programResources(), APP_INSTANCE_LOCK_TYPE, (r) => {
            r.inputs.lock = { ...FULL_LOCK, isEnabled: false };
        })).violations;
        assert.match(off[0], /has an app instance property lock \(dbt-azure-devops-lock\) without lock\.isEnabled: true:/);
        const partial = verdictOf(POLICY, mutated(await programResources(), APP_INSTANCE_LOCK_TYPE, (r) => {
            r.inputs.lock = { isEnabled: true, credentialsWithUsageVerify: true };
        })).violations;
        assert.match(partial[0], /without lock\.allProperties: true/);
    });

    it("fails a lock that is not the app's: at the root, or another component's", async () => {
        for (const elsewhere of [lock(FULL_LOCK, "dbt-azure-devops-lock", "", []), lock(FULL_LOCK, "other-lock", "other", [DBT_APP_COMPONENT_TYPE])]) {
            assert.equal(verdictOf(POLICY, [...(await withoutLock()), elsewhere]).violations.length, 1);
        }
    });
});
