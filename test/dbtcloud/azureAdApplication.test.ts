import * as assert from "assert";
import { AzureAdApplicationInputs, azureAdApplicationProvider as provider } from "../../providers/dbtcloud/azureAdApplication";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { ACCOUNT, DBT_TOKEN, FakeDbtCloud, FakeDeployment } from "./fakeDbtCloud";

const SECRET_V1 = "Q~client-secret-one-abcdef123";
const SECRET_V2 = "Q~client-secret-two-uvwxyz789";
const CLIENT_ID = "a9a6a563-c4c6-42cd-8bd6-90259e8f99f4";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe("dbtcloud: DbtCloudAzureAdApplication provider", () => {
    let fake: FakeDbtCloud;
    let restoreEnv: () => void;
    let apiBaseUrl = "";

    beforeEach(async () => {
        fake = new FakeDbtCloud();
        apiBaseUrl = `${await fake.server.start()}/api`;
        restoreEnv = useEnv({ ...FAST_HTTP_ENV, DBT_CLOUD_TOKEN: DBT_TOKEN, DBT_CLOUD_HOST_URL: undefined });
    });
    afterEach(async () => { restoreEnv(); await fake.server.stop(); });

    const inputs = (over: Partial<AzureAdApplicationInputs> = {}): AzureAdApplicationInputs => ({
        accountId: Number(ACCOUNT), apiBaseUrl, organizationName: "contoso", clientId: CLIENT_ID, clientSecret: SECRET_V1, tenantId: TENANT, authMethod: "service_principal", ...over,
    });
    const allFields = (secret: string) => ({ organization_name: "contoso", client_id: CLIENT_ID, client_secret: secret, tenant_id: TENANT, azure_service_authentication_method: "service_principal" });
    const nonSecretText = (outs: object) => JSON.stringify({ ...outs, clientSecret: undefined });

    it("check rejects an organization URL, a non-numeric account and a bad auth method", async () => {
        const result = await provider.check!({} as AzureAdApplicationInputs, inputs({ organizationName: "dev.azure.com/contoso", accountId: "acme", authMethod: "oauth" as never }));
        assert.deepStrictEqual(result.failures?.map((f) => f.property).sort(), ["accountId", "authMethod", "organizationName"]);
        assert.deepStrictEqual((await provider.check!({} as AzureAdApplicationInputs, inputs())).failures, []);
    });

    it("create lists first, then POSTs every field with the Token header", async () => {
        const { id, outs } = await provider.create(inputs());
        assert.deepStrictEqual(fake.server.requests.map((r) => `${r.method} ${r.path}`), [
            `GET /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
            `POST /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
        ]);
        assert.deepStrictEqual(fake.server.requests[1].body, allFields(SECRET_V1));
        assert.strictEqual(id, "501");
        assert.strictEqual(outs?.applicationId, 501);
        assert.strictEqual(outs?.adoptedExisting, false);
        assertNoSecrets(nonSecretText(outs!), [SECRET_V1, DBT_TOKEN], "non-secret outputs");
    });

    it("create adopts the account's existing record and updates it with all fields", async () => {
        fake.records.push({ id: 77, active: true, fields: allFields("old") });
        const { result, lines } = await captureConsole(() => provider.create(inputs()));
        assert.strictEqual(result?.id, "77");
        assert.strictEqual(result?.outs?.adoptedExisting, true);
        assert.deepStrictEqual(fake.server.matching("POST", "/77/")[0].body, allFields(SECRET_V1));
        assert.strictEqual(fake.server.matching("POST", "azure-ad-applications/").filter((r) => r.path.endsWith("applications/")).length, 0);
        assertNoSecrets(lines.join("\n"), [SECRET_V1, DBT_TOKEN], "logs");
    });

    it("a re-run after the first POST's answer was lost converges by adopting", async () => {
        fake.server.inject((r) => r.method === "POST", { kind: "reset-after-handling" }, 10);
        const first = await captureConsole(() => provider.create(inputs()));
        assert.ok(first.error);
        assert.strictEqual(fake.records.length, 1);
        fake.server.reset();
        const second = (await captureConsole(() => provider.create(inputs()))).result!;
        assert.strictEqual(second.id, String(fake.records[0].id));
        assert.strictEqual(second.outs?.adoptedExisting, true);
    });

    it("a soft-deleted record blocking creation gives an actionable error without secrets", async () => {
        fake.records.push({ id: 9, active: false, fields: allFields("gone") });
        const { error } = await captureConsole(() => provider.create(inputs()));
        const message = String((error as Error).message);
        assert.match(message, /soft delete.*dbt Support/);
        assertNoSecrets(message + (error as Error).stack, [SECRET_V1, DBT_TOKEN], "error");
    });

    it("diff notices a rotated secret so the same `pulumi up` updates dbt Cloud; replaces only on account change", async () => {
        const { outs } = await provider.create(inputs());
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs()), { changes: false, replaces: [] });
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs({ clientSecret: SECRET_V2 })), { changes: true, replaces: [] });
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs({ accountId: "1" })), { changes: true, replaces: ["accountId"] });
        // A host change must not replace: the replacement would adopt the record the old resource then deletes.
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs({ apiBaseUrl: "https://ab123.us1.dbt.com/api" })), { changes: true, replaces: [] });
    });

    it("diff treats spellings of the same account id and host as no change, so they can never replace", async () => {
        const { outs } = await provider.create(inputs());
        assert.strictEqual(outs?.accountId, ACCOUNT);
        for (const accountId of [ACCOUNT, ` ${ACCOUNT} `, `00${ACCOUNT}`, Number(ACCOUNT)]) {
            assert.deepStrictEqual(await provider.diff!("501", outs!, inputs({ accountId })), { changes: false, replaces: [] }, String(accountId));
            assert.deepStrictEqual(await provider.diff!("501", { ...outs!, accountId: Number(ACCOUNT) }, inputs({ accountId })), { changes: false, replaces: [] }, String(accountId));
        }
        const shouty = apiBaseUrl.replace("http://", "HTTP://") + "/";
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs({ apiBaseUrl: shouty })), { changes: false, replaces: [] });
        assert.deepStrictEqual(await provider.diff!("501", { ...outs!, apiBaseUrl: "https://Cloud.GetDbt.com:443/api/" }, inputs({ apiBaseUrl: "https://cloud.getdbt.com/api" })), { changes: false, replaces: [] });
    });

    it("update POSTs all fields, including the new secret, to the record", async () => {
        const { outs } = await provider.create(inputs());
        const updated = await provider.update!("501", outs!, inputs({ clientSecret: SECRET_V2 }));
        assert.deepStrictEqual(fake.server.matching("POST", "/501/")[0].body, allFields(SECRET_V2));
        assert.strictEqual(updated.outs?.clientSecret, SECRET_V2);
        assert.strictEqual(updated.outs?.applicationId, 501);
    });

    it("delete calls DELETE on the record and says dbt keeps it", async () => {
        const { id, outs } = await provider.create(inputs());
        const { lines } = await captureConsole(() => provider.delete!(id, outs!));
        assert.strictEqual(fake.server.matching("DELETE", "/501/").length, 1);
        assert.strictEqual(fake.records[0].active, false);
        assert.match(lines.join("\n"), /keeps it as inactive/);
    });

    describe("API host change (in place, never a delete)", () => {
        /** Runs `action` with another fake host, stopped afterwards. */
        async function withHost<T>(deployment: FakeDeployment, action: (other: FakeDbtCloud, otherBase: string) => Promise<T>): Promise<T> {
            const other = new FakeDbtCloud(deployment);
            const otherBase = `${await other.server.start()}/api`;
            try {
                return await action(other, otherBase);
            } finally {
                await other.server.stop();
            }
        }
        const deletes = (...fakes: FakeDbtCloud[]) => fakes.flatMap((f) => f.server.requests).filter((r) => r.method === "DELETE");

        it("between two hosts of one deployment: updates the same record in place and never DELETEs", async () => {
            const { id, outs } = await provider.create(inputs());
            await withHost(fake.deployment, async (cell, cellBase) => {
                fake.server.reset();
                const diff = await provider.diff!(id, outs!, inputs({ apiBaseUrl: cellBase }));
                assert.deepStrictEqual(diff, { changes: true, replaces: [] }, "an update, so no create-then-delete");
                const { result, lines } = await captureConsole(() => provider.update!(id, outs!, inputs({ apiBaseUrl: cellBase, clientSecret: SECRET_V2 })));
                assert.strictEqual(result?.outs?.applicationId, 501);
                assert.strictEqual(result?.outs?.adoptedExisting, false, "still the record this resource created");
                assert.strictEqual(result?.outs?.apiBaseUrl, cellBase);
                assert.deepStrictEqual(cell.server.requests.map((r) => `${r.method} ${r.path}`), [
                    `GET /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
                    `POST /api/v3/accounts/${ACCOUNT}/azure-ad-applications/501/`,
                ]);
                assert.deepStrictEqual(cell.server.requests[1].body, allFields(SECRET_V2));
                assert.strictEqual(fake.server.requests.length, 0, "the old host is not called");
                assert.deepStrictEqual(deletes(fake, cell), []);
                assert.deepStrictEqual(fake.records.map((r) => [r.id, r.active]), [[501, true]]);
                const log = lines.join("\n");
                assert.match(log, /record 501 there \(same id as before\)\. Record 501 at http:\/\/127\.0\.0\.1:\d+\/api was not touched and is most likely this same record/);
                assertNoSecrets(log, [SECRET_V1, SECRET_V2, DBT_TOKEN], "host change log");
            });
        });

        it("to a host where the account has another record: adopts it, records its id, leaves the old host's record alone", async () => {
            const { id, outs } = await provider.create(inputs());
            const region = new FakeDeployment(901);
            region.records.push({ id: 77, active: true, fields: allFields("someone else's") });
            await withHost(region, async (emea, emeaBase) => {
                fake.server.reset();
                const { result, lines } = await captureConsole(() => provider.update!(id, outs!, inputs({ apiBaseUrl: emeaBase })));
                const moved = result!.outs!;
                assert.strictEqual(moved.applicationId, 77);
                assert.strictEqual(moved.adoptedExisting, true);
                assert.deepStrictEqual(emea.server.matching("POST", "/77/")[0].body, allFields(SECRET_V1));
                assert.strictEqual(fake.server.requests.length, 0, "the old host is not called");
                assert.deepStrictEqual(fake.records.map((r) => [r.id, r.active]), [[501, true]]);
                const log = lines.join("\n");
                assert.match(log, /record 77 there \(adopted\)\. Record 501 at http:\/\/127\.0\.0\.1:\d+\/api was not touched and may remain there/);
                assert.match(log, new RegExp(`DELETE http://127\\.0\\.0\\.1:\\d+/api/v3/accounts/${ACCOUNT}/azure-ad-applications/501/`));
                assertNoSecrets(log, [SECRET_V1, DBT_TOKEN], "host change log");

                // The Pulumi id stays "501"; later updates and the delete follow applicationId to record 77.
                emea.server.reset();
                const rotated = await provider.update!(id, moved, inputs({ apiBaseUrl: emeaBase, clientSecret: SECRET_V2 }));
                assert.strictEqual(rotated.outs?.applicationId, 77);
                assert.deepStrictEqual(emea.server.requests.map((r) => `${r.method} ${r.path}`), [`POST /api/v3/accounts/${ACCOUNT}/azure-ad-applications/77/`]);
                await captureConsole(() => provider.delete!(id, rotated.outs!));
                assert.deepStrictEqual(deletes(fake, emea).map((r) => r.path), [`/api/v3/accounts/${ACCOUNT}/azure-ad-applications/77/`]);
                assert.deepStrictEqual(fake.records.map((r) => [r.id, r.active]), [[501, true]]);
            });
        });

        it("to a host where the account has no record: creates it there and leaves the old host alone", async () => {
            const { id, outs } = await provider.create(inputs());
            await withHost(new FakeDeployment(901), async (emea, emeaBase) => {
                fake.server.reset();
                const { result, lines } = await captureConsole(() => provider.update!(id, outs!, inputs({ apiBaseUrl: emeaBase })));
                assert.strictEqual(result?.outs?.applicationId, 901);
                assert.strictEqual(result?.outs?.adoptedExisting, false);
                assert.deepStrictEqual(emea.server.requests.map((r) => `${r.method} ${r.path}`), [
                    `GET /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
                    `POST /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
                ]);
                assert.deepStrictEqual(emea.records.map((r) => [r.id, r.active]), [[901, true]]);
                assert.strictEqual(fake.server.requests.length, 0);
                assert.deepStrictEqual(fake.records.map((r) => [r.id, r.active]), [[501, true]]);
                assert.deepStrictEqual(deletes(fake, emea), []);
                assert.match(lines.join("\n"), /record 901 there \(created\)\. Record 501 .* may remain there/);
            });
        });

        it("with DBT_CLOUD_HOST_URL set, both inputs resolve to one host: a plain update of the record", async () => {
            const { id, outs } = await provider.create(inputs());
            const restore = useEnv({ DBT_CLOUD_HOST_URL: apiBaseUrl });
            try {
                fake.server.reset();
                const { outs: after } = await provider.update!(id, outs!, inputs({ apiBaseUrl: "https://ab123.us1.dbt.com/api" }));
                assert.strictEqual(after?.applicationId, 501);
                assert.deepStrictEqual(fake.server.requests.map((r) => `${r.method} ${r.path}`), [`POST /api/v3/accounts/${ACCOUNT}/azure-ad-applications/501/`]);
            } finally {
                restore();
            }
        });
    });

    describe("account change (a replace) and delete safety", () => {
        const OTHER_ACCOUNT = "70403103920002";

        it("an account change replaces; the old resource's delete removes only its own account's record", async () => {
            fake.deployment.accounts.push(OTHER_ACCOUNT);
            const old = await provider.create(inputs());
            assert.deepStrictEqual(await provider.diff!(old.id, old.outs!, inputs({ accountId: OTHER_ACCOUNT })), { changes: true, replaces: ["accountId"] });
            // What the engine does for a replace: create the new resource, then delete the old one.
            const replacement = await provider.create(inputs({ accountId: OTHER_ACCOUNT }));
            assert.strictEqual(replacement.id, "502");
            assert.strictEqual(replacement.outs?.adoptedExisting, false);
            fake.server.reset();
            await captureConsole(() => provider.delete!(old.id, old.outs!));
            assert.deepStrictEqual(fake.server.requests.map((r) => `${r.method} ${r.path}`), [
                `GET /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
                `DELETE /api/v3/accounts/${ACCOUNT}/azure-ad-applications/501/`,
            ]);
            assert.deepStrictEqual(fake.records.map((r) => [r.id, r.account, r.active]), [[501, ACCOUNT, false], [502, OTHER_ACCOUNT, true]]);
        });

        it("delete leaves alone a record the account does not list at this host, and one already gone", async () => {
            fake.deployment.accounts.push(OTHER_ACCOUNT);
            const theirs = await provider.create(inputs({ accountId: OTHER_ACCOUNT }));
            fake.server.reset();
            // State that points at a record that is not this account's must not delete it.
            const { lines } = await captureConsole(() => provider.delete!(theirs.id, { ...theirs.outs!, accountId: ACCOUNT }));
            assert.deepStrictEqual(fake.server.requests.map((r) => r.method), ["GET"]);
            assert.strictEqual(fake.records[0].active, true);
            assert.match(lines.join("\n"), /has no Azure AD application record 501 at .*nothing was deleted/);

            await captureConsole(() => provider.delete!(theirs.id, theirs.outs!));
            fake.server.reset();
            await captureConsole(() => provider.delete!(theirs.id, theirs.outs!));
            assert.deepStrictEqual(fake.server.requests.map((r) => r.method), ["GET"], "already gone: no second DELETE");
        });
    });

    it("DBT_CLOUD_HOST_URL overrides the apiBaseUrl input", async () => {
        const restore = useEnv({ DBT_CLOUD_HOST_URL: apiBaseUrl });
        try {
            await provider.create(inputs({ apiBaseUrl: "https://unreachable.invalid/api" }));
            assert.strictEqual(fake.server.requests.length, 2);
        } finally {
            restore();
        }
    });

    it("401, 403 and malformed JSON errors name the endpoint and the token's needs, never the token or the secret", async () => {
        fake.server.inject(() => true, { kind: "status", status: 403, body: { status: { user_message: `forbidden for ${DBT_TOKEN} / ${SECRET_V1}` } } });
        const forbidden = await captureConsole(() => provider.create(inputs()));
        const message = String((forbidden.error as Error).message);
        assert.match(message, /GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/accounts\/\d+\/azure-ad-applications\/.*HTTP 403.*DBT_CLOUD_TOKEN.*Account Admin/);
        assertNoSecrets(message + (forbidden.error as Error).stack + forbidden.lines.join("\n"), [DBT_TOKEN, SECRET_V1], "403 error");

        fake.server.inject(() => true, { kind: "malformed" });
        await assert.rejects(provider.create(inputs()), /azure-ad-applications\/ returned malformed JSON/);

        const restore = useEnv({ DBT_CLOUD_TOKEN: "dbtc_wrong_token_123456" });
        try {
            const unauthorized = await captureConsole(() => provider.create(inputs()));
            assert.match(String((unauthorized.error as Error).message), /HTTP 401/);
            assertNoSecrets(String((unauthorized.error as Error).message), ["dbtc_wrong_token_123456"], "401 error");
        } finally {
            restore();
        }
    });

    it("retries 429 and 503 from dbt Cloud and still creates exactly one record", async () => {
        fake.server.inject((r) => r.method === "GET", { kind: "status", status: 429, retryAfter: "1" });
        fake.server.inject((r) => r.method === "POST", { kind: "status", status: 503 });
        const { outs } = await provider.create(inputs());
        assert.strictEqual(outs?.applicationId, 501);
        assert.strictEqual(fake.records.length, 1);
    });
});
