/**
 * The drift audit (tools/audit) against the fake Entra and Graph (test/entra/fakeEntra.ts with the
 * audit's reads, test/entra/fakeGraphAudit.ts), every collection paged one item at a time: one
 * test per kind of difference, all of them at once, a clean app, what the stack declares beyond
 * the program's own resources, and every way the audit cannot run (exit 2).
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { appSecretCredential } from "../../lib/http/entraCredential";
import { GRAPH_MAX_PAGES } from "../../providers/entra/api/directoryReads";
import { runAuditCommand } from "../../tools/audit/cli";
import { Area, AREAS } from "../../tools/audit/findings";
import {
    DEFAULT_DEPLOYER_CLIENT_ID, DEFAULT_TENANT_ID, MICROSOFT_GRAPH_APP_ID, readTenant, Tenant, updateTenant,
} from "../engine/fakeAzuread/tenant";
import { DEFAULT_DEPLOYER_SECRET, FakeEntra, FakeEntraEnv } from "../entra/fakeEntra";
import { installAuditRoutes } from "../entra/fakeGraphAudit";
import { FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { deployedExport, encrypted, ExportedResource, IDS, password, REDIRECT_URI, resourceOf, StateExport, urn, writeDeployedTenant } from "./deployedStack";

const CLI = path.join(__dirname, "..", "..", "tools", "audit", "cli.js");
const FUTURE = "2027-06-01T00:00:00Z";
const PORTAL_USER = { objectId: "0a0b0c0d-0000-4000-8000-0000000000f1", displayName: "Pat Portal", userPrincipalName: "pat@contoso.onmicrosoft.com" };

interface Outcome {
    code: number;
    stdout: string;
    /** Standard error without the line saying the test override of Graph's address is in force. */
    stderr: string;
}

const OVERRIDE_NOTICE = /^AZURE_GRAPH_BASE_URL=https:\/\/127\.0\.0\.1:\d+ is in force \(test overrides on\): Graph calls go there instead of https:\/\/graph\.microsoft\.com\.\n/;

/** A difference from the deployed stack: how to make it, and the line the audit must print for it. */
interface Drift {
    name: string;
    seed: (tenant: Tenant, state: StateExport) => void;
    line: RegExp;
}

const app = (t: Tenant) => t.applications[0];
const sp = (t: Tenant) => t.servicePrincipals.find((s) => s.objectId === IDS.sp)!;

const DRIFTS: Drift[] = [
    {
        name: "a password credential made by hand",
        seed: (t) => app(t).passwords.push(password("0e1d2c3b-0000-4000-8000-0000000000b1", "Someone's script", FUTURE, "handmade-secret-value-not-real-0123456")),
        line: new RegExp(`^credentials: found password credential 0e1d2c3b-0000-4000-8000-0000000000b1 "Someone's script" \\(ends 2027-06-01\\), made by hand or by another tool: .*; ` +
            `declared: only slot a of dbt-azure-devops-secret-rotation \\(key ${IDS.slotA}\\) and slot b of dbt-azure-devops-secret-rotation \\(key ${IDS.slotB}\\)\\. ` +
            `Fix: if nobody needs it, az ad app credential delete --id ${IDS.client} --key-id 0e1d2c3b-0000-4000-8000-0000000000b1;`),
    },
    {
        name: "an orphan of a killed run, marked with this stack's marker",
        seed: (t) => app(t).passwords.push(password("0e1d2c3b-0000-4000-8000-0000000000b2", "dbt Cloud slot a 2026-12-16 [pulumi dbt-azure-devops/dev 0badf00d]", FUTURE, "orphan-secret-value-not-real-0123456789")),
        line: new RegExp("^credentials: found password credential 0e1d2c3b-0000-4000-8000-0000000000b2 .*minted by this stack in a run that did not finish \\(an orphan\\); .*" +
            `Fix: run pulumi up --stack dev \\(the rotate pipeline\\) first: .*az ad app credential delete --id ${IDS.client} --key-id 0e1d2c3b-0000-4000-8000-0000000000b2$`),
    },
    {
        name: "a secret of the former ApplicationPassword slots",
        seed: (t) => app(t).passwords.push(password("0e1d2c3b-0000-4000-8000-0000000000b3", "dbt Cloud (slot b, from 2026-03-21)", "2026-12-31T00:00:00Z", "legacy-secret-value-not-real-01234567")),
        line: /^credentials: found password credential 0e1d2c3b-0000-4000-8000-0000000000b3 "dbt Cloud \(slot b, from 2026-03-21\)" .*left by the former ApplicationPassword slots; .*Fix: dbt Cloud holds the rotation's secret since the upgrade, so remove it: az ad app credential delete/,
    },
    {
        name: "the secret dbt Cloud holds is no longer listed by Entra",
        seed: (t) => {
            app(t).passwords = app(t).passwords.filter((p) => p.keyId !== IDS.slotB);
        },
        line: new RegExp(`^credentials: found no password credential ${IDS.slotB}: Entra no longer lists the secret dbt Cloud holds \\(slot b of dbt-azure-devops-secret-rotation\\), so dbt Cloud may hold a dead secret; ` +
            ".*Fix: run the rotate pipeline now, or pulumi up --stack dev \\(it mints a new secret, proves it and hands it to dbt Cloud\\)$"),
    },
    {
        name: "the previous slot's secret is no longer listed by Entra",
        seed: (t) => {
            app(t).passwords = app(t).passwords.filter((p) => p.keyId !== IDS.slotA);
        },
        line: new RegExp(`^credentials: found no password credential ${IDS.slotA} \\(slot a of dbt-azure-devops-secret-rotation, valid until 2026-12-30\\): Entra no longer lists it; ` +
            ".*Fix: dbt Cloud does not hold it, so nothing fails now; pulumi up --refresh --stack dev drops it from state"),
    },
    {
        name: "a certificate credential",
        seed: (t) => {
            app(t).keyCredentials = [{ keyId: "ce7ce7ce-0000-4000-8000-0000000000c1", displayName: "CN=laptop", type: "AsymmetricX509Cert", usage: "Verify", startDateTime: "2026-11-01T00:00:00Z", endDateTime: FUTURE }];
        },
        line: new RegExp(`^credentials: found certificate credential ce7ce7ce-0000-4000-8000-0000000000c1 "CN=laptop" \\(AsymmetricX509Cert, Verify, ends 2027-06-01\\): .*; declared: no certificate credentials\\. ` +
            `Fix: if nobody needs it, az ad app credential delete --id ${IDS.client} --key-id ce7ce7ce-0000-4000-8000-0000000000c1 --cert$`),
    },
    {
        name: "a federated identity credential",
        seed: (t) => {
            app(t).federatedIdentityCredentials = [{ id: "fede0000-0000-4000-8000-0000000000f1", name: "gh-main", issuer: "https://token.actions.githubusercontent.com", subject: "repo:someone/else:ref:refs/heads/main", audiences: ["api://AzureADTokenExchange"] }];
        },
        line: new RegExp("^credentials: found federated identity credential fede0000-0000-4000-8000-0000000000f1 \"gh-main\" \\(issuer https://token\\.actions\\.githubusercontent\\.com, subject repo:someone/else:ref:refs/heads/main\\): .*; " +
            `declared: no federated identity credentials\\. Fix: if nobody needs it, az ad app federated-credential delete --id ${IDS.client} --federated-credential-id fede0000-0000-4000-8000-0000000000f1$`),
    },
    {
        name: "a password credential on the service principal",
        seed: (t) => {
            sp(t).passwordCredentials = [{ keyId: "5e5e5e5e-0000-4000-8000-0000000000e1", displayName: "sp secret", startDateTime: "2026-11-01T00:00:00Z", endDateTime: FUTURE }];
        },
        line: new RegExp(`^credentials: found password credential 5e5e5e5e-0000-4000-8000-0000000000e1 "sp secret" \\(ends 2027-06-01\\) on the app's service principal: .*Fix: if nobody needs it, az ad sp credential delete --id ${IDS.client} --key-id 5e5e5e5e-0000-4000-8000-0000000000e1$`),
    },
    {
        name: "a certificate credential on the service principal",
        seed: (t) => {
            sp(t).keyCredentials = [{ keyId: "ce7ce7ce-0000-4000-8000-0000000000e2", displayName: "CN=sp", type: "AsymmetricX509Cert", usage: "Verify", startDateTime: "2026-11-01T00:00:00Z", endDateTime: FUTURE }];
        },
        line: new RegExp("^credentials: found certificate credential ce7ce7ce-0000-4000-8000-0000000000e2 \"CN=sp\" .* on the app's service principal: .*; declared: no certificate credentials on the app's service principal\\. " +
            `Fix: if nobody needs it, az ad sp credential delete --id ${IDS.client} --key-id ce7ce7ce-0000-4000-8000-0000000000e2 --cert$`),
    },
    {
        name: "an undeclared web redirect URI",
        seed: (t) => app(t).web.redirectUris.push("https://jwt.ms"),
        line: new RegExp(`^redirect URIs: found web redirect URI https://jwt\\.ms: .*; declared: web redirect URIs ${REDIRECT_URI}\\. Fix: pulumi up --refresh --stack dev `),
    },
    {
        name: "a single-page-application redirect URI",
        seed: (t) => {
            app(t).spa = { redirectUris: ["https://attacker.example/spa"] };
        },
        line: /^redirect URIs: found single-page application \(spa\) redirect URI https:\/\/attacker\.example\/spa: .*; declared: no single-page application \(spa\) redirect URIs\. Fix: pulumi up --refresh --stack dev/,
    },
    {
        name: "a public-client redirect URI",
        seed: (t) => {
            app(t).publicClient = { redirectUris: ["http://localhost:8400"] };
        },
        line: /^redirect URIs: found mobile and desktop \(publicClient\) redirect URI http:\/\/localhost:8400: .*declared: no mobile and desktop \(publicClient\) redirect URIs\. Fix: pulumi up --refresh --stack dev/,
    },
    {
        name: "a declared redirect URI removed",
        seed: (t) => {
            app(t).web.redirectUris = app(t).web.redirectUris.filter((u) => u !== REDIRECT_URI);
        },
        line: new RegExp(`^redirect URIs: found no web redirect URI ${REDIRECT_URI}: sign-ins through dbt Cloud fail with AADSTS50011 until it is back; .*Fix: pulumi up --refresh --stack dev \\(it adds it again\\)$`),
    },
    {
        name: "public client flows turned on",
        seed: (t) => {
            app(t).isFallbackPublicClient = true;
        },
        line: /^sign-in: found public client flows on \(isFallbackPublicClient\); declared: public client flows off\. Fix: pulumi up --refresh --stack dev/,
    },
    {
        name: "the implicit grant turned on",
        seed: (t) => {
            app(t).web.implicitGrant.accessTokenIssuanceEnabled = true;
        },
        line: /^sign-in: found implicit grant of access tokens on, of ID tokens off; declared: implicit grant of access tokens off, of ID tokens off\. Fix: pulumi up --refresh --stack dev/,
    },
    {
        name: "the app made single-tenant",
        seed: (t) => {
            app(t).signInAudience = "AzureADMyOrg";
        },
        line: /^sign-in: found signInAudience AzureADMyOrg; declared: signInAudience AzureADMultipleOrgs\. Fix: pulumi up --refresh --stack dev/,
    },
    {
        name: "an owner added to the app",
        seed: (t) => {
            t.users = [...(t.users ?? []), PORTAL_USER];
            app(t).owners.push(PORTAL_USER.objectId);
        },
        line: new RegExp(`^owners: found owner user pat@contoso\\.onmicrosoft\\.com \\(${PORTAL_USER.objectId}\\) of the app: .*; declared: owners ${IDS.owner}\\. ` +
            `Fix: az ad app owner remove --id ${IDS.client} --owner-object-id ${PORTAL_USER.objectId}$`),
    },
    {
        name: "a declared owner removed from the app",
        seed: (t) => {
            app(t).owners = app(t).owners.filter((o) => o !== IDS.owner);
        },
        line: new RegExp(`^owners: found ${IDS.owner} not among the app's owners; declared: owners ${IDS.owner}\\. Fix: az ad app owner add --id ${IDS.client} --owner-object-id ${IDS.owner} `),
    },
    {
        name: "an owner added to the service principal",
        seed: (t) => sp(t).owners.push("0a0b0c0d-0000-4000-8000-0000000000f2"),
        line: new RegExp(`^owners: found owner user 0a0b0c0d-0000-4000-8000-0000000000f2 of the app's service principal; declared: owners ${IDS.owner}\\. ` +
            `Fix: az rest --method DELETE --url 'https://127\\.0\\.0\\.1:\\d+/v1\\.0/servicePrincipals/${IDS.sp}/owners/0a0b0c0d-0000-4000-8000-0000000000f2/\\$ref'$`),
    },
    {
        name: "a declared owner removed from the service principal",
        seed: (t) => {
            sp(t).owners = sp(t).owners.filter((o) => o !== IDS.owner);
        },
        line: new RegExp(`^owners: found ${IDS.owner} not among the service principal's owners; declared: owners ${IDS.owner}\\. ` +
            `Fix: az rest --method POST --url 'https://127\\.0\\.0\\.1:\\d+/v1\\.0/servicePrincipals/${IDS.sp}/owners/\\$ref' --body '\\{"@odata\\.id": "https://127\\.0\\.0\\.1:\\d+/v1\\.0/directoryObjects/${IDS.owner}"\\}'$`),
    },
    {
        name: "Microsoft Graph User.Read re-added in the portal",
        seed: (t) => app(t).requiredResourceAccesses.push({ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccesses: [{ id: IDS.userRead, type: "Scope" }] }),
        line: new RegExp(`^required access: found API permission Microsoft Graph User\\.Read \\(delegated, ${IDS.userRead}\\); declared: only Azure DevOps user_impersonation \\(delegated, ee69721e-6c3a-468f-a9ec-302d16a4c599\\)\\. ` +
            `Fix: pulumi up --refresh --stack dev \\(.*\\), or az ad app permission delete --id ${IDS.client} --api ${MICROSOFT_GRAPH_APP_ID} --api-permissions ${IDS.userRead};`),
    },
    {
        name: "an application permission granted to the service principal",
        seed: (t) => {
            t.appRoleAssignments = [...(t.appRoleAssignments ?? []), {
                id: "aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa", appRoleId: IDS.directoryReadAll, principalId: IDS.sp, principalType: "ServicePrincipal",
                principalDisplayName: "dbt Labs Azure DevOps App (dev)", resourceId: IDS.graphSp, resourceDisplayName: "Microsoft Graph", createdDateTime: "2026-12-01T00:00:00Z",
            }];
        },
        line: new RegExp("^app roles: found Directory\\.Read\\.All of Microsoft Graph granted to the app's service principal \\(an application permission: .*; declared: no app roles held by the app's service principal\\. " +
            `Fix: az rest --method DELETE --url 'https://127\\.0\\.0\\.1:\\d+/v1\\.0/servicePrincipals/${IDS.sp}/appRoleAssignments/aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa1aRa'$`),
    },
    {
        name: "a user assigned to the app",
        seed: (t) => {
            t.appRoleAssignments = [...(t.appRoleAssignments ?? []), {
                id: "aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa", appRoleId: "00000000-0000-0000-0000-000000000000", principalId: PORTAL_USER.objectId, principalType: "User",
                principalDisplayName: PORTAL_USER.displayName, resourceId: IDS.sp, resourceDisplayName: "dbt Labs Azure DevOps App (dev)", createdDateTime: "2026-12-01T00:00:00Z",
            }];
        },
        line: new RegExp(`^app roles: found User Pat Portal \\(${PORTAL_USER.objectId}\\) assigned to the app .*; declared: nobody assigned to the app\\. ` +
            `Fix: if nobody meant it, az rest --method DELETE --url 'https://127\\.0\\.0\\.1:\\d+/v1\\.0/servicePrincipals/${IDS.sp}/appRoleAssignedTo/aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa2aRa'$`),
    },
    {
        name: "tenant-wide consent to another API",
        seed: (t) => t.grants.push({ id: "gRaNtGrApH", clientId: IDS.sp, resourceId: IDS.graphSp, scope: "User.Read Mail.Read", consentType: "AllPrincipals", principalId: "", createdAt: "2026-12-01T00:00:00Z" }),
        line: /^delegated grants: found tenant-wide consent to Microsoft Graph User\.Read Mail\.Read \(grant gRaNtGrApH\); declared: tenant-wide consent to Azure DevOps user_impersonation only\. Fix: az rest --method DELETE --url 'https:\/\/127\.0\.0\.1:\d+\/v1\.0\/oauth2PermissionGrants\/gRaNtGrApH'$/,
    },
    {
        name: "a user's consent to a scope the app does not declare",
        seed: (t) => t.grants.push({ id: "gRaNtUsEr", clientId: IDS.sp, resourceId: IDS.graphSp, scope: "User.Read", consentType: "Principal", principalId: PORTAL_USER.objectId, createdAt: "2026-12-01T00:00:00Z" }),
        line: new RegExp(`^delegated grants: found user ${PORTAL_USER.objectId} consented for the app to Microsoft Graph User\\.Read \\(grant gRaNtUsEr\\), which the app does not declare it needs; ` +
            "declared: no API permission on Microsoft Graph\\. Fix: az rest --method DELETE --url 'https://127\\.0\\.0\\.1:\\d+/v1\\.0/oauth2PermissionGrants/gRaNtUsEr'$"),
    },
    {
        name: "the declared tenant-wide consent revoked",
        seed: (t) => {
            t.grants = t.grants.filter((g) => g.id !== IDS.grant);
        },
        line: /^delegated grants: found no tenant-wide consent to Azure DevOps user_impersonation: every user is asked to consent .*Fix: pulumi up --refresh --stack dev \(it grants it again\)$/,
    },
    {
        name: "the instance property lock lifted",
        seed: (t) => {
            app(t).servicePrincipalLockConfiguration = { isEnabled: false };
        },
        line: /^instance lock: found the app instance property lock lifted \(isEnabled=false, allProperties=false, .*\): .*; declared: isEnabled=true, allProperties=true, .*\. Fix: pulumi up --refresh --stack dev \(the AppInstanceLock resource/,
    },
];

describe("drift audit: the app over Graph against the stack's state export", function () {
    this.timeout(30_000);
    let dir: string;
    let tenantFile: string;
    let entra: FakeEntra;
    let entraEnv: FakeEntraEnv;
    let restoreEnv: () => void;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-ado-audit-"));
        tenantFile = path.join(dir, "tenant.json");
        writeDeployedTenant(tenantFile);
        entra = new FakeEntra(tenantFile);
        // Every collection one item a page: each list the audit reads is followed across pages.
        installAuditRoutes(entra, { pageSize: 1 });
        entraEnv = await entra.start();
        restoreEnv = useEnv({ ...FAST_HTTP_ENV, DBT_ADO_GRAPH_LAG_PAUSE_MS: "10" });
    });
    after(async () => {
        restoreEnv();
        await entra.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        writeDeployedTenant(tenantFile);
        entra.server.reset();
    });

    const env = () => ({ ...entraEnv, DBT_ADO_TEST_OVERRIDES: "1" });

    /** The audit as the drift job runs it, in-process; the identity signs in with its client secret at the fake authority. */
    async function audit(state: StateExport | string, options: { credential?: Parameters<typeof runAuditCommand>[1]["credential"]; argv?: string[] } = {}): Promise<Outcome> {
        let stdout = "";
        let stderr = "";
        const code = await runAuditCommand(options.argv ?? [], {
            stdin: typeof state === "string" ? state : JSON.stringify(state),
            stdout: (t) => (stdout += t),
            stderr: (t) => (stderr += t),
            env: env(),
            credential: options.credential ?? appSecretCredential(DEFAULT_TENANT_ID, DEFAULT_DEPLOYER_CLIENT_ID, DEFAULT_DEPLOYER_SECRET, env()),
        });
        return { code, stdout, stderr: stderr.replace(OVERRIDE_NOTICE, "") };
    }

    function findingLines(outcome: Outcome): string[] {
        return outcome.stdout.split("\n").filter((l) => l.startsWith("  ")).map((l) => l.slice(2));
    }

    function secretsOf(tenant: Tenant): string[] {
        return [DEFAULT_DEPLOYER_SECRET, ...tenant.applications.flatMap((a) => a.passwords.map((p) => p.value))];
    }

    it("a clean app: exit 0, one line saying what was checked, every list read across its pages, nothing written", async () => {
        // Two owners, so the owner lists take two pages.
        const state = deployedExport();
        const application = resourceOf(state, "azuread:index/application:Application");
        application.inputs = { ...application.inputs, owners: [IDS.owner, PORTAL_USER.objectId] };
        updateTenant(tenantFile, (t) => t.applications[0].owners.push(PORTAL_USER.objectId));
        const outcome = await audit(state);
        assert.strictEqual(outcome.code, 0, outcome.stdout + outcome.stderr);
        assert.strictEqual(outcome.stdout,
            `the app "dbt Labs Azure DevOps App (dev)" (client id ${IDS.client}) of stack dev is exactly as declared: credentials, redirect URIs, sign-in settings, owners, ` +
            "required access, app roles, delegated grants and the instance property lock.\n");
        const requests = entra.server.requests;
        assert.deepStrictEqual([...new Set(requests.map((r) => r.method))].sort(), ["GET", "POST"], "reads, and the token request");
        assert.ok(requests.filter((r) => r.method === "POST").every((r) => /\/oauth2\/v2\.0\/token$/.test(r.path)), "the only POST is the token request");
        assert.deepStrictEqual(requests.filter((r) => r.path.endsWith("/owners")).map((r) => `${r.path.replace(/^.*\/(applications|servicePrincipals)\/.*$/, "$1")} ${r.query.get("$skiptoken") ?? "-"}`).sort(),
            ["applications -", "applications 1", "servicePrincipals -"], "the app's second page of owners was followed");
    });

    for (const drift of DRIFTS) {
        it(`reports ${drift.name} (exit 1, one line: found, declared, fix)`, async () => {
            const state = deployedExport();
            updateTenant(tenantFile, (t) => drift.seed(t, state));
            const outcome = await audit(state);
            assert.strictEqual(outcome.code, 1, outcome.stdout + outcome.stderr);
            const lines = findingLines(outcome);
            assert.strictEqual(lines.length, 1, outcome.stdout);
            assert.match(lines[0], drift.line);
            assert.match(outcome.stdout, new RegExp(`^Drift: the app "dbt Labs Azure DevOps App \\(dev\\)" \\(client id ${IDS.client}\\) of stack dev differs from what the stack declares in 1 way:\n`));
            assert.match(outcome.stdout, /\nEach finding, and what to do about it: docs\/drift-audit\.md\.\n$/);
            assert.strictEqual(outcome.stderr, "");
        });
    }

    it("every difference at once: every line present, in area order, exit 1, and no secret or token printed", async () => {
        const state = deployedExport();
        updateTenant(tenantFile, (t) => DRIFTS.forEach((d) => d.seed(t, state)));
        const outcome = await audit(state);
        assert.strictEqual(outcome.code, 1, outcome.stderr);
        const lines = findingLines(outcome);
        assert.strictEqual(lines.length, DRIFTS.length, outcome.stdout);
        for (const drift of DRIFTS) {
            assert.strictEqual(lines.filter((l) => drift.line.test(l)).length, 1, `${drift.name}: ${drift.line}\n${outcome.stdout}`);
        }
        const areas = lines.map((l) => l.slice(0, l.indexOf(":")));
        assert.deepStrictEqual(areas, [...areas].sort((a, b) => AREAS.indexOf(a as Area) - AREAS.indexOf(b as Area)));
        assert.match(outcome.stdout, new RegExp(`in ${DRIFTS.length} ways:\n`));
        const printed = outcome.stdout + outcome.stderr;
        const secrets = secretsOf(readTenant(tenantFile));
        assert.ok(!secrets.some((s) => printed.includes(s)), "a secret value was printed");
        assert.ok(!/eyJ[\w-]+\.eyJ[\w-]+\./.test(printed), "a token was printed"); // the fake's tokens are JWT-shaped, as Entra's are
    });

    it("what the stack itself declares for the app (a certificate, a federated credential, an owner, app roles, a per-user grant) is accepted, and missing when gone", async () => {
        const state = deployedExport();
        const app = `/applications/${IDS.app}`;
        const declare = (type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = {}): ExportedResource =>
            ({ urn: urn(type, name), custom: true, id: name, type, inputs, outputs: { ...inputs, ...outputs } });
        state.deployment.resources.push(
            declare("azuread:index/applicationCertificate:ApplicationCertificate", "cert", { applicationId: app, type: "AsymmetricX509Cert" }, { keyId: "ce7ce7ce-0000-4000-8000-0000000000d1" }),
            declare("azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential", "fic",
                { applicationId: app, issuer: "https://token.actions.githubusercontent.com", subject: "repo:contoso/dbt:environment:prod" }, { credentialId: "fede0000-0000-4000-8000-0000000000d2" }),
            declare("azuread:index/applicationOwner:ApplicationOwner", "owner", { applicationId: app, ownerObjectId: PORTAL_USER.objectId }),
            declare("azuread:index/appRoleAssignment:AppRoleAssignment", "held", { appRoleId: IDS.directoryReadAll, principalObjectId: IDS.sp, resourceObjectId: IDS.graphSp }),
            declare("azuread:index/appRoleAssignment:AppRoleAssignment", "given", { appRoleId: "00000000-0000-0000-0000-000000000000", principalObjectId: PORTAL_USER.objectId, resourceObjectId: IDS.sp }),
        );
        const live = (t: Tenant) => {
            t.applications[0].keyCredentials = [{ keyId: "ce7ce7ce-0000-4000-8000-0000000000d1", displayName: "CN=ci", type: "AsymmetricX509Cert", usage: "Verify", startDateTime: "2026-11-01T00:00:00Z", endDateTime: FUTURE }];
            t.applications[0].federatedIdentityCredentials = [{ id: "fede0000-0000-4000-8000-0000000000d2", name: "prod", issuer: "https://token.actions.githubusercontent.com", subject: "repo:contoso/dbt:environment:prod", audiences: ["api://AzureADTokenExchange"] }];
            t.applications[0].owners.push(PORTAL_USER.objectId);
            t.appRoleAssignments = [
                { id: "held", appRoleId: IDS.directoryReadAll, principalId: IDS.sp, principalType: "ServicePrincipal", principalDisplayName: "dbt", resourceId: IDS.graphSp, resourceDisplayName: "Microsoft Graph", createdDateTime: FUTURE },
                { id: "given", appRoleId: "00000000-0000-0000-0000-000000000000", principalId: PORTAL_USER.objectId, principalType: "User", principalDisplayName: "Pat", resourceId: IDS.sp, resourceDisplayName: "dbt", createdDateTime: FUTURE },
            ];
            // A user's own consent to what the app declares: theirs to give.
            t.grants.push({ id: "userAdo", clientId: IDS.sp, resourceId: "7e57a7e5-0000-4000-8000-0000000000a0", scope: "user_impersonation", consentType: "Principal", principalId: PORTAL_USER.objectId, createdAt: FUTURE });
        };
        updateTenant(tenantFile, live);
        const clean = await audit(state);
        assert.strictEqual(clean.code, 0, clean.stdout + clean.stderr);

        writeDeployedTenant(tenantFile);
        const gone = await audit(state);
        assert.strictEqual(gone.code, 1, gone.stderr);
        const lines = findingLines(gone);
        assert.deepStrictEqual(lines.map((l) => l.slice(0, l.indexOf(";"))), [
            "credentials: found no certificate credential ce7ce7ce-0000-4000-8000-0000000000d1",
            "credentials: found no federated identity credential fede0000-0000-4000-8000-0000000000d2",
            `owners: found ${PORTAL_USER.objectId} not among the app's owners`,
            "app roles: found no Directory.Read.All of Microsoft Graph for the app's service principal",
            `app roles: found no assignment of ${PORTAL_USER.objectId} to the app (role 00000000-0000-0000-0000-000000000000)`,
        ]);
    });

    it("a deleted app: one line saying so and how to restore it; a deleted service principal: one line and the up that recreates it", async () => {
        updateTenant(tenantFile, (t) => {
            t.applications = [];
        });
        const noApp = await audit(deployedExport());
        assert.strictEqual(noApp.code, 1, noApp.stderr);
        assert.deepStrictEqual(findingLines(noApp).length, 1);
        assert.match(findingLines(noApp)[0], new RegExp(`^app: found no application with client id ${IDS.client} in the directory; declared: the app registration "dbt Labs Azure DevOps App \\(dev\\)" \\(object id ${IDS.app}\\)\\. ` +
            `Fix: if it was deleted, restore it within 30 days .*directory/deletedItems/${IDS.app}/restore'\\), then pulumi up --refresh --stack dev;`));

        writeDeployedTenant(tenantFile);
        updateTenant(tenantFile, (t) => {
            t.servicePrincipals = t.servicePrincipals.filter((s) => s.objectId !== IDS.sp);
            t.grants = [];
        });
        const noSp = await audit(deployedExport());
        assert.strictEqual(noSp.code, 1, noSp.stderr);
        assert.deepStrictEqual(findingLines(noSp), [
            `app: found no service principal ${IDS.sp} for the app in the directory; declared: the app's service principal ${IDS.sp}. ` +
            "Fix: pulumi up --refresh --stack dev (it creates the principal again and grants the new one its Azure DevOps access and consent in the same run)",
        ]);
    });

    it("a stack without dbt Cloud: a missing held secret says to copy the new stack output into dbt Cloud", async () => {
        const state = deployedExport();
        const rotation = resourceOf(state, "pulumi-nodejs:dynamic/entra:ClientSecretRotation");
        for (const side of [rotation.inputs!, rotation.outputs!]) {
            side.handover = { kind: "stackOutput" };
        }
        rotation.outputs!.value = encrypted();
        updateTenant(tenantFile, (t) => {
            t.applications[0].passwords = t.applications[0].passwords.filter((p) => p.keyId !== IDS.slotB);
        });
        const outcome = await audit(state);
        assert.strictEqual(outcome.code, 1, outcome.stderr);
        assert.match(findingLines(outcome)[0], /the stack output clientSecret \(and so dbt Cloud\).*Fix: run the rotate pipeline now, or pulumi up --stack dev, then copy `pulumi stack output --show-secrets clientSecret --stack dev` into dbt Cloud$/);
    });

    describe("exit 2: the audit cannot run, and says why, every problem at once", () => {
        const cases: Array<{ name: string; stdin: () => string; message: RegExp }> = [
            { name: "nothing piped in", stdin: () => "", message: /^Nothing on standard input: pipe the stack's state into this command: `pulumi stack export --stack <stack> \| npm run -s audit-app`\.\n/ },
            { name: "not JSON (the preview's text)", stdin: () => "Previewing update (dev):\n", message: /^Standard input is not JSON: .*pulumi stack export/ },
            { name: "stack outputs instead of the export", stdin: () => JSON.stringify({ clientId: IDS.client, clientSecretExpiresAt: FUTURE }), message: /not a Pulumi state export .*That looks like `pulumi stack output --json`\./ },
            {
                name: "an export without the app (another stack, or never deployed)",
                stdin: () => JSON.stringify({ version: 3, deployment: { manifest: {}, resources: [{ urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack", custom: false }] } }),
                message: /holds no azuread:index\/application:Application: this stack has not deployed the app \(run `pulumi up` first\), or it is another stack's state \(check --stack\)\./,
            },
            {
                name: "an app whose creation never finished, and another whose owners are encrypted: both named",
                stdin: () => {
                    const state = deployedExport();
                    const application = resourceOf(state, "azuread:index/application:Application");
                    const pending: ExportedResource = { ...application, urn: `${application.urn}-2`, id: undefined, outputs: {} };
                    application.inputs = { ...application.inputs, owners: encrypted() };
                    state.deployment.resources.push(pending);
                    return JSON.stringify(state);
                },
                message: /^dbt-azure-devops-app: owners is a secret in state; export with `pulumi stack export --show-secrets`\.\ndbt-azure-devops-app-2 \(urn:pulumi:dev::.*\) has no objectId or clientId in state: its creation did not finish\. Run `pulumi up`/,
            },
        ];
        for (const c of cases) {
            it(c.name, async () => {
                const outcome = await audit(c.stdin());
                assert.strictEqual(outcome.code, 2);
                assert.strictEqual(outcome.stdout, "");
                assert.match(outcome.stderr, c.message);
                assert.match(outcome.stderr, /Usage: pulumi stack export --stack <stack> \| npm run -s audit-app/);
                assert.deepStrictEqual(entra.server.requests, [], "nothing was called");
            });
        }

        it("an unknown flag, and --help", async () => {
            const bad = await audit(deployedExport(), { argv: ["--stack", "dev"] });
            assert.strictEqual(bad.code, 2);
            assert.match(bad.stderr, /^unknown flag --stack\.\nunexpected argument "dev"\.\nUsage:/);
            const help = await audit("", { argv: ["--help"] });
            assert.strictEqual(help.code, 0);
            assert.match(help.stdout, /Exit status: 0 the app is exactly as declared; 1 drift/);
        });

        it("no credentials: says how to sign in, prints no stack trace", async () => {
            const outcome = await audit(deployedExport(), {
                credential: { getToken: async () => { throw Object.assign(new Error("ChainedTokenCredential authentication failed.\nCredentialUnavailableError: EnvironmentCredential is unavailable."), { name: "AggregateAuthenticationError" }); } },
            });
            assert.strictEqual(outcome.code, 2);
            assert.strictEqual(outcome.stdout, "");
            assert.match(outcome.stderr, /could not read Microsoft Graph, so nothing was judged: No Microsoft Graph token for the deploying identity \(ChainedTokenCredential authentication failed\.\)\. Sign in .*`az login`.*AZURE_TENANT_ID \+ AZURE_CLIENT_ID \+ AZURE_CLIENT_SECRET/);
            assert.ok(!/\n\s+at /.test(outcome.stderr), "no stack trace");
        });

        it("no permission to read (Graph's 403): names the endpoint and the permission to grant", async () => {
            entra.server.inject((r) => r.path.endsWith("/owners"), {
                kind: "status", status: 403,
                body: { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } },
            });
            const outcome = await audit(deployedExport());
            assert.strictEqual(outcome.code, 2);
            assert.strictEqual(outcome.stdout, "");
            assert.match(outcome.stderr, /GET https:\/\/127\.0\.0\.1:\d+\/v1\.0\/(applications|servicePrincipals)\/[0-9a-f-]+\/owners failed with HTTP 403: Authorization_RequestDenied: Insufficient privileges to complete the operation\. The identity running the audit needs the Microsoft Graph application permissions Application\.Read\.All and DelegatedPermissionGrant\.Read\.All .* Grant it, or run the audit as an identity that has it\./);
        });

        it("a next page on another host is not followed (the token would go there)", async () => {
            entra.server.inject((r) => r.path.endsWith("/federatedIdentityCredentials"), {
                kind: "status", status: 200, body: { value: [], "@odata.nextLink": "https://graph.attacker.example/v1.0/applications/x/federatedIdentityCredentials?$skiptoken=1" },
            });
            const outcome = await audit(deployedExport());
            assert.strictEqual(outcome.code, 2);
            assert.match(outcome.stderr, /federatedIdentityCredentials answered a next page on another host; not followed \(the token would go there\)\./);
        });

        it(`a list still going after ${GRAPH_MAX_PAGES} pages fails instead of judging a cut-off list`, async () => {
            updateTenant(tenantFile, (t) => {
                for (let i = 0; i <= GRAPH_MAX_PAGES; i++) {
                    t.applications[0].owners.push(`0a0b0c0d-0000-4000-8000-${String(i).padStart(12, "0")}`);
                }
            });
            const outcome = await audit(deployedExport());
            assert.strictEqual(outcome.code, 2);
            assert.match(outcome.stderr, new RegExp(`GET https://127\\.0\\.0\\.1:\\d+/v1\\.0/applications/${IDS.app}/owners still had more pages after ${GRAPH_MAX_PAGES}: stopped rather than treat a cut-off list \\(${GRAPH_MAX_PAGES} items so far\\) as complete\\.`));
        });
    });

    describe("as the drift job runs it: node dist/tools/audit/cli.js, the identity from the environment (DefaultAzureCredential)", () => {
        /** The CLI in its own process (asynchronously: the fake answers from this one). */
        async function cli(stdin: string, extra: Record<string, string>): Promise<Outcome> {
            // Only what the job would set: no az login or other credential of this machine (HOME is empty).
            const home = fs.mkdtempSync(path.join(dir, "home-"));
            const child = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? "", HOME: home, ...FAST_HTTP_ENV, ...env(), ...extra }, stdio: ["pipe", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
            child.stdin.end(stdin);
            const code = await new Promise<number>((resolve) => child.on("close", (status) => resolve(status ?? -1)));
            return { code, stdout, stderr };
        }

        it("signed in with a client secret: exit 1 on drift, the finding on stdout, the test override said on stderr", async () => {
            updateTenant(tenantFile, (t) => t.applications[0].web.redirectUris.push("https://jwt.ms"));
            const outcome = await cli(JSON.stringify(deployedExport()), { AZURE_TENANT_ID: DEFAULT_TENANT_ID, AZURE_CLIENT_ID: DEFAULT_DEPLOYER_CLIENT_ID, AZURE_CLIENT_SECRET: DEFAULT_DEPLOYER_SECRET });
            assert.strictEqual(outcome.code, 1, outcome.stdout + outcome.stderr);
            assert.match(outcome.stdout, /^ {2}redirect URIs: found web redirect URI https:\/\/jwt\.ms/m);
            assert.match(outcome.stderr, /^AZURE_GRAPH_BASE_URL=https:\/\/127\.0\.0\.1:\d+ is in force \(test overrides on\)/);
            assert.ok(!(outcome.stdout + outcome.stderr).includes(DEFAULT_DEPLOYER_SECRET));
        });

        it("no identity at all: exit 2 with how to sign in", async () => {
            const outcome = await cli(JSON.stringify(deployedExport()), {});
            assert.strictEqual(outcome.code, 2, outcome.stdout + outcome.stderr);
            assert.strictEqual(outcome.stdout, "");
            assert.match(outcome.stderr, /No Microsoft Graph token for the deploying identity .*Sign in the way the azuread provider does: `az login`/);
        });

        it("a Graph override without the test switch is refused before any token is asked for", async () => {
            const outcome = await cli(JSON.stringify(deployedExport()), { DBT_ADO_TEST_OVERRIDES: "" });
            assert.strictEqual(outcome.code, 2, outcome.stdout + outcome.stderr);
            assert.match(outcome.stderr, /^The audit cannot sign in: AZURE_AUTHORITY_HOST is "https:\/\/127\.0\.0\.1:\d+", which is not one of Microsoft's authorities/);
        });
    });
});
