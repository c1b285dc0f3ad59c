import * as assert from "node:assert/strict";
import { PACK_OWN_CONFIG } from "../../policy/evaluate";
import { APPLICATION_TYPE, SERVICE_PRINCIPAL_TYPE } from "../../policy/wellKnownIds";
import { runProgram } from "../harness/runProgram";
import { NOT_KNOWN_YET, inPreview } from "./preview";
import { mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-owners-pinned";
const DEV_OWNER = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const ATTACKER = "0b7d3c1e-2f4a-4d6b-8e9f-1a2b3c4d5e6f";

describe(`policy ${POLICY}`, function () {
    this.timeout(60_000);

    it("passes the dev stack: its owner is listed in the pack's own config (policy/config.json)", async () => {
        assert.deepEqual(PACK_OWN_CONFIG[POLICY], { allowedOwners: [DEV_OWNER] });
        const verdict = verdictOf(POLICY, await programResources());
        assert.equal(verdict.enforcementLevel, "mandatory");
        assert.deepEqual(verdict.violations, []);
    });

    it("compares object ids without case", async () => {
        assert.deepEqual(verdictOf(POLICY, await programResources(), { [POLICY]: { allowedOwners: [DEV_OWNER.toUpperCase()] } }).violations, []);
    });

    it("fails an owner the pack config does not list, on the app and on its service principal", async () => {
        for (const type of [APPLICATION_TYPE, SERVICE_PRINCIPAL_TYPE]) {
            const resources = mutated(await programResources(), type, (r) => {
                r.inputs.owners = [DEV_OWNER, ATTACKER];
            });
            const violations = verdictOf(POLICY, resources).violations;
            assert.equal(violations.length, 1, violations.join("\n"));
            assert.match(violations[0], new RegExp(`: has owner "${ATTACKER}", which the policy config's allowedOwners does not list: owners can add credentials`));
            assert.match(violations[0], new RegExp(`allowedOwners \\(policy/config\\.json: ${DEV_OWNER}\\)\\.$`));
        }
    });

    it("fails owners that are not pinned: a stack without owners, owned by whoever runs the update", async () => {
        const unpinned = (await runProgram()).resources;
        const violations = verdictOf(POLICY, unpinned).violations;
        assert.equal(violations.length, 2, "the app and its service principal");
        assert.match(violations[0], /^dbt-azure-devops-app: has owner "[0-9a-f-]{36}", which the policy config's allowedOwners does not list/);
        assert.match(violations[0], /Pin them: set the stack's owners \(pulumi config set --path 'owners\[0\]' <object id>\)/);
    });

    it("fails an app without owners, and owners not known until the update (preview)", async () => {
        const none = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.owners = [];
        });
        assert.match(verdictOf(POLICY, none).violations[0], /has no owners set, so whoever runs the first update owns it/);
        const unknown = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.owners = [NOT_KNOWN_YET.string];
        }).map((r) => (r.type === APPLICATION_TYPE ? inPreview(r) : r));
        assert.match(verdictOf(POLICY, unknown).violations[0], /has an owner not known until the update runs \(the identity running it\), so it is not pinned/);
    });

    it("fails every owner when the pack config lists none", async () => {
        const verdict = verdictOf(POLICY, await programResources(), { [POLICY]: { allowedOwners: [] } });
        assert.equal(verdict.violations.length, 2);
        assert.match(verdict.violations[0], /allowedOwners \(policy\/config\.json: none listed yet\)/);
    });
});
