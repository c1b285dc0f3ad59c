/**
 * The policy pack through the real analyzer, and stack config written by `pulumi config set` as a
 * user types it, read back by the program under the real engine. Previews only: nothing is created.
 */
import * as assert from "assert";
import * as path from "path";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

describe("engine: policy pack and pulumi config set", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    const policyPack = () => path.join(ws.projectDir, "policy");

    it("8a. the policy pack passes the dev stack", async () => {
        const result = await ws.pulumi(["preview", "--policy-pack", policyPack()]);
        assert.match(result.stdout, /dbt-azure-devops@v1\.0\.0/, "the pack ran");
        assert.doesNotMatch(result.stdout, /mandatory/i);
    });

    it("8b. a stack that breaks a mandatory rule fails the preview, naming the rule", async () => {
        await ws.pulumi(["config", "set", "protectApplication", "false"]);
        const result = await ws.pulumi(["preview", "--policy-pack", policyPack()], { allowFailure: true });
        assert.notStrictEqual(result.code, 0);
        assert.match(result.stdout, /- \[mandatory\]\s+entra-app-protected\s+\(azuread:index:Application: dbt-azure-devops-app\)/);
        await ws.pulumi(["config", "rm", "protectApplication"]);
    });

    it("10a. values set with pulumi config set (lists by --path, integers, booleans) reach the program", async () => {
        await ws.pulumi(["config", "set", "--path", "adoProjects[0]", "Analytics"]);
        await ws.pulumi(["config", "set", "--path", "adoProjects[1]", "Web"]);
        await ws.pulumi(["config", "set", "secretRotationDays", "30"]);
        await ws.pulumi(["config", "set", "adminConsent", "false"]);
        const preview = JSON.parse((await ws.pulumi(["preview", "--json"])).stdout) as { steps: Array<{ op: string; urn: string; newState?: { inputs?: Record<string, unknown> } }> };
        const urns = preview.steps.map((s) => s.urn);
        const grants = preview.steps.filter((s) => s.urn.includes("ProjectPermissions::")).map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort();
        // Both grants are new to this never-deployed stack: Analytics kept at [0], Web in place of Data Platform at [1].
        assert.deepStrictEqual(grants, ["create dbt-azure-devops-ado-project-analytics", "create dbt-azure-devops-ado-project-web"]);
        assert.ok(!urns.some((u) => u.includes("ServicePrincipalDelegatedPermissionGrant")), "adminConsent false drops the consent grant");
        // A 30-day period: the current secret lives two periods plus the overlap (14 days) from its period's start.
        const rotation = preview.steps.find((s) => s.urn.includes("ClientSecretRotation"));
        const current = rotation?.newState?.inputs?.current as { periodStart: string; endDate: string } | undefined;
        assert.ok(current, "the rotation resource is planned");
        assert.strictEqual((Date.parse(current!.endDate) - Date.parse(current!.periodStart)) / 86_400_000, 2 * 30 + 14);
    });

    it("10b. a value of the wrong type is refused with the key named", async () => {
        await ws.pulumi(["config", "set", "secretRotationDays", "ninety"]);
        const wrongType = await ws.pulumi(["preview"], { allowFailure: true });
        assert.notStrictEqual(wrongType.code, 0);
        assert.match(wrongType.stdout + wrongType.stderr, /secretRotationDays/);
        await ws.pulumi(["config", "set", "secretRotationDays", "90"]);

        await ws.pulumi(["config", "set", "--path", "owners[0]", "not-a-guid"]);
        const badOwner = await ws.pulumi(["preview"], { allowFailure: true });
        assert.notStrictEqual(badOwner.code, 0);
        assert.match(badOwner.stdout + badOwner.stderr, /owners/);
        assert.doesNotMatch(badOwner.stdout + badOwner.stderr, /    at [\w.<>]+ \(/, "no stack trace");
    });
});
