import * as assert from "node:assert/strict";
import { APPLICATION_TYPE } from "../../policy/wellKnownIds";
import { mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-protected";

describe(`policy ${POLICY}`, () => {
    it("passes on the program's protected app registration", async () => {
        assert.deepEqual(verdictOf(POLICY, await programResources()).violations, []);
    });

    it("fails when the app is declared without protect", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.options.protect = false;
        });
        const verdict = verdictOf(POLICY, resources);
        assert.equal(verdict.enforcementLevel, "mandatory");
        assert.match(verdict.violations[0], /is not protected/);
    });
});
