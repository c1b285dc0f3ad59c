/**
 * The daily drift job's Graph audit (issue 17, item 6) under the real engine: `pulumi up` of dev,
 * then edits made the way the portal makes them (straight into the fake tenant, past Pulumi), then
 * `pulumi stack export | node dist/tools/audit/cli.js`, exactly as the drift job pipes it.
 */
import * as assert from "assert";
import * as path from "path";
import { everySecret } from "./handoverChecks";
import { MICROSOFT_GRAPH_APP_ID, newServicePrincipalObject } from "./fakeAzuread/tenant";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { EngineWorkspace, RunResult } from "./workspace";

const CLI = path.join(__dirname, "..", "..", "tools", "audit", "cli.js");
const USER_READ = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";
const PORTAL_OWNER = "0a0b0c0d-0000-4000-8000-00000000beef";
const HAND_MADE_KEY = "0e1d2c3b-0000-4000-8000-0000000000aa";

describe("engine: the drift job's Graph audit of the deployed app", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    /** The drift job's command: the state export piped into the audit, in the workspace's environment. */
    async function audit(): Promise<RunResult> {
        const pulumi = path.join(ws.bin, "pulumi");
        return ws.run("bash", ["-c", `set -o pipefail; "${pulumi}" stack export --stack dev --non-interactive | node "${CLI}"`], { allowFailure: true });
    }

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
        // Microsoft Graph's principal, so the audit can name the permission it publishes (a tenant has it).
        ws.updateTenant((t) => {
            t.servicePrincipals.push(newServicePrincipalObject({
                clientId: MICROSOFT_GRAPH_APP_ID, displayName: "Microsoft Graph", applicationTenantId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
                oauth2PermissionScopes: [{ id: USER_READ, value: "User.Read", type: "User", enabled: true, adminConsentDisplayName: "Sign in and read user profile",
                    adminConsentDescription: "", userConsentDisplayName: "", userConsentDescription: "" }],
            }));
        });
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
    });
    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("1. right after up, the app is exactly as declared (exit 0)", async () => {
        const result = await audit();
        assert.strictEqual(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /the app "dbt Labs Azure DevOps App \(dev\)" \(client id [0-9a-f-]{36}\) of stack dev is exactly as declared: .* and the instance property lock\./);
    });

    it("2. portal edits past Pulumi: the audit fails (exit 1) naming each, with its fix, and prints no secret", async () => {
        const now = new Date();
        ws.updateTenant((t) => {
            const app = t.applications[0];
            app.passwords.push({
                keyId: HAND_MADE_KEY, displayName: "quick test from the portal", startDate: now.toISOString(), endDate: new Date(now.getTime() + 180 * 86_400_000).toISOString(),
                value: "portal-secret-value-not-real-0123456789ab", hint: "por", createdAt: now.toISOString(),
            });
            app.web.redirectUris.push("https://jwt.ms");
            app.requiredResourceAccesses.push({ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: [{ id: USER_READ, type: "Scope" }] });
            app.owners.push(PORTAL_OWNER);
            app.servicePrincipalLockConfiguration = { isEnabled: false };
        });
        const result = await audit();
        assert.strictEqual(result.code, 1, result.stdout + result.stderr);
        const lines = result.stdout.split("\n").filter((l) => l.startsWith("  "));
        const clientId = ws.tenant().applications[0].clientId;
        const expected: RegExp[] = [
            new RegExp(`^  credentials: found password credential ${HAND_MADE_KEY} "quick test from the portal" .*made by hand.*Fix: if nobody needs it, az ad app credential delete --id ${clientId} --key-id ${HAND_MADE_KEY};`),
            /^ {2}redirect URIs: found web redirect URI https:\/\/jwt\.ms: .*declared: web redirect URIs https:\/\/ab123\.us1\.dbt\.com\/complete\/azure_active_directory\. Fix: pulumi up --refresh --stack dev/,
            new RegExp(`^  owners: found owner user ${PORTAL_OWNER} of the app: .*Fix: az ad app owner remove --id ${clientId} --owner-object-id ${PORTAL_OWNER}$`),
            new RegExp(`^  required access: found API permission Microsoft Graph User\\.Read \\(delegated, ${USER_READ}\\); declared: only Azure DevOps user_impersonation \\(delegated, .*\\)\\. Fix: pulumi up --refresh --stack dev`),
            /^ {2}instance lock: found the app instance property lock lifted \(isEnabled=false, .*declared: isEnabled=true, allProperties=true.*Fix: pulumi up --refresh --stack dev/,
        ];
        assert.strictEqual(lines.length, expected.length, result.stdout);
        expected.forEach((pattern, i) => assert.match(lines[i], pattern));
        const secrets = everySecret(clouds, ws.tenant());
        assert.ok(!secrets.some((s) => (result.stdout + result.stderr).includes(s)), "the audit printed a secret");
        assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\./.test(result.stdout + result.stderr), "the audit printed a token"); // JWT-shaped, as Entra's are
    });

    it("3. the fixes it names work: `pulumi up --refresh` repairs what Pulumi owns, the az command the rest", async () => {
        await ws.pulumi(["up", "--refresh", "--yes", "--skip-preview"]);
        const partly = await audit();
        assert.strictEqual(partly.code, 1, partly.stdout + partly.stderr);
        const lines = partly.stdout.split("\n").filter((l) => l.startsWith("  "));
        assert.strictEqual(lines.length, 1, partly.stdout);
        assert.match(lines[0], new RegExp(`^  credentials: found password credential ${HAND_MADE_KEY} `), "a hand-made secret is never touched by Pulumi");

        // What `az ad app credential delete --id <clientId> --key-id <keyId>` does.
        ws.updateTenant((t) => {
            t.applications[0].passwords = t.applications[0].passwords.filter((p) => p.keyId !== HAND_MADE_KEY);
        });
        const clean = await audit();
        assert.strictEqual(clean.code, 0, clean.stdout + clean.stderr);
    });
});
