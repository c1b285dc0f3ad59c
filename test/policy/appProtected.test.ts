import * as assert from "node:assert/strict";
import { evaluatePolicies, PACK_OWN_CONFIG } from "../../policy/evaluate";
import { APPLICATION_TYPE } from "../../policy/wellKnownIds";
import { AT, mutated, programResources } from "./programResources";
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

    it("passes an unprotected app in a stack the pack config names for teardown, and only there", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.options.protect = false;
        });
        const teardown = { [POLICY]: { teardownStacks: ["dev"] } };
        assert.deepEqual(evaluatePolicies(resources, AT, teardown, { stack: "dev" }).find((v) => v.policy === POLICY)?.violations, []);
        const prod = evaluatePolicies(resources, AT, teardown, { stack: "prod" }).find((v) => v.policy === POLICY)?.violations ?? [];
        assert.match(prod[0], /is not protected: .*To tear stack prod down on purpose, name it in the policy config's teardownStacks \(policy\/config\.json, a reviewed change\), as docs\/teardown\.md describes\./);
        assert.equal(verdictOf(POLICY, resources, teardown).violations.length, 1, "a stack that is not known is not a named teardown");
    });

    it("ships with no stack named for teardown", () => {
        assert.deepEqual(PACK_OWN_CONFIG[POLICY], { teardownStacks: [] });
    });
});
