/**
 * `npm run doctor` against the fakes (test/doctor/doctorWorld.ts): with nothing wrong it exits 0;
 * each failure mode, seeded alone, is named by its check with the fix and exits 1; every one that
 * can be seen at once, seeded together, is named by one run. Never a secret in the output, never a
 * write to any fake.
 */
import * as assert from "assert/strict";
import { NOT_CONNECTED_TENANT } from "../../domain/wellKnownIds";
import { AZURE_DEVOPS_SIGN_IN_PAGE } from "../../domain/knownErrors";
import { CHECKS } from "../../tools/doctor/checks";
import { DEFAULT_DEPLOYER_OBJECT_ID, newApplicationObject, Tenant } from "../engine/fakeAzuread/tenant";
import { OTHER_TENANT, PAT } from "../azuredevops/fakeAzureDevOps";
import { ACCOUNT, DBT_TOKEN, NOT_SCOPED_TEXT } from "../dbtcloud/fakeDbtCloud";
import { DEFAULT_DEPLOYER_SECRET } from "../entra/fakeEntra";
import { CheckView, DoctorWorld, STACK } from "./doctorWorld";
import { PULUMI_TOKEN, SAS } from "./fakeAzureServices";

const APP_NAME = "dbt Labs Azure DevOps App (prod)";
/** A directory neither the deployer nor the stack is in. */
const THIRD_TENANT = "33333333-4444-5555-6666-777777777777";
const APP_OBJECT_ID = "d0c70000-0000-4000-8000-0000000000a1";
const key = (k: string) => `dbt-azure-devops:${k}`;

/** The stack's app, made by someone else (owners without the deployer), optionally with an app-level policy. */
function existingApp(owners: string[] = ["d0c70000-0000-4000-8000-0000000000f1"]) {
    return (t: Tenant) => {
        t.applications.push(newApplicationObject({ objectId: APP_OBJECT_ID, displayName: APP_NAME, owners, signInAudience: "AzureADMultipleOrgs" }, new Date("2026-01-10T00:00:00Z")));
    };
}

interface FailureMode {
    title: string;
    check: string;
    status?: "fail" | "warn";
    /** Seeds the problem into a fresh world. */
    seed(world: DoctorWorld): void;
    /** What the check's detail and fix must say. */
    says: RegExp;
    /** Hides other checks' problems (they say "Not checked"): not seeded with all the others. */
    masks?: boolean;
}

const FAILURE_MODES: FailureMode[] = [
    { title: "a setting the program refuses", check: "config.stack", seed: (w) => w.writeStack({ [key("secretReadinessChecks")]: 0 }), says: /secretReadinessChecks 0 is out of range/ },
    {
        title: "a getdbt.com host after dbt's deprecation", check: "config.dbtCloudHost",
        seed: (w) => w.writeStack({ [key("dbtCloudAdditionalHosts")]: ["acme.getdbt.com"] }),
        says: /item 0 "acme\.getdbt\.com" is a getdbt\.com region host.*pulumi config rm --path 'dbtCloudAdditionalHosts\[0\]'/,
    },
    {
        title: "nobody signed in to Entra", check: "entra.signIn", masks: true,
        seed: (w) => { w.env.AZURE_CLIENT_SECRET = undefined; w.env.AZURE_CLIENT_ID = undefined; w.env.AZURE_TENANT_ID = undefined; },
        says: /No Microsoft Graph token .*fix: sign in as the identity that runs pulumi up: `az login`/,
    },
    {
        title: "signed in to another tenant than azuread:tenantId", check: "entra.signIn",
        seed: (w) => w.writeStack({ "azuread:tenantId": OTHER_TENANT }),
        says: new RegExp(`azuread:tenantId is ${OTHER_TENANT}.*az login --tenant ${OTHER_TENANT}`),
    },
    {
        title: "an existing app the deploying principal does not own", check: "entra.appRights",
        seed: (w) => w.updateTenant(existingApp()),
        says: new RegExp(`only apps the principal owns.*az ad app owner add --id \\S+ --owner-object-id ${DEFAULT_DEPLOYER_OBJECT_ID}`),
    },
    {
        title: "a deploying principal without Application.ReadWrite.OwnedBy", check: "entra.appRights",
        seed: (w) => w.updateTenant((t) => { t.directory = { ...t.directory, deployerAppRoles: ["Application.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Policy.Read.All"] }; }),
        says: /lacks the Microsoft Graph application permission\(s\) Application\.ReadWrite\.OwnedBy.*--api-permissions 18a4783c-866b-4cc7-a460-3d5e5662c884=Role/,
    },
    {
        title: "no right to grant the tenant-wide consent", check: "entra.consentRights",
        seed: (w) => w.updateTenant((t) => { t.directory = { ...t.directory, deployerAppRoles: ["Application.ReadWrite.OwnedBy", "Application.Read.All", "Policy.Read.All"] }; }),
        says: /lacks the Graph application permission DelegatedPermissionGrant\.ReadWrite\.All.*8e8e4742-1d95-4f68-9d56-6ee75648c72a=Role.*pulumi config set adminConsent false/,
    },
    {
        title: "a tenant policy that blocks new client secrets (ScubaGear MS.AAD.5.5v1)", check: "entra.appManagementPolicy",
        seed: (w) => w.updateTenant((t) => { t.policy = { blockPasswordAddition: true, policyId: "p-block" }; }),
        says: /tenant's default app management policy .*blocks new client secrets.*az rest --method POST --url https:\/\/graph\.microsoft\.com\/v1\.0\/policies\/appManagementPolicies .*"maxLifetime":"P194D"/,
    },
    {
        title: "a tenant policy that caps secrets below their lifetime (ScubaGear MS.AAD.5.6v1)", check: "entra.appManagementPolicy",
        seed: (w) => w.updateTenant((t) => { t.policy = { maxPasswordLifetimeDays: 180, policyId: "p-180" }; }),
        says: /caps client secrets at 180 days, and this stack's live 194 days.*pulumi config set secretRotationDays 83 \(secrets of 180 days\), or an admin .*exempts this app/,
    },
    {
        title: "an app-level policy on the existing app", check: "entra.appManagementPolicy",
        seed: (w) => w.updateTenant((t) => {
            existingApp([DEFAULT_DEPLOYER_OBJECT_ID])(t);
            t.directory = {
                ...t.directory,
                appManagementPolicies: [{ id: "p-app", displayName: "Short secrets", isEnabled: true, passwordCredentials: [{ restrictionType: "passwordLifetime", maxLifetime: "P30D" }] }],
                appPolicyAssignments: { [APP_OBJECT_ID]: "p-app" },
            };
        }),
        says: new RegExp(`policy assigned to this app "Short secrets" \\(p-app\\) caps client secrets at 30 days.*secretRotationDays 14 and pulumi config set secretOverlapDays 2 \\(secrets of 30 days\\).*applications/${APP_OBJECT_ID}/appManagementPolicies/\\$ref`),
    },
    {
        title: "no Azure DevOps service principal in the tenant", check: "entra.azureDevOpsPrincipal",
        seed: (w) => w.updateTenant((t) => { t.servicePrincipals = t.servicePrincipals.filter((s) => s.clientId !== "499b84ac-1321-427f-aa17-267ca6975798"); }),
        says: /no Azure DevOps service principal.*az ad sp create --id 499b84ac-1321-427f-aa17-267ca6975798/,
    },
    { title: "no such organization", check: "ado.organization", masks: true, seed: (w) => w.writeStack({ [key("adoOrganization")]: "contoso-nope" }), says: /no organization named "contoso-nope".*pulumi config set adoOrganization/ },
    {
        title: "an organization connected to another tenant", check: "ado.organization",
        seed: (w) => w.clouds.ado.orgTenants.set("contoso-data", THIRD_TENANT),
        says: new RegExp(`connected to tenant ${THIRD_TENANT}, not .* never moves`),
    },
    {
        title: "an organization without a directory and connectDirectory verify", check: "ado.organization",
        seed: (w) => w.clouds.ado.orgTenants.set("contoso-data", NOT_CONNECTED_TENANT),
        says: /not connected to any Entra directory.*Connect directory.*pulumi config set connectDirectory connect/,
    },
    {
        title: "a refused PAT answered with the sign-in page (203)", check: "ado.credential", masks: true,
        seed: (w) => { w.env.AZDO_PERSONAL_ACCESS_TOKEN = "expired-or-global-pat-0123456789"; w.clouds.ado.refusedCredentialAnswer = "203"; },
        says: new RegExp(AZURE_DEVOPS_SIGN_IN_PAGE.slice(0, 60).replace(/[()]/g, "\\$&")),
    },
    {
        title: "a refused PAT answered TF400813", check: "ado.credential", masks: true,
        seed: (w) => { w.env.AZDO_PERSONAL_ACCESS_TOKEN = "expired-or-global-pat-0123456789"; },
        says: /TF400813.*global PATs stopped working on 1 December 2026.*organization-scoped PAT/,
    },
    {
        title: "no right to add the principal or grant on the project", check: "ado.rights",
        seed: (w) => { w.rights.projectCollectionAdministrator = false; },
        says: /entitlements: adding the service principal .*Project Collection Administrator.*graph: managing the groups of "Data Platform".*security: changing the service hooks permissions.*security: changing the Git repositories permissions/,
    },
    { title: "a project the organization does not have", check: "ado.rights", seed: (w) => w.writeStack({ [key("adoProjects")]: ["Marketing"] }), says: /no project named "Marketing".*Projects visible to this credential: .*"Data Platform"/ },
    {
        title: "no Basic licence free", check: "ado.licence",
        seed: (w) => { w.rights.licences.express = { total: 5, assigned: 5 }; },
        says: /No Basic licence is free \(adoAccessLevel express: 5 of 5 assigned\).*Billing/,
    },
    { title: "DBT_CLOUD_TOKEN not set", check: "dbt.token", masks: true, seed: (w) => { w.env.DBT_CLOUD_TOKEN = undefined; }, says: /DBT_CLOUD_TOKEN is not set.*service token/ },
    { title: "a dbt Cloud token it does not accept (401)", check: "dbt.token", masks: true, seed: (w) => { w.env.DBT_CLOUD_TOKEN = "dbtc_revoked_0123456789"; }, says: /dbt Cloud does not accept the token in DBT_CLOUD_TOKEN/ },
    { title: "a dbt Cloud token of another account (403)", check: "dbt.token", masks: true, seed: (w) => { w.clouds.dbt.forbid = NOT_SCOPED_TEXT; }, says: /belongs to another dbt Cloud account than dbtCloudAccountId 70403103926931/ },
    { title: "an account the token cannot see", check: "dbt.token", masks: true, seed: (w) => w.writeStack({ [key("dbtCloudAccountId")]: Number(ACCOUNT) }), says: /does not have access to account 70403103920001/ },
    {
        title: "a token refused the record list (dbt's permission 404)", check: "dbt.record", masks: true,
        seed: (w) => { w.clouds.dbt.permission404.add("GET"); },
        says: /404 both when .* \(this answer says so\)/,
    },
    {
        title: "dbt's redirect domain not among the app's hosts", check: "dbt.redirectDomain",
        seed: (w) => {
            w.clouds.dbt.deployment.oauthRedirectUriDomain = "zz999.us1.dbt.com";
            w.clouds.dbt.records.push({ id: 900, active: true, account: "70403103926931", fields: { organization_name: "contoso-data", azure_service_authentication_method: "service_principal" } });
        },
        says: /redirects the Azure DevOps sign-in to zz999\.us1\.dbt\.com now.*pulumi config set --path 'dbtCloudAdditionalHosts\[0\]' zz999\.us1\.dbt\.com/,
    },
    { title: "a file backend that does not exist", check: "pulumi.backend", seed: (w) => { w.env.PULUMI_BACKEND_URL = `file://${w.dir}/no-such-folder`; }, says: /does not exist.*mkdir -p/ },
    {
        title: "an azblob container that does not exist", check: "pulumi.backend",
        seed: (w) => { w.env.PULUMI_BACKEND_URL = "azblob://missing-state"; w.env.AZURE_STORAGE_ACCOUNT = "contosostate"; },
        says: /container missing-state does not exist in storage account contosostate.*az storage container create/,
    },
    {
        title: "an azblob container the identity may not read", check: "pulumi.backend",
        seed: (w) => { w.env.PULUMI_BACKEND_URL = "azblob://pulumi-state"; w.env.AZURE_STORAGE_ACCOUNT = "contosostate"; w.azure.blobReader = false; },
        says: /may not read container pulumi-state.*Storage Blob Data Contributor/,
    },
    { title: "a Pulumi Cloud token it refuses", check: "pulumi.backend", seed: (w) => { w.env.PULUMI_BACKEND_URL = "https://api.pulumi.com"; w.env.PULUMI_ACCESS_TOKEN = "pul-wrong-0123456789"; }, says: /refused the access token.*pulumi login https:\/\/api\.pulumi\.com/ },
    { title: "no passphrase", check: "pulumi.secretsProvider", seed: (w) => { w.env.PULUMI_CONFIG_PASSPHRASE = undefined; }, says: /neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set/ },
    { title: "a passphrase that does not open the stack", check: "pulumi.secretsProvider", seed: (w) => { w.env.PULUMI_CONFIG_PASSPHRASE = "not-the-passphrase"; }, says: /does not open this stack's encryptionsalt/ },
    {
        title: "a Key Vault key that does not exist", check: "pulumi.secretsProvider",
        seed: (w) => w.writeStack({}, { secretsprovider: "azurekeyvault://contoso-kv.vault.azure.net/keys/nope", encryptionsalt: null }),
        says: /key nope does not exist in contoso-kv\.vault\.azure\.net/,
    },
];

function text(check: CheckView | undefined): string {
    return check ? `${check.detail} fix: ${check.fix ?? ""}` : "";
}

describe("npm run doctor against the fakes", function () {
    this.timeout(120_000);
    let world: DoctorWorld;

    beforeEach(async () => {
        world = await DoctorWorld.start();
    });
    afterEach(async () => {
        await world.stop();
    });

    it("exits 0 with nothing seeded: every check passes, or says what it could not tell", async () => {
        const { run, byId } = await world.checks();
        assert.equal(run.code, 0, run.stdout);
        assert.deepEqual([...byId.keys()], CHECKS.map((c) => c.id), "one result per check, in order");
        assert.deepEqual([...byId.values()].filter((c) => c.status === "fail"), []);
        // The one thing a read-only check cannot see: whether the dbt token may write.
        assert.deepEqual([...byId.values()].filter((c) => c.status === "warn").map((c) => c.id), ["dbt.record"]);
        assert.match(byId.get("entra.signIn")!.detail, /Signed in as the service principal .* in tenant 72f988bf-86f1-41af-91ab-2d7cd011db47/);
        assert.match(byId.get("ado.credential")!.detail, /organization-scoped PAT .*Microsoft recommends Entra tokens/);
        assert.match(byId.get("pulumi.secretsProvider")!.detail, /opens its encryptionsalt/);
    });

    for (const mode of FAILURE_MODES) {
        it(`names ${mode.title} (${mode.check}) and exits 1`, async () => {
            mode.seed(world);
            const { run, byId } = await world.checks();
            const check = byId.get(mode.check);
            assert.equal(check?.status, mode.status ?? "fail", `${mode.check}: ${text(check)}`);
            assert.match(text(check), mode.says);
            assert.equal(run.code, 1);
        });
    }

    it("names every problem seeded at once in one run, and exits 1", async () => {
        const together = FAILURE_MODES.filter((m) => !m.masks);
        // One seed per check: where a check has several modes, the first (they would overwrite each other).
        const seeded = together.filter((m, i) => together.findIndex((o) => o.check === m.check) === i);
        for (const mode of seeded) mode.seed(world);
        const { run, byId } = await world.checks();
        assert.equal(run.code, 1);
        for (const mode of seeded) {
            assert.equal(byId.get(mode.check)?.status, "fail", `${mode.title}: ${text(byId.get(mode.check))}`);
        }
        const failed = [...byId.values()].filter((c) => c.status === "fail").map((c) => c.id);
        assert.deepEqual(failed, CHECKS.map((c) => c.id).filter((id) => seeded.some((m) => m.check === id)), "nothing else fails");
        // Left out: the failure modes that hide others (tested one by one above), and the two dbt
        // checks without a failure of their own to seed beside the redirect domain's.
        assert.deepEqual(CHECKS.map((c) => c.id).filter((id) => !failed.includes(id)), ["ado.credential", "dbt.token", "dbt.record", "dbt.accessHost"]);
    });

    it("writes nothing anywhere, and prints no token, PAT, secret or passphrase", async () => {
        world.clouds.forget();
        const callsBefore = world.clouds.entra!.server.requests.length;
        const text = (await world.run(["--stack", STACK])).stdout + (await world.run()).stdout;
        const writes = world.clouds.requests().filter((r) => !["GET", "HEAD"].includes(r.method) && !/\/oauth2\/v2\.0\/token$/.test(r.path)).map((r) => `${r.method} ${r.path}`);
        assert.deepEqual(writes, [], "only reads (and Entra token requests)");
        assert.ok(world.clouds.entra!.server.requests.length > callsBefore);
        for (const secret of [PAT, DBT_TOKEN, DEFAULT_DEPLOYER_SECRET, "doctor-test-passphrase", PULUMI_TOKEN, SAS]) {
            assert.ok(!text.includes(secret), `the output holds ${secret.slice(0, 6)}...`);
        }
    });

    it("prints ✓, ✗ and ! lines by area with each fix, and a summary line", async () => {
        FAILURE_MODES.find((m) => m.check === "ado.licence")!.seed(world);
        const run = await world.run(["--stack", STACK]);
        assert.equal(run.code, 1);
        assert.match(run.stdout, /^npm run doctor: stack prod, 2026-12-06T12:00:00\.000Z, read-only$/m);
        assert.match(run.stdout, /^Azure DevOps\n {2}✓ ado\.organization {2}organization and its directory$/m);
        assert.match(run.stdout, /^ {2}✗ ado\.licence {2}a licence free for the service principal\n {6}No Basic licence is free[\s\S]*?\n {6}fix: free or buy one/m);
        assert.match(run.stdout, /^ {2}! dbt\.record /m);
        assert.match(run.stdout, /^doctor: 17 checks, 15 ✓, 1 ✗, 1 ! \(exit 1: something will fail\)$/m);
    });

    it("uses an Entra token for Azure DevOps when no PAT is set", async () => {
        world.env.AZDO_PERSONAL_ACCESS_TOKEN = undefined;
        const { byId } = await world.checks();
        assert.equal(byId.get("ado.credential")?.status, "pass", text(byId.get("ado.credential")));
        assert.match(byId.get("ado.credential")!.detail, /An Entra token \(DefaultAzureCredential\) is accepted/);
        assert.equal(byId.get("ado.rights")?.status, "pass");
    });

    it("reads a Key Vault secrets provider, an azblob backend with a SAS token and Pulumi Cloud", async () => {
        world.writeStack({}, { secretsprovider: "azurekeyvault://contoso-kv.vault.azure.net/keys/pulumi", encryptionsalt: null });
        world.env.PULUMI_BACKEND_URL = "azblob://pulumi-state";
        world.env.AZURE_STORAGE_ACCOUNT = "contosostate";
        world.env.AZURE_STORAGE_SAS_TOKEN = SAS;
        let { byId } = await world.checks();
        assert.equal(byId.get("pulumi.secretsProvider")?.status, "pass", text(byId.get("pulumi.secretsProvider")));
        assert.match(byId.get("pulumi.backend")!.detail, /readable with AZURE_STORAGE_SAS_TOKEN/);
        world.env.PULUMI_BACKEND_URL = "https://api.pulumi.com";
        world.env.PULUMI_ACCESS_TOKEN = PULUMI_TOKEN;
        ({ byId } = await world.checks());
        assert.match(byId.get("pulumi.backend")!.detail, /accepts the access token of deployer/);
    });

    it("warns, and exits 0, while dbt's extension keeps a getdbt.com host, counting the days", async () => {
        world.writeStack({ [key("dbtCloudHost")]: "cloud.getdbt.com", [key("dbtCloudLegacyHostExtendedUntil")]: "2027-02-03" });
        const { run, byId } = await world.checks();
        assert.equal(byId.get("config.dbtCloudHost")?.status, "warn");
        assert.match(byId.get("config.dbtCloudHost")!.detail, /cloud\.getdbt\.com is accepted only because dbt extended this account until 2027-02-03 .*, 59 day\(s\) from now/);
        assert.equal(byId.get("dbt.accessHost")?.status, "pass");
        assert.equal(run.code, 0, run.stdout);
    });

    it("says when the account has moved to another access host", async () => {
        world.clouds.dbt.records.push({ id: 901, active: true, account: "70403103926931", fields: { organization_name: "contoso-data" } });
        world.clouds.dbt.deployment.oauthRedirectUriDomain = "zz999.us1.dbt.com";
        world.writeStack({ [key("dbtCloudAdditionalHosts")]: ["zz999.us1.dbt.com"] });
        const { byId } = await world.checks();
        assert.equal(byId.get("dbt.redirectDomain")?.status, "pass");
        assert.equal(byId.get("dbt.accessHost")?.status, "warn");
        assert.match(text(byId.get("dbt.accessHost")), /reports zz999\.us1\.dbt\.com as the account's host, and dbtCloudHost is ab123\.us1\.dbt\.com.*docs\/access-url-move\.md.*pulumi config set dbtCloudHost zz999\.us1\.dbt\.com/);
    });

    it("usage: --help documents every check; no --stack, an unknown flag or a missing stack file exits 2", async () => {
        const help = await world.run(["--help"]);
        assert.equal(help.code, 0);
        for (const check of CHECKS) assert.ok(help.stdout.includes(`${check.id}: ${check.title}`), check.id);
        assert.equal((await world.run([])).code, 2);
        assert.equal((await world.run(["--stack", STACK, "--jsn"])).code, 2);
        const missing = await world.run(["--stack", "nope"]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /No stack file Pulumi\.nope\.yaml/);
    });
});
