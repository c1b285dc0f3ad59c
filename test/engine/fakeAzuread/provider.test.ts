import * as assert from "assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installFakeAzuread } from "./install";
import { FakeAzureadProvider, POLICY_ERROR_CODE } from "./provider";
import { isSecret, plain, secret, UNKNOWN } from "./rpcValues";
import { INVOKES, TYPES } from "./schema";
import {
    AZURE_DEVOPS_APP_ID,
    AZURE_DEVOPS_USER_IMPERSONATION_ID,
    callsMatching,
    createTenantFile,
    DEFAULT_DEPLOYER_OBJECT_ID,
    DEFAULT_TENANT_ID,
    findApplication,
    newApplicationObject,
    readTenant,
    Tenant,
    updateTenant,
} from "./tenant";

type Props = Record<string, unknown>;

const urn = (type: string, name: string) => `urn:pulumi:test::dbt-azure-devops::dbt-azure-devops:entra:DbtAzureDevOpsApp$${type}::${name}`;
const URNS = {
    app: urn(TYPES.application, "dbt-app"),
    sp: urn(TYPES.servicePrincipal, "dbt-sp"),
    grant: urn(TYPES.grant, "dbt-consent"),
    password: urn(TYPES.password, "dbt-secret-a"),
};
const DAY = 86_400_000;
const NOW = Date.parse("2026-03-01T12:00:00Z");

function whole(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface Fixture {
    dir: string;
    file: string;
    provider: FakeAzureadProvider;
    tenant: () => Tenant;
}

function fixture(mutate?: (t: Tenant) => void): Fixture {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-azuread-"));
    const file = path.join(dir, "tenant.json");
    createTenantFile(file);
    updateTenant(file, (t) => {
        t.clock = { now: new Date(NOW).toISOString() };
        mutate?.(t);
    });
    return { dir, file, provider: new FakeAzureadProvider({ tenantFile: file }), tenant: () => readTenant(file) };
}

const programApp = (redirectUris = ["https://cloud.getdbt.com/complete/azure_active_directory"]): Props => ({
    displayName: "dbt Cloud - Azure DevOps",
    signInAudience: "AzureADMultipleOrgs",
    owners: [DEFAULT_DEPLOYER_OBJECT_ID],
    web: { redirectUris },
    requiredResourceAccesses: [
        { resourceAppId: AZURE_DEVOPS_APP_ID, resourceAccesses: [{ id: AZURE_DEVOPS_USER_IMPERSONATION_ID, type: "Scope" }] },
    ],
});

async function createApp(f: Fixture, inputs = programApp()) {
    const checked = await f.provider.check(URNS.app, {}, inputs);
    assert.deepEqual(checked.failures, []);
    return f.provider.create(URNS.app, checked.inputs);
}

const passwordInputs = (applicationId: string, endMs = NOW + 180 * DAY): Props => ({
    applicationId,
    displayName: "dbt Cloud (slot a, from 2026-03-01)",
    endDate: whole(endMs),
    rotateWhenChanged: { periodStart: "2026-03-01T00:00:00.000Z", rotationDays: "90", overlapDays: "30" },
});

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
    await assert.rejects(p, (err: Error) => {
        assert.match(err.message, pattern);
        return true;
    });
}

describe("fake azuread provider", () => {
    const dirs: string[] = [];
    const track = (f: Fixture) => (dirs.push(f.dir), f);
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    describe("invokes", () => {
        it("getClientConfig reports the tenant file's deployer", async () => {
            const f = track(fixture());
            const { outputs } = await f.provider.invoke(INVOKES.getClientConfig, {});
            assert.equal(outputs.tenantId, DEFAULT_TENANT_ID);
            assert.equal(outputs.objectId, DEFAULT_DEPLOYER_OBJECT_ID);
            assert.equal(outputs.id, `${DEFAULT_TENANT_ID}-${outputs.clientId}-${DEFAULT_DEPLOYER_OBJECT_ID}`);
        });

        it("getServicePrincipal finds Azure DevOps by client id with its user_impersonation scope", async () => {
            const f = track(fixture());
            const { outputs } = await f.provider.invoke(INVOKES.getServicePrincipal, { clientId: AZURE_DEVOPS_APP_ID });
            assert.deepEqual(outputs.oauth2PermissionScopeIds, { user_impersonation: AZURE_DEVOPS_USER_IMPERSONATION_ID });
            assert.equal(outputs.id, `/servicePrincipals/${outputs.objectId}`);
        });

        it("getServicePrincipal fails for a principal the tenant lacks, and wants exactly one key", async () => {
            const f = track(fixture());
            await rejects(f.provider.invoke(INVOKES.getServicePrincipal, { clientId: "0f0f0f0f-0000-4000-8000-000000000000" }), /No service principal found/);
            await rejects(f.provider.invoke(INVOKES.getServicePrincipal, {}), /exactly one of/);
        });
    });

    describe("create, ids and the tenant", () => {
        it("creates the program's objects with the real id formats and logs each call", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            const objectId = app.outs.objectId as string;
            assert.equal(app.id, `/applications/${objectId}`);
            assert.match(app.outs.clientId as string, /^[0-9a-f-]{36}$/);

            const sp = await f.provider.create(URNS.sp, { clientId: app.outs.clientId, owners: [DEFAULT_DEPLOYER_OBJECT_ID] });
            assert.equal(sp.id, `/servicePrincipals/${sp.outs.objectId}`);
            assert.equal(sp.outs.displayName, "dbt Cloud - Azure DevOps");

            const ado = (await f.provider.invoke(INVOKES.getServicePrincipal, { clientId: AZURE_DEVOPS_APP_ID })).outputs;
            const grant = await f.provider.create(URNS.grant, {
                servicePrincipalObjectId: sp.outs.objectId,
                resourceServicePrincipalObjectId: ado.objectId,
                claimValues: ["user_impersonation"],
            });
            assert.match(grant.id, /^\/oauth2PermissionGrants\/[A-Za-z0-9_-]+$/);

            const pw = await f.provider.create(URNS.password, passwordInputs(app.id));
            const keyId = plain(pw.outs.keyId) as string;
            assert.equal(pw.id, `${objectId}/password/${keyId}`);
            assert.equal(pw.outs.applicationId, app.id);
            assert.equal(pw.outs.endDate, whole(NOW + 180 * DAY));

            const t = f.tenant();
            const live = findApplication(t, { objectId })!;
            assert.equal(live.signInAudience, "AzureADMultipleOrgs");
            assert.deepEqual(live.web.redirectUris, ["https://cloud.getdbt.com/complete/azure_active_directory"]);
            assert.equal(live.passwords.length, 1);
            assert.equal(live.passwords[0].value, plain(pw.outs.value));
            assert.equal(live.passwords[0].hint, live.passwords[0].value.slice(0, 3));
            assert.equal(t.grants[0].scope, "user_impersonation");
            assert.equal(t.grants[0].consentType, "AllPrincipals");

            assert.deepEqual(
                t.calls.map((c) => [c.op, c.type ?? c.token, c.outcome]),
                [
                    ["create", TYPES.application, "ok"],
                    ["create", TYPES.servicePrincipal, "ok"],
                    ["invoke", INVOKES.getServicePrincipal, "ok"],
                    ["create", TYPES.grant, "ok"],
                    ["create", TYPES.password, "ok"],
                ],
            );
            assert.equal(callsMatching(t, { op: "create", type: TYPES.password })[0].name, "dbt-secret-a");
            assert.ok(!JSON.stringify(t.calls).includes(live.passwords[0].value), "the call log never holds the secret");
        });

        it("without an end date Entra gives the password two years", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            const pw = await f.provider.create(URNS.password, { applicationId: app.id });
            assert.equal(pw.outs.startDate, new Date(NOW).toISOString());
            assert.equal(pw.outs.endDate, "2028-03-01T12:00:00Z");
        });

        it("refuses a service principal for an app the tenant does not have, and a second one for the same app", async () => {
            const f = track(fixture());
            await rejects(f.provider.create(URNS.sp, { clientId: "0f0f0f0f-0000-4000-8000-000000000000" }), /does not reference a valid application object/);
            const app = await createApp(f);
            await f.provider.create(URNS.sp, { clientId: app.outs.clientId });
            await rejects(f.provider.create(URNS.sp, { clientId: app.outs.clientId }), /already exists/);
            const adopted = await f.provider.create(URNS.sp, { clientId: app.outs.clientId, useExisting: true });
            assert.equal(f.tenant().servicePrincipals.filter((s) => s.objectId === adopted.outs.objectId).length, 1);
        });
    });

    describe("Entra's rules for passwords", () => {
        it("refuses an end date in the past, and creates nothing", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            await rejects(f.provider.create(URNS.password, passwordInputs(app.id, NOW - DAY)), /Key credential end date is invalid/);
            const t = f.tenant();
            assert.equal(findApplication(t, { objectId: app.outs.objectId as string })!.passwords.length, 0);
            assert.equal(callsMatching(t, { op: "create", type: TYPES.password })[0].outcome, "error");
        });

        it("refuses a lifetime above the tenant's policy with CredentialInvalidLifetimeAsPerAppPolicy", async () => {
            const f = track(fixture((t) => (t.policy = { maxPasswordLifetimeDays: 90, policyId: "p0l1cy" })));
            const app = await createApp(f);
            await rejects(
                f.provider.create(URNS.password, passwordInputs(app.id, NOW + 91 * DAY)),
                new RegExp(`${POLICY_ERROR_CODE}: Credential lifetime exceeds the max value allowed as per assigned policy 'p0l1cy'`),
            );
            const ok = await f.provider.create(URNS.password, passwordInputs(app.id, NOW + 90 * DAY));
            assert.ok(ok.id);
            assert.equal(findApplication(f.tenant(), { objectId: app.outs.objectId as string })!.passwords.length, 1);
        });

        it("a password cannot be updated and cannot be imported", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            const pw = await f.provider.create(URNS.password, passwordInputs(app.id));
            await rejects(f.provider.update(pw.id, URNS.password, pw.outs, passwordInputs(app.id)), /cannot be updated/);
            await rejects(f.provider.read(pw.id, URNS.password, {}), /doesn't support import/);
        });
    });

    describe("diff follows the real schema", () => {
        const f = track(fixture());
        const diff = (urnOf: string, olds: Props, news: Props) => f.provider.diff("id", urnOf, olds, news);

        it("ApplicationPassword: every argument replaces; computed dates left out do not", async () => {
            const olds = { ...passwordInputs("/applications/a"), startDate: "2026-03-01T12:00:00.123Z", keyId: "k", value: secret("s") };
            assert.deepEqual(await diff(URNS.password, olds, passwordInputs("/applications/a")), {
                changes: false,
                replaces: [],
                deleteBeforeReplace: false,
            });
            for (const [key, value] of Object.entries({
                applicationId: "/applications/b",
                displayName: "other",
                endDate: whole(NOW + 200 * DAY),
                rotateWhenChanged: { periodStart: "2026-06-01T00:00:00.000Z", rotationDays: "90", overlapDays: "30" },
                startDate: "2026-03-02T00:00:00Z",
            })) {
                const d = await diff(URNS.password, olds, { ...passwordInputs("/applications/a"), [key]: value });
                assert.deepEqual(d, { changes: true, replaces: [key], deleteBeforeReplace: false }, key);
            }
        });

        it("ApplicationPassword: an end date that is not whole-second UTC differs from Entra's on every run", async () => {
            const olds = passwordInputs("/applications/a", NOW + 180 * DAY);
            const news = { ...olds, endDate: new Date(NOW + 180 * DAY).toISOString() };
            assert.deepEqual((await diff(URNS.password, olds, news)).replaces, ["endDate"]);
        });

        it("ApplicationPassword: rotateWhenChanged compares as a map", async () => {
            const olds = passwordInputs("/applications/a");
            const rotate = olds.rotateWhenChanged as Record<string, string>;
            const reordered = { overlapDays: rotate.overlapDays, rotationDays: rotate.rotationDays, periodStart: rotate.periodStart };
            assert.equal((await diff(URNS.password, olds, { ...olds, rotateWhenChanged: reordered })).changes, false);
        });

        it("ServicePrincipal: clientId replaces, owners update in place and compare as a set", async () => {
            const olds = { clientId: "c1", owners: ["o1", "o2"], accountEnabled: true, objectId: "x" };
            assert.deepEqual(await diff(URNS.sp, olds, { clientId: "c2", owners: ["o1", "o2"] }), { changes: true, replaces: ["clientId"], deleteBeforeReplace: false });
            assert.deepEqual(await diff(URNS.sp, olds, { clientId: "c1", owners: ["o3"] }), { changes: true, replaces: [], deleteBeforeReplace: false });
            assert.equal((await diff(URNS.sp, olds, { clientId: "c1", owners: ["o2", "o1"] })).changes, false);
        });

        it("grant: principal ids replace, claim values update in place", async () => {
            const olds = { servicePrincipalObjectId: "s", resourceServicePrincipalObjectId: "r", claimValues: ["user_impersonation"], userObjectId: "" };
            const news = { servicePrincipalObjectId: "s", resourceServicePrincipalObjectId: "r", claimValues: ["user_impersonation"] };
            assert.equal((await diff(URNS.grant, olds, news)).changes, false);
            assert.deepEqual((await diff(URNS.grant, olds, { ...news, claimValues: ["user_impersonation", "x"] })).replaces, []);
            assert.deepEqual((await diff(URNS.grant, olds, { ...news, servicePrincipalObjectId: "s2" })).replaces, ["servicePrincipalObjectId"]);
            assert.deepEqual((await diff(URNS.grant, olds, { ...news, resourceServicePrincipalObjectId: "r2" })).replaces, ["resourceServicePrincipalObjectId"]);
        });

        it("Application: only templateId replaces; redirect URIs and permissions compare as sets", async () => {
            const f2 = track(fixture());
            const created = await createApp(f2, programApp(["https://a.example/x", "https://b.example/y"]));
            const olds = created.outs;
            assert.equal((await diff(URNS.app, olds, { ...programApp(["https://b.example/y", "https://a.example/x"]) })).changes, false);
            const moved = await diff(URNS.app, olds, programApp(["https://c.example/z"]));
            assert.deepEqual(moved, { changes: true, replaces: [], deleteBeforeReplace: false });
            const renamed = await diff(URNS.app, olds, { ...programApp(["https://a.example/x", "https://b.example/y"]), displayName: "x" });
            assert.deepEqual(renamed.replaces, []);
            const templated = await diff(URNS.app, olds, { ...programApp(["https://a.example/x", "https://b.example/y"]), templateId: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621" });
            assert.deepEqual(templated.replaces, ["templateId"]);
        });

        it("preview: an unknown input is a change, and a replacement where the property is ForceNew", async () => {
            const olds = { clientId: "c1", owners: ["o1"] };
            assert.deepEqual(await diff(URNS.sp, olds, { clientId: UNKNOWN, owners: ["o1"] }), { changes: true, replaces: ["clientId"], deleteBeforeReplace: false });
            assert.deepEqual(await diff(URNS.sp, olds, { clientId: "c1", owners: UNKNOWN }), { changes: true, replaces: [], deleteBeforeReplace: false });
            const pwOlds = passwordInputs("/applications/a");
            assert.deepEqual((await diff(URNS.password, pwOlds, { ...pwOlds, applicationId: UNKNOWN })).replaces, ["applicationId"]);
        });

        it("secret inputs compare by their values", async () => {
            const olds = { servicePrincipalObjectId: "s", resourceServicePrincipalObjectId: "r", claimValues: ["a"] };
            assert.equal((await diff(URNS.grant, olds, { ...olds, claimValues: secret(["a"]) })).changes, false);
        });
    });

    describe("check", () => {
        const f = track(fixture());

        it("fills sign_in_audience's default and refuses what the schema refuses", async () => {
            const ok = await f.provider.check(URNS.app, {}, { displayName: "x" });
            assert.equal((ok.inputs as Props).signInAudience, "AzureADMyOrg");
            const bad = await f.provider.check(URNS.app, {}, { displayName: "x", signInAudience: "Everyone", web: { redirectUris: ["https://no-path.example", "ftp://x.example/"] } });
            assert.deepEqual(bad.failures!.map((x) => x.property), ["signInAudience", "web.redirectUris", "web.redirectUris"]);
            const pw = await f.provider.check(URNS.password, {}, { applicationId: "app-id", endDate: "2026-01-01" });
            assert.deepEqual(pw.failures!.map((x) => x.property), ["applicationId", "endDate"]);
        });

        it("lets unknown values through on preview and keeps secret wrappers", async () => {
            const news = { applicationId: UNKNOWN, displayName: secret("d"), endDate: UNKNOWN };
            const res = await f.provider.check(URNS.password, {}, news);
            assert.deepEqual(res.failures, []);
            assert.deepEqual(res.inputs, news);
        });

        it("create on preview echoes inputs with computed outputs unknown", async () => {
            const res = await f.provider.create(URNS.password, { applicationId: UNKNOWN, endDate: whole(NOW + DAY) });
            assert.equal(res.id, "");
            assert.equal(res.outs.value, UNKNOWN);
            assert.equal(f.tenant().calls.length, 0);
        });
    });

    describe("secrets", () => {
        it("value comes back as a Pulumi secret on create and on refresh", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            const pw = await f.provider.create(URNS.password, passwordInputs(app.id));
            assert.ok(isSecret(pw.outs.value));
            assert.equal(((pw.outs.value as { value: string }).value).length, 40);
            const refreshed = await f.provider.read(pw.id, URNS.password, pw.outs);
            assert.equal(refreshed.id, pw.id);
            assert.deepEqual(refreshed.props.value, pw.outs.value);
            assert.deepEqual(refreshed.inputs.rotateWhenChanged, passwordInputs(app.id).rotateWhenChanged);
        });

        it("an output whose input was secret stays secret", async () => {
            const f = track(fixture());
            const app = await createApp(f, { ...programApp(), displayName: secret("hidden name") });
            assert.deepEqual(app.outs.displayName, secret("hidden name"));
            assert.ok(!isSecret(app.outs.clientId));
        });
    });

    describe("faults", () => {
        it("failNextPasswordCreate fails one create, then clears itself", async () => {
            const f = track(fixture((t) => (t.faults.failNextPasswordCreate = true)));
            const app = await createApp(f);
            await rejects(f.provider.create(URNS.password, passwordInputs(app.id)), /injected fault/);
            assert.equal(f.tenant().faults.failNextPasswordCreate, false);
            assert.equal(findApplication(f.tenant(), { objectId: app.outs.objectId as string })!.passwords.length, 0);
            await f.provider.create(URNS.password, passwordInputs(app.id));
            assert.deepEqual(
                callsMatching(f.tenant(), { type: TYPES.password }).map((c) => c.outcome),
                ["fault", "ok"],
            );
        });

        it("failAfterCalls: N lets N calls through and fails every one after", async () => {
            const f = track(fixture((t) => (t.faults.failAfterCalls = 2)));
            await f.provider.invoke(INVOKES.getClientConfig, {});
            const app = await createApp(f);
            await rejects(f.provider.invoke(INVOKES.getClientConfig, {}), /failAfterCalls = 2/);
            await rejects(f.provider.read(app.id, URNS.app, app.outs), /failAfterCalls = 2/);
            assert.deepEqual(f.tenant().calls.map((c) => [c.n, c.outcome]), [[1, "ok"], [2, "ok"], [3, "fault"], [4, "fault"]]);
            updateTenant(f.file, (t) => delete t.faults.failAfterCalls);
            assert.equal((await f.provider.read(app.id, URNS.app, app.outs)).id, app.id);
        });
    });

    describe("read, refresh and delete", () => {
        it("read of an object deleted out of band is not-found, so refresh drops it", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            const sp = await f.provider.create(URNS.sp, { clientId: app.outs.clientId });
            const pw = await f.provider.create(URNS.password, passwordInputs(app.id));
            updateTenant(f.file, (t) => {
                t.applications = [];
                t.servicePrincipals = t.servicePrincipals.filter((s) => s.objectId !== sp.outs.objectId);
            });
            assert.deepEqual(await f.provider.read(app.id, URNS.app, app.outs), { id: "", props: {} });
            assert.deepEqual(await f.provider.read(sp.id, URNS.sp, sp.outs), { id: "", props: {} });
            assert.deepEqual(await f.provider.read(pw.id, URNS.password, pw.outs), { id: "", props: {} });
            assert.deepEqual(callsMatching(f.tenant(), { op: "read" }).map((c) => c.outcome), ["notFound", "notFound", "notFound"]);
        });

        it("refresh sees a redirect URI added in the portal, and the next diff plans an update", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            updateTenant(f.file, (t) => t.applications[0].web.redirectUris.push("https://portal.example/added"));
            const refreshed = await f.provider.read(app.id, URNS.app, app.outs);
            const d = await f.provider.diff(app.id, URNS.app, refreshed.props, programApp());
            assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
            await f.provider.update(app.id, URNS.app, refreshed.props, programApp());
            assert.deepEqual(f.tenant().applications[0].web.redirectUris, ["https://cloud.getdbt.com/complete/azure_active_directory"]);
        });

        it("deleting an application removes its passwords and its home service principal", async () => {
            const f = track(fixture());
            const app = await createApp(f);
            await f.provider.create(URNS.sp, { clientId: app.outs.clientId });
            await f.provider.create(URNS.password, passwordInputs(app.id));
            await f.provider.delete(app.id, URNS.app, app.outs);
            const t = f.tenant();
            assert.equal(t.applications.length, 0);
            assert.deepEqual(t.servicePrincipals.map((s) => s.clientId), [AZURE_DEVOPS_APP_ID]);
            await rejects(f.provider.delete(app.id, URNS.app, app.outs), /does not exist/);
        });

        it("import: a read with only the id returns inputs that match the live object", async () => {
            const f = track(fixture());
            const handMade = newApplicationObject({
                displayName: "dbt Cloud - Azure DevOps",
                signInAudience: "AzureADMultipleOrgs",
                owners: [DEFAULT_DEPLOYER_OBJECT_ID],
                web: {
                    homepageUrl: "",
                    logoutUrl: "",
                    redirectUris: ["https://cloud.getdbt.com/complete/azure_active_directory"],
                    implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false },
                },
                requiredResourceAccesses: programApp().requiredResourceAccesses as never,
            });
            updateTenant(f.file, (t) => t.applications.push(handMade));
            const id = `/applications/${handMade.objectId}`;
            const imported = await f.provider.read(id, URNS.app, {});
            assert.equal(imported.id, id);
            assert.deepEqual(imported.inputs, {
                displayName: "dbt Cloud - Azure DevOps",
                signInAudience: "AzureADMultipleOrgs",
                owners: [DEFAULT_DEPLOYER_OBJECT_ID],
                web: { redirectUris: ["https://cloud.getdbt.com/complete/azure_active_directory"] },
                requiredResourceAccesses: programApp().requiredResourceAccesses,
            });
            const checked = await f.provider.check(URNS.app, imported.inputs, programApp());
            assert.equal((await f.provider.diff(id, URNS.app, imported.props, checked.inputs)).changes, false);
            assert.equal((await f.provider.diff(id, URNS.app, imported.props, programApp(["https://emea.dbt.com/complete/azure_active_directory"]))).changes, true);

            const sp = await f.provider.create(URNS.sp, { clientId: handMade.clientId });
            const spImported = await f.provider.read(sp.id, URNS.sp, {});
            assert.deepEqual(spImported.inputs, { clientId: handMade.clientId });
            await rejects(f.provider.read("not-an-id", URNS.app, {}), /parsing application ID/);
        });
    });

    describe("served as a plugin", function () {
        this.timeout(20_000);

        it("the installed launcher prints a port, answers gRPC with secrets as secrets, and exits when killed", async function () {
            const f = track(fixture());
            const mainJs = path.resolve(__dirname, "main.js");
            if (!fs.existsSync(mainJs)) {
                this.skip(); // running from sources: the launcher needs the build output
            }
            const home = path.join(f.dir, "home");
            const installed = installFakeAzuread(home, "6.9.1", { tenantFile: f.file, mainJs });
            assert.equal(installed.executable, path.join(home, "plugins", "resource-azuread-v6.9.1", "pulumi-resource-azuread"));
            assert.ok(fs.statSync(installed.executable).mode & 0o100);
            assert.ok(!fs.existsSync(`${installed.dir}.partial`));

            const env = { ...process.env };
            delete env.FAKE_AZUREAD_TENANT_FILE;
            const child = spawn(installed.executable, [], { env, stdio: ["ignore", "pipe", "pipe"] });
            const exited = new Promise<[number | null, string | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
            let stderr = "";
            child.stderr.on("data", (d) => (stderr += d));
            try {
                const port = await new Promise<string>((resolve, reject) => {
                    let out = "";
                    child.stdout.on("data", (d) => {
                        out += d;
                        if (out.endsWith("\n")) resolve(out);
                    });
                    child.on("exit", () => reject(new Error(`plugin exited before the handshake: ${stderr}`)));
                });
                assert.match(port, /^\d+\n$/, "stdout carries only the port");

                const grpc = require("@grpc/grpc-js");
                const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
                const pb = require("@pulumi/pulumi/proto/provider_pb");
                const emptyPb = require("google-protobuf/google/protobuf/empty_pb");
                const structPb = require("google-protobuf/google/protobuf/struct_pb");
                const client = new rpc.ResourceProviderClient(`127.0.0.1:${port.trim()}`, grpc.credentials.createInsecure());
                const call = <T>(method: string, req: unknown) =>
                    new Promise<T>((resolve, reject) => client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp))));

                const info = await call<{ getVersion(): string }>("getPluginInfo", new emptyPb.Empty());
                assert.equal(info.getVersion(), "6.9.1");
                const configured = await call<{ getAcceptsecrets(): boolean }>("configure", new pb.ConfigureRequest());
                assert.equal(configured.getAcceptsecrets(), true);

                const invoke = new pb.InvokeRequest();
                invoke.setTok(INVOKES.getClientConfig);
                invoke.setArgs(structPb.Struct.fromJavaScript({}));
                const config = await call<{ getReturn(): { toJavaScript(): Props } }>("invoke", invoke);
                assert.equal(config.getReturn().toJavaScript().tenantId, DEFAULT_TENANT_ID);

                const create = (type: string, name: string, props: Props) => {
                    const req = new pb.CreateRequest();
                    req.setUrn(urn(type, name));
                    req.setProperties(structPb.Struct.fromJavaScript(props));
                    return call<{ getId(): string; getProperties(): { toJavaScript(): Props } }>("create", req);
                };
                const app = await create(TYPES.application, "dbt-app", { ...programApp(), signInAudience: "AzureADMultipleOrgs" });
                const pw = await create(TYPES.password, "dbt-secret-a", passwordInputs(app.getId()));
                const value = pw.getProperties().toJavaScript().value;
                assert.ok(isSecret(value), "the engine receives value as a secret");
                await rejects(create(TYPES.password, "dbt-secret-b", passwordInputs(app.getId(), NOW - DAY)), /Key credential end date is invalid/);
                client.close();
            } finally {
                child.kill("SIGTERM");
            }
            const [code, signal] = await exited;
            assert.ok(signal === "SIGTERM" || code === 0, `exit ${code} ${signal}`);
        });
    });
});
