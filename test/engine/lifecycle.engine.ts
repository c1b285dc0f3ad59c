/**
 * The real engine runs the real program for the `dev` stack, end to end, against the fake tenant,
 * Azure DevOps and dbt Cloud: preview, up, secrets kept out of state, a no-change preview with no
 * writes, and destroy.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../tools/projectRoot";

import { AZURE_DEVOPS_APP_ID, AZURE_DEVOPS_USER_IMPERSONATION_ID, callsMatching } from "./fakeAzuread/tenant";
import { allSecrets, countByMethod, FakeClouds, startEngineStack, stopEngineStack, TENANT } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

const ROOT = projectRoot();

const APP = "azuread:index/application:Application";

/** `(type, name)` of every resource in an engine preview's JSON, without the stack itself. */
function previewResources(json: string): string[] {
    const preview = JSON.parse(json) as { steps: Array<{ urn: string; op: string }> };
    return preview.steps
        .map((s) => s.urn.split("::"))
        .map((parts) => `${parts[2].split("$").pop()} ${parts[3]}`)
        .filter((line) => !line.startsWith("pulumi:pulumi:Stack"))
        .sort();
}

/** `(type, name)` of every resource the offline plan lists for `stack`. */
function offlinePlanResources(stack: string, at: Date): string[] {
    const out = execFileSync(process.execPath, [path.join(ROOT, "dist/tools/plan/cli.js"), "--stack", stack, "--json", "--at", at.toISOString()], { cwd: ROOT, encoding: "utf8" });
    const plan = JSON.parse(out) as { resources: Array<{ type: string; name: string }> };
    return plan.resources.map((r) => `${r.type} ${r.name}`).filter((line) => !line.startsWith("pulumi:pulumi:Stack")).sort();
}


describe("engine: dev stack lifecycle under the real Pulumi engine", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("1. pulumi preview plans the resources the offline plan lists", async () => {
        const at = new Date();
        const result = await ws.pulumi(["preview", "--json"]);
        const engine = previewResources(result.stdout);
        assert.deepStrictEqual(engine, offlinePlanResources("dev", at));
        assert.ok(engine.length >= 12, `preview planned only ${engine.length} resources`);
    });

    it("2. pulumi up leaves the fakes holding exactly the declared setup", async () => {
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const tenant = ws.tenant();
        assert.strictEqual(tenant.applications.length, 1);
        const app = tenant.applications[0];
        assert.strictEqual(app.signInAudience, "AzureADMultipleOrgs");
        assert.deepStrictEqual([...app.web.redirectUris].sort(), ["https://ab123.us1.dbt.com/complete/azure_active_directory"]);
        assert.deepStrictEqual(app.requiredResourceAccesses, [{ resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: AZURE_DEVOPS_USER_IMPERSONATION_ID, type: "Scope" }] }]);
        assert.strictEqual(app.passwords.length, 1, "a first deploy mints the current slot's secret only: nobody holds a previous one");
        assert.deepStrictEqual(app.servicePrincipalLockConfiguration, {
            isEnabled: true, allProperties: true, credentialsWithUsageVerify: true, credentialsWithUsageSign: true, identifierUris: true, tokenEncryptionKeyId: true,
        }, "the app instance property lock is set");
        const sp = tenant.servicePrincipals.find((s) => s.clientId === app.clientId);
        assert.ok(sp, "the app's service principal exists");
        assert.ok(tenant.grants.some((g) => g.clientId === sp!.objectId && g.scope.split(" ").includes("user_impersonation")), "admin consent for user_impersonation");

        const entitlement = [...clouds.ado.entitlements.values()].find((e) => e.originId === sp!.objectId);
        assert.ok(entitlement, "the principal is an organization user");
        assert.strictEqual(entitlement!.license, "express");
        assert.ok(clouds.ado.memberships.size >= 2, "Readers membership on both projects");

        const newest = [...app.passwords].sort((a, b) => a.endDate.localeCompare(b.endDate)).pop()!;
        assert.strictEqual(clouds.dbtSecret(), newest.value, "dbt Cloud holds the newest secret");
        const record = clouds.dbt.records.find((r) => r.active)!;
        assert.strictEqual(record.fields.client_id, app.clientId);
        assert.strictEqual(record.fields.organization_name, "contoso-data");
        assert.strictEqual(record.fields.azure_service_authentication_method, "service_principal");
    });

    it("3. the client secret went from Entra to dbt Cloud only: not in state, not even decrypted, nor in any backend file", async () => {
        const secrets = allSecrets(ws.tenant());
        for (const args of [["stack", "export"], ["stack", "export", "--show-secrets"]]) {
            const exported = (await ws.pulumi(args)).stdout;
            assert.ok(!secrets.some((secret) => exported.includes(secret)), `pulumi ${args.join(" ")} holds a secret`);
        }
        const backend = ws.backendText();
        assert.ok(!secrets.some((secret) => backend.includes(secret)), "a backend file leaks a secret");
        const shown = JSON.parse((await ws.pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as Record<string, unknown>;
        assert.strictEqual(shown.clientSecret, undefined, "no clientSecret output when dbt Cloud gets the secret");
        assert.strictEqual(shown.clientSecretKeyId, ws.tenant().applications[0].passwords[0].keyId);
    });

    it("4. a second preview shows no change, and no fake saw a write", async () => {
        clouds.forget();
        const before = ws.tenant().calls.length;
        const result = await ws.pulumi(["preview", "--json", "--expect-no-changes"]);
        const preview = JSON.parse(result.stdout) as { steps: Array<{ op: string }>; changeSummary: Record<string, number> };
        assert.deepStrictEqual([...new Set(preview.steps.map((s) => s.op))], ["same"]);
        // The JSON lists changed steps only; its summary counts every unchanged resource.
        assert.deepStrictEqual(Object.keys(preview.changeSummary), ["same"]);
        assert.ok(preview.changeSummary.same >= 13, JSON.stringify(preview.changeSummary));
        const tenantCalls = ws.tenant().calls.slice(before);
        // A token request (POST to the token endpoint) writes nothing.
        const writes = [...clouds.requests().filter((r) => r.method !== "GET" && r.method !== "HEAD" && !r.path.endsWith("/oauth2/v2.0/token")).map((r) => `${r.method} ${r.path}`), ...tenantCalls.filter((c) => !["read", "invoke", "token", "graph:get"].includes(c.op)).map((c) => `${c.op} ${c.type ?? c.id}`)];
        assert.deepStrictEqual(writes, []);
        console.log(`      no-change preview reads: Azure DevOps ${JSON.stringify(countByMethod(clouds.ado.server.requests))}, dbt Cloud ${JSON.stringify(countByMethod(clouds.dbt.server.requests))}, azuread ${tenantCalls.length} calls`);
    });

    it("7. destroy is refused while the app is protected; unprotected, it removes all but the directory connection", async () => {
        // With its preview (the default), the engine refuses before deleting anything. Measured
        // here: `--skip-preview` deletes every dependant first and fails only at the app, so the
        // README says never to skip a destroy's preview.
        const refused = await ws.pulumi(["destroy", "--yes"], { allowFailure: true });
        assert.notStrictEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, /cannot be deleted\s+because it is protected/);
        const untouched = ws.tenant();
        assert.strictEqual(untouched.applications.length, 1, "nothing deleted in the tenant");
        assert.strictEqual(untouched.applications[0].passwords.length, 1, "the secret kept");
        assert.deepStrictEqual(clouds.dbt.records.map((r) => r.active), [true], "dbt Cloud's record kept");
        assert.strictEqual(clouds.ado.entitlements.size, 1, "the entitlement kept");

        await ws.pulumi(["config", "set", "protectApplication", "false"]);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        await ws.pulumi(["destroy", "--yes"]);
        const tenant = ws.tenant();
        assert.deepStrictEqual(tenant.applications, []);
        assert.deepStrictEqual(tenant.servicePrincipals.map((s) => s.clientId), [AZURE_DEVOPS_APP_ID], "only Microsoft's Azure DevOps principal is left");
        assert.strictEqual(clouds.ado.orgTenants.get("contoso-data"), TENANT, "the organization stays connected");
        assert.strictEqual(clouds.ado.entitlements.size, 0);
        assert.strictEqual(clouds.dbt.records.length, 1);
        assert.strictEqual(clouds.dbt.records[0].active, false, "dbt Cloud's record is soft-deleted");
        assert.ok(callsMatching(tenant, { op: "graph:removePassword", outcome: "ok" }).length >= 1, "the secret was removed over Graph");
        assert.ok(callsMatching(tenant, { op: "delete", type: APP }).length === 1);
        assert.ok(fs.existsSync(ws.stackFile("dev")));
    });
});
