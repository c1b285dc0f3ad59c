/**
 * Issue 17, Why 2: the offline plan, the only policy check a fork's pull request gets, crashed
 * (exit 1, "No mock for resource type azuread:index/applicationOwner:ApplicationOwner ... add one
 * to programMocks") on any type it had no mock for. Now such a type gets a generic mock and the pack
 * decides: exit 3 with each rule's message. The program here is this repository's, plus what a
 * pull request might add beside it, run through the plan command as `npm start` runs it.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as azuread from "@pulumi/azuread";
import { PlanDocument } from "../../tools/plan/renderPlan";
import { REPO_ROOT } from "../harness/runProgram";
import { plan, projectWith } from "../plan/planHelpers";
import { ATTACKER, declareExtras, EXTRA_NAMES, withProgramPlus } from "./programPlus";

const AT = "2026-11-27T09:00:00Z";

describe("the offline plan judges a program with any resource type (issue 17)", function () {
    this.timeout(60_000);

    it("exits 3 with each rule's message for an owner, a directory role, a group membership and an ARM consent, never a crash", async () => {
        const result = await withProgramPlus(declareExtras, () => plan(["--json", "--at", AT]));
        assert.equal(result.code, 3, result.stderr);
        assert.doesNotMatch(result.stderr, /Offline plan failed|No mock for|    at /);
        const doc = JSON.parse(result.stdout) as PlanDocument;
        const extra = doc.resources.filter((r) => EXTRA_NAMES.includes(r.name));
        assert.equal(extra.length, 4, "each planned, with its inputs");
        assert.equal(extra.find((r) => r.name === "extra-owner")?.inputs.ownerObjectId, ATTACKER);
        const failing = Object.fromEntries(doc.policies.filter((p) => p.violations.length > 0).map((p) => [p.policy, p.violations.map((v) => v.split(":")[0]).sort()]));
        assert.deepEqual(failing, {
            "declared-resources-only": ["arm-consent", "extra-owner", "sp-global-admin", "sp-in-admins"],
            "entra-app-no-undeclared-grants": ["arm-consent", "extra-owner", "sp-global-admin", "sp-in-admins"],
            "entra-app-consent-on-azure-devops-only": ["arm-consent"],
        });
        assert.match(result.stderr, /^plan: \d+ resources, 9 policy violations \(9 mandatory\)\n$/);
    });

    it("exits 3 as a process too, with no stack trace (what a fork's pull request runs)", async () => {
        const preload = path.join(REPO_ROOT, "dist", "test", "policy", "programPlusPreload.js");
        const cli = path.join(REPO_ROOT, "dist", "tools", "plan", "cli.js");
        const run = await promisify(execFile)(process.execPath, ["-r", preload, cli, "--at", AT], { cwd: REPO_ROOT }).then(
            ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
            (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code, stdout: error.stdout ?? "", stderr: error.stderr ?? "" }),
        );
        assert.equal(run.code, 3, run.stderr);
        assert.equal(run.stderr, "", "nothing but the plan: no crash, no stack trace");
        assert.match(run.stdout, /FAIL {2}entra-app-consent-on-azure-devops-only \(mandatory\)\n {8}arm-consent: grants on service principal 9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d, which cannot be shown to be Azure DevOps'/);
    });

    it("exits 3 for a type azuread has and nothing here mocks (a group), printing the rule's message in the text plan", async () => {
        const result = await withProgramPlus(() => {
            new azuread.Group("admins", { displayName: "dbt admins", securityEnabled: true, members: [ATTACKER] });
        }, () => plan(["--at", AT]));
        assert.equal(result.code, 3, result.stderr);
        assert.match(result.stdout, /FAIL {2}declared-resources-only \(mandatory\)\n {8}admins: is a azuread:index\/group:Group, a resource type the program does not declare\./);
        assert.match(result.stdout.trimEnd().split("\n").pop() ?? "", /^plan: \d+ resources, 1 policy violation \(1 mandatory\)$/);
    });
});

describe("teardown through the gate (issue 18 item 6)", function () {
    this.timeout(60_000);
    const stack = { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", "dbt-azure-devops:owners": ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"], "dbt-azure-devops:protectApplication": false };

    it("plans an unprotected app clean once the pack config names the stack in teardownStacks, and refuses it otherwise", async () => {
        const dir = projectWith("retire", { config: stack });
        const refused = await plan(["--stack", "retire", "--at", AT], dir);
        assert.equal(refused.code, 3);
        assert.match(refused.stdout, /FAIL {2}entra-app-protected \(mandatory\)\n {8}dbt-azure-devops-app: is not protected: .*To tear stack retire down on purpose, name it in the policy config's teardownStacks/);

        fs.mkdirSync(path.join(dir, "policy"));
        fs.writeFileSync(path.join(dir, "policy", "config.json"), JSON.stringify({ "entra-app-protected": { teardownStacks: ["retire"] } }));
        const allowed = await plan(["--stack", "retire", "--at", AT], dir);
        assert.equal(allowed.code, 0, allowed.stdout);
        assert.match(allowed.stdout, /\+ dbt-azure-devops-app {2}\[azuread:index\/application:Application\] {2}\(parent dbt-azure-devops\)\n/, "planned without protect");

        fs.writeFileSync(path.join(dir, "policy", "config.json"), JSON.stringify({ "entra-app-protected": { teardownStacks: ["prod"] } }));
        assert.equal((await plan(["--stack", "retire", "--at", AT], dir)).code, 3, "another stack's teardown does not cover this one");
    });
});
