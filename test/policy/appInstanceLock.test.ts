/**
 * Issue 15 item 6: every Application has the app instance property lock. The program does not
 * declare the lock yet (issue 15's change adds AppInstanceLock, `<app component>-lock`), so the rule
 * ships disabled and is tested here on the program's resources with the lock added as that change
 * declares it.
 */
import * as assert from "node:assert/strict";
import { PlannedResource } from "../../policy/evaluate";
import { APP_INSTANCE_LOCK_TYPE, DBT_APP_COMPONENT_TYPE } from "../../policy/wellKnownIds";
import { added, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-instance-lock";
const ON = { [POLICY]: { enforcementLevel: "mandatory" } };
const FULL_LOCK = { isEnabled: true, allProperties: true, credentialsWithUsageVerify: true, credentialsWithUsageSign: true, identifierUris: true, tokenEncryptionKeyId: true };

function lock(settings: Record<string, unknown>, name = "dbt-azure-devops-lock", parent = "dbt-azure-devops", parentTypes = [DBT_APP_COMPONENT_TYPE]): PlannedResource {
    return added(APP_INSTANCE_LOCK_TYPE, name, { applicationObjectId: "<objectId of dbt-azure-devops-app>", lock: settings }, parent, parentTypes);
}

describe(`policy ${POLICY}`, () => {
    it("is disabled until the program declares the lock, so today's program plans clean", async () => {
        const verdict = verdictOf(POLICY, await programResources());
        assert.equal(verdict.enforcementLevel, "disabled");
        assert.deepEqual(verdict.violations, []);
    });

    it("passes an app whose component declares the lock, enabled on all properties", async () => {
        const verdict = verdictOf(POLICY, [...(await programResources()), lock(FULL_LOCK)], ON);
        assert.equal(verdict.enforcementLevel, "mandatory");
        assert.deepEqual(verdict.violations, []);
    });

    it("fails an app without the lock", async () => {
        assert.match(verdictOf(POLICY, await programResources(), ON).violations[0],
            /^dbt-azure-devops-app: has no app instance property lock: declare the AppInstanceLock dbt-azure-devops-lock beside it, in its DbtAzureDevOpsApp/);
    });

    it("fails a lock that is off, or does not cover every property", async () => {
        const off = verdictOf(POLICY, [...(await programResources()), lock({ ...FULL_LOCK, isEnabled: false })], ON).violations;
        assert.match(off[0], /has an app instance property lock \(dbt-azure-devops-lock\) without lock\.isEnabled: true:/);
        const partial = verdictOf(POLICY, [...(await programResources()), lock({ isEnabled: true, credentialsWithUsageVerify: true })], ON).violations;
        assert.match(partial[0], /without lock\.allProperties: true/);
    });

    it("fails a lock that is not the app's: at the root, or another component's", async () => {
        for (const elsewhere of [lock(FULL_LOCK, "dbt-azure-devops-lock", "", []), lock(FULL_LOCK, "other-lock", "other", [DBT_APP_COMPONENT_TYPE])]) {
            assert.equal(verdictOf(POLICY, [...(await programResources()), elsewhere], ON).violations.length, 1);
        }
    });
});
