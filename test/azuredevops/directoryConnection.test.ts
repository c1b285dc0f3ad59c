import * as assert from "assert";
import { directoryConnectionProvider as provider, DirectoryConnectionInputs } from "../../providers/azuredevops/directoryConnection";
import { captureConsole, FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { FakeAzureDevOps, ORG, OTHER_TENANT, PAT, TENANT } from "./fakeAzureDevOps";

const ZERO = "00000000-0000-0000-0000-000000000000";

describe("azuredevops: AzureDevOpsDirectoryConnection provider", () => {
    let fake: FakeAzureDevOps;
    let restoreEnv: () => void;

    beforeEach(async () => {
        fake = new FakeAzureDevOps();
        restoreEnv = useEnv({ ...FAST_HTTP_ENV, ...(await fake.start()), AZDO_PERSONAL_ACCESS_TOKEN: PAT, DBT_ADO_CONNECT_VERIFY_ATTEMPTS: "3", DBT_ADO_CONNECT_VERIFY_PAUSE_MS: "1" });
    });
    afterEach(async () => { restoreEnv(); await fake.server.stop(); });

    const inputs = (over: Partial<DirectoryConnectionInputs> = {}): DirectoryConnectionInputs => ({ organization: ORG, tenantId: TENANT, mode: "verify", ...over });
    const reasons = async (news: DirectoryConnectionInputs) => ((await provider.check!({} as DirectoryConnectionInputs, news)).failures ?? []).map((f) => f.reason).join("\n");

    it("check passes when the organization is connected to the tenant, with one anonymous GET connectionData", async () => {
        assert.strictEqual(await reasons(inputs()), "");
        assert.strictEqual(fake.server.requests.length, 1);
        const sent = fake.server.requests[0];
        assert.strictEqual(`${sent.method} ${sent.path}`, `GET /core/${ORG}/_apis/connectionData`);
        assert.strictEqual(sent.headers.authorization, undefined, "connectionData is read without credentials");
    });

    it("check names a missing organization and what to check", async () => {
        assert.match(await reasons(inputs({ organization: "nosuchorg" })), /"nosuchorg" was not found.*name after dev\.azure\.com\//);
    });

    it("check refuses an organization connected to another tenant, names it, and never moves it", async () => {
        fake.orgTenants.set(ORG, OTHER_TENANT);
        const reason = await reasons(inputs({ mode: "connect" }));
        assert.match(reason, new RegExp(`connected to Entra tenant ${OTHER_TENANT}, not ${TENANT}`));
        assert.match(reason, /never moves an organization between directories/);
        assert.match(reason, /Switch directory/);
    });

    it("check lists the admin steps for an unconnected organization in verify mode, and accepts it in connect mode", async () => {
        fake.orgTenants.set(ORG, ZERO);
        const reason = await reasons(inputs());
        assert.match(reason, /Organization settings > Microsoft Entra > Connect directory/);
        assert.match(reason, /Project Collection Administrator.*member \(not a guest\).*at most 100 users/);
        assert.strictEqual(await reasons(inputs({ mode: "connect" })), "");
    });

    it("check rejects a URL where a bare organization name belongs, without calling anything", async () => {
        assert.match(await reasons(inputs({ organization: "https://dev.azure.com/contoso" })), /is a URL; the organization name alone is "contoso"/);
        assert.strictEqual(fake.server.requests.length, 0);
    });

    it("create connects an unconnected organization with the documented JSON-patch, then re-verifies", async () => {
        fake.orgTenants.set(ORG, ZERO);
        const { result } = await captureConsole(() => provider.create(inputs({ mode: "connect" })));
        assert.strictEqual(result?.outs?.connectedByThisProgram, true);
        assert.strictEqual(result?.outs?.connectedTenantId, TENANT);
        const patch = fake.server.matching("PATCH", "Organization");
        assert.strictEqual(patch.length, 1);
        assert.strictEqual(patch[0].path, `/vssps/${ORG}/_apis/Organization/Organizations/Me`);
        assert.strictEqual(patch[0].query.get("api-version"), "5.0-preview.1");
        assert.strictEqual(patch[0].headers["content-type"], "application/json-patch+json");
        assert.deepStrictEqual(patch[0].body, [{ from: "", op: 2, path: "/TenantId", value: TENANT }]);
        assert.strictEqual(fake.orgTenants.get(ORG), TENANT);
    });

    it("create is idempotent when already connected, and refuses to move an organization from another tenant", async () => {
        const same = await provider.create(inputs({ mode: "connect" }));
        assert.strictEqual(same.outs?.connectedByThisProgram, false);
        fake.orgTenants.set(ORG, OTHER_TENANT);
        await assert.rejects(provider.create(inputs({ mode: "connect" })), /never moves/);
        assert.strictEqual(fake.server.matching("PATCH", "Organization").length, 0);
        assert.strictEqual(fake.orgTenants.get(ORG), OTHER_TENANT);
    });

    it("create in verify mode fails with the admin steps and does not connect", async () => {
        fake.orgTenants.set(ORG, ZERO);
        await assert.rejects(provider.create(inputs()), /Connect directory/);
        assert.strictEqual(fake.orgTenants.get(ORG), ZERO);
    });

    it("diff replaces on organization or tenant change and updates in place on mode change", async () => {
        const olds = { ...inputs(), connectedTenantId: TENANT, connectedByThisProgram: false };
        assert.deepStrictEqual(await provider.diff!(ORG, olds, inputs({ organization: "fabrikam" })), { changes: true, replaces: ["organization"] });
        assert.deepStrictEqual(await provider.diff!(ORG, olds, inputs({ tenantId: OTHER_TENANT })), { changes: true, replaces: ["tenantId"] });
        assert.deepStrictEqual(await provider.diff!(ORG, olds, inputs({ mode: "connect" })), { changes: true, replaces: [] });
        assert.deepStrictEqual(await provider.diff!(ORG, olds, inputs({ tenantId: TENANT.toUpperCase() })), { changes: false, replaces: [] });
    });

    it("update re-verifies and keeps who made the connection", async () => {
        const olds = { ...inputs(), connectedTenantId: TENANT, connectedByThisProgram: true };
        const { outs } = await provider.update!(ORG, olds, inputs({ mode: "connect" }));
        assert.strictEqual(outs?.connectedByThisProgram, true);
        assert.strictEqual(outs?.mode, "connect");
    });

    it("delete leaves the connection in place, says so, and calls no API", async () => {
        const { lines } = await captureConsole(() => provider.delete!(ORG, { ...inputs(), connectedTenantId: TENANT, connectedByThisProgram: true }));
        assert.strictEqual(fake.server.requests.length, 0);
        assert.match(lines.join("\n"), /Leaving Azure DevOps organization "contoso" connected/);
    });

    for (const [name, value] of [["DBT_ADO_CONNECT_VERIFY_ATTEMPTS", "abc"], ["DBT_ADO_CONNECT_VERIFY_ATTEMPTS", "0"], ["DBT_ADO_CONNECT_VERIFY_PAUSE_MS", "3s"]] as const) {
        it(`${name}=${value} fails before connecting, naming the variable (not "still reports no directory")`, async () => {
            fake.orgTenants.set(ORG, ZERO);
            const restore = useEnv({ [name]: value });
            try {
                const { error } = await captureConsole(() => provider.create(inputs({ mode: "connect" })));
                const message = String((error as Error).message);
                assert.match(message, new RegExp(`${name} is "${value}".*Set ${name} to`));
                assert.doesNotMatch(message, /still reports/);
                assert.strictEqual(fake.server.requests.length, 0, "nothing was called");
                assert.strictEqual(fake.orgTenants.get(ORG), ZERO, "the organization was not connected");
            } finally {
                restore();
            }
        });
    }

    it("a bad DBT_ADO_HTTP_TIMEOUT_MS shows up in check as a reason naming the variable", async () => {
        const restore = useEnv({ DBT_ADO_HTTP_TIMEOUT_MS: "50" });
        try {
            assert.match(await reasons(inputs()), /DBT_ADO_HTTP_TIMEOUT_MS is "50".*from 100 to/);
            assert.strictEqual(fake.server.requests.length, 0);
        } finally {
            restore();
        }
    });

    it("a refused connect names the endpoint and permission without leaking the PAT", async () => {
        fake.orgTenants.set(ORG, ZERO);
        fake.server.inject((r) => r.method === "PATCH", { kind: "status", status: 403, body: { message: `denied for ${PAT}` } });
        const { error, lines } = await captureConsole(() => provider.create(inputs({ mode: "connect" })));
        const message = String((error as Error).message) + (error as Error).stack + lines.join("\n");
        assert.match(message, /PATCH http:\/\/127\.0\.0\.1:\d+\/vssps\/contoso\/_apis\/Organization\/Organizations\/Me.*HTTP 403.*Project Collection Administrator/);
        assert.ok(!message.includes(PAT), message);
    });

    describe("refresh (read) and anonymous answers", () => {
        for (const answer of ["401", "302", "203"] as const) {
            it(`check reads the tenant from an anonymous ${answer} answer without following a redirect`, async () => {
                fake.anonymousAnswer = answer;
                assert.strictEqual(await reasons(inputs()), "");
                assert.deepStrictEqual(fake.server.requests.map((r) => `${r.method} ${r.path}`), [`GET /core/${ORG}/_apis/connectionData`], "one call, the redirect not followed");
                fake.orgTenants.set(ORG, OTHER_TENANT);
                assert.match(await reasons(inputs()), new RegExp(`connected to Entra tenant ${OTHER_TENANT}`));
            });
        }

        it("read returns the connected tenant, anonymously, and state unchanged when nothing moved", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.server.reset();
            const read = await provider.read!(id, outs!);
            assert.deepStrictEqual(read, { id, props: outs });
            assert.deepStrictEqual(fake.server.requests.map((r) => [r.method, r.path, r.headers.authorization]), [["GET", `/core/${ORG}/_apis/connectionData`, undefined]]);
            assert.ok(!JSON.stringify(read).includes(PAT));
        });

        it("read shows an organization moved to another tenant, or disconnected, as drift the next diff acts on", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.orgTenants.set(ORG, OTHER_TENANT);
            const moved = await provider.read!(id, outs!);
            assert.strictEqual(moved.props?.connectedTenantId, OTHER_TENANT);
            assert.deepStrictEqual(await provider.diff!(id, moved.props!, inputs()), { changes: true, replaces: [] });
            fake.orgTenants.set(ORG, ZERO);
            const disconnected = await provider.read!(id, outs!);
            assert.strictEqual(disconnected.props?.connectedTenantId, "");
            fake.orgTenants.set(ORG, TENANT);
            assert.deepStrictEqual(await provider.diff!(id, (await provider.read!(id, outs!)).props!, inputs()), { changes: false, replaces: [] });
        });

        it("read answers { id: \"\" } for an organization that no longer exists", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.orgTenants.delete(ORG);
            assert.deepStrictEqual(await provider.read!(id, outs!), { id: "" });
        });
    });
});
