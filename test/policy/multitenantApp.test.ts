import * as assert from "node:assert/strict";
import { APPLICATION_TYPE } from "../../policy/wellKnownIds";
import { mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-multitenant";

describe(`policy ${POLICY}`, () => {
    it("passes on the program's app registration", async () => {
        assert.deepEqual(verdictOf(POLICY, await programResources()).violations, []);
    });

    it("fails a single-tenant app (AzureADMyOrg)", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.signInAudience = "AzureADMyOrg";
        });
        const verdict = verdictOf(POLICY, resources);
        assert.equal(verdict.enforcementLevel, "mandatory");
        assert.equal(verdict.violations.length, 1);
        assert.match(verdict.violations[0], /"AzureADMyOrg".*AzureADMultipleOrgs/);
    });

    it("fails an app that leaves signInAudience to the provider default", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            delete app.inputs.signInAudience;
        });
        assert.match(verdictOf(POLICY, resources).violations[0], /unset/);
    });
});
