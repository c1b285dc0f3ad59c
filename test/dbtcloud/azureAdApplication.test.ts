import * as assert from "assert";
import { AzureAdApplicationInputs, AzureAdApplicationOutputs, azureAdApplicationProvider as provider } from "../../providers/dbtcloud/azureAdApplication";
import { MAX_PAGES } from "../../providers/dbtcloud/api/azureAdApplications";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { ACCOUNT, DBT_TOKEN, FakeDbtCloud, FakeDeployment, IP_REFUSED_TEXT, NOT_SCOPED_TEXT } from "./fakeDbtCloud";

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

    it("check refuses an apiBaseUrl the token may not go to (plain http to another host, a user or password), as DBT_CLOUD_HOST_URL is refused", async () => {
        const verdict = async (url: string) => (await provider.check!({} as AzureAdApplicationInputs, inputs({ apiBaseUrl: url }))).failures!.map((f) => f.property);
        for (const bad of ["http://cloud.getdbt.com/api", "http://dbt.example.com/api", "https://user:pw@cloud.getdbt.com/api", "ftp://cloud.getdbt.com/api", "cloud.getdbt.com/api"]) {
            assert.deepStrictEqual(await verdict(bad), ["apiBaseUrl"], bad);
        }
        for (const good of ["https://cloud.getdbt.com/api", "https://ab123.us1.dbt.com/api", "http://127.0.0.1:8080/api", "http://localhost:8080/api"]) {
            assert.deepStrictEqual(await verdict(good), [], good);
        }
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
        const stored = { ...outs!, apiBaseUrl: "https://Cloud.GetDbt.com:443/api/", effectiveApiBaseUrl: "https://Cloud.GetDbt.com:443/api/" };
        assert.deepStrictEqual(await provider.diff!("501", stored, inputs({ apiBaseUrl: "https://cloud.getdbt.com/api" })), { changes: false, replaces: [] });
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

        it("to a host where the account has no record: creates it there, takes that deployment's redirect domain, and leaves the old host alone", async () => {
            const { id, outs } = await provider.create(inputs());
            assert.strictEqual(outs?.oauthRedirectUriDomain, "cloud.getdbt.com");
            await withHost(new FakeDeployment(901, [ACCOUNT], "emea.dbt.com"), async (emea, emeaBase) => {
                fake.server.reset();
                const { result, lines } = await captureConsole(() => provider.update!(id, outs!, inputs({ apiBaseUrl: emeaBase })));
                assert.strictEqual(result?.outs?.applicationId, 901);
                assert.strictEqual(result?.outs?.oauthRedirectUriDomain, "emea.dbt.com", "the record's domain is the new deployment's");
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
        await assert.rejects(provider.create(inputs()), /azure-ad-applications\/(\?\S*)? returned malformed JSON/);

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

    describe("issue 9: refresh, duplicates, permission 404s, hosts, rate limits, check, 403s, paging", () => {
        const stateOf = (over: Partial<AzureAdApplicationOutputs> = {}): AzureAdApplicationOutputs => ({
            ...inputs(), accountId: ACCOUNT, applicationId: 501, oauthRedirectUriDomain: "cloud.getdbt.com", adoptedExisting: false, effectiveApiBaseUrl: apiBaseUrl, ...over,
        });
        const calls = (f: FakeDbtCloud = fake) => f.server.requests.map((r) => `${r.method} ${r.path.replace(/^.*azure-ad-applications\//, "")}`);

        it("read: a changed organization and authentication method come back as drift, with inputs; the secret is kept from state and never shown", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.records[0].fields = { ...fake.records[0].fields, organization_name: "fabrikam", azure_service_authentication_method: "service_user", client_secret: "changed-in-dbt-ui" };
            const { result, lines } = await captureConsole(() => provider.read!(id, outs!));
            assert.strictEqual(result?.id, id);
            assert.strictEqual(result?.props?.organizationName, "fabrikam");
            assert.strictEqual(result?.props?.authMethod, "service_user");
            assert.strictEqual(result?.props?.clientSecret, SECRET_V1, "dbt never returns the secret: state's value is kept");
            assert.strictEqual(result?.props?.effectiveApiBaseUrl, apiBaseUrl);
            assert.deepStrictEqual(result?.inputs, { ...inputs(), accountId: ACCOUNT, organizationName: "fabrikam", authMethod: "service_user" });
            // The next `pulumi up` compares the program's inputs against what dbt has now.
            assert.deepStrictEqual(await provider.diff!(id, result!.props!, inputs()), { changes: true, replaces: [] });
            assert.ok(fake.server.requests.slice(2).every((r) => r.method === "GET"), "read only GETs");
            assertNoSecrets(lines.join("\n") + nonSecretText(result!.props!) + nonSecretText(result!.inputs!), [SECRET_V1, DBT_TOKEN], "read");
        });

        it("read: a record deleted in dbt (no longer listed) is gone; a permission 404 is an error, not gone", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.permission404.add("GET");
            const denied = await captureConsole(() => provider.read!(id, outs!));
            assert.match(String((denied.error as Error)?.message), /HTTP 404.*proper permissions.*Account Admin/);
            assertNoSecrets(String((denied.error as Error).message) + denied.lines.join("\n"), [SECRET_V1, DBT_TOKEN], "read error");
            fake.permission404.clear();
            fake.records[0].active = false;
            const { result, lines } = await captureConsole(() => provider.read!(id, outs!));
            assert.deepStrictEqual(result, { id: "" });
            assert.match(lines.join("\n"), /no longer lists Azure AD application record 501/);
        });

        for (const status of [400, 500]) {
            for (const where of ["user_message", "developer_message", "data", "raw"] as const) {
                it(`a duplicate with the text in ${where} at HTTP ${status} is recognised after one POST`, async () => {
                    fake.records.push({ id: 9, active: false, fields: allFields("gone") });
                    fake.duplicateAnswer = { status, where };
                    const { error } = await captureConsole(() => provider.create(inputs()));
                    assert.match(String((error as Error)?.message), /soft delete.*dbt Support/);
                    assert.deepStrictEqual(calls(), ["GET ", "POST ", "GET "], "listed again after the rejection, never posted twice");
                    assertNoSecrets(String((error as Error).message), [SECRET_V1, DBT_TOKEN], "error");
                });
            }
        }

        it("a create whose answer was lost lists again before posting again, and adopts what that POST created", async () => {
            fake.server.inject((r) => r.method === "POST", { kind: "reset-after-handling" }, 1);
            const { result, lines } = await captureConsole(() => provider.create(inputs()));
            assert.deepStrictEqual(calls(), ["GET ", "POST ", "GET ", "POST 501/"]);
            assert.strictEqual(result?.id, "501");
            assert.strictEqual(result?.outs?.adoptedExisting, true);
            assert.strictEqual(fake.records.length, 1);
            assertNoSecrets(lines.join("\n"), [SECRET_V1, DBT_TOKEN], "logs");
        });

        it("a DELETE answered 404 for a listed record is a permission failure: it fails, names the permission, keeps the record", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.permission404.add("DELETE");
            const { error } = await captureConsole(() => provider.delete!(id, outs!));
            const message = String((error as Error)?.message);
            assert.match(message, /404 to DELETE of Azure AD application record 501.*stays in Pulumi's state.*Account Admin/);
            assert.strictEqual(fake.records[0].active, true);
            assertNoSecrets(message, [SECRET_V1, DBT_TOKEN], "delete error");
        });

        it("every 404 carries the permission hint, also a plain 'Not found'", async () => {
            const { error } = await captureConsole(() => provider.create(inputs({ accountId: "123" })));
            assert.match(String((error as Error)?.message), /HTTP 404.*Not found.*may not act on it.*Account Admin/);
        });

        it("the effective API base is stored; a DBT_CLOUD_HOST_URL changed between runs is a diff, and update and delete use the record's host", async () => {
            const restore = useEnv({ DBT_CLOUD_HOST_URL: apiBaseUrl });
            const other = new FakeDbtCloud(new FakeDeployment(901));
            const otherBase = `${await other.server.start()}/api`;
            try {
                const program = inputs({ apiBaseUrl: "https://cloud.getdbt.com/api" });
                const { id, outs } = await provider.create(program);
                assert.strictEqual(outs?.effectiveApiBaseUrl, apiBaseUrl);
                useEnv({ DBT_CLOUD_HOST_URL: otherBase });
                assert.deepStrictEqual(await provider.diff!(id, outs!, program), { changes: true, replaces: [] });
                fake.server.reset();
                const { result } = await captureConsole(() => provider.update!(id, outs!, program));
                assert.strictEqual(result?.outs?.effectiveApiBaseUrl, otherBase);
                assert.strictEqual(result?.outs?.applicationId, 901, "created at the new host, not record 501's id sent there");
                assert.deepStrictEqual(calls(other), ["GET ", "POST "]);
                assert.deepStrictEqual(calls(), [], "the old host is left alone");
                // delete of the old state (e.g. a destroy that never ran update) goes where record 501 lives.
                other.server.reset();
                await captureConsole(() => provider.delete!(id, outs!));
                assert.deepStrictEqual(calls(), ["GET ", "DELETE 501/"]);
                assert.deepStrictEqual(calls(other), []);
            } finally {
                restore();
                await other.server.stop();
            }
        });

        it("429 with dbt's five-minute cooldown: fails saying to wait five minutes and re-run, without posting again", async () => {
            fake.throttleAfter(1);
            const { error } = await captureConsole(() => provider.create(inputs()));
            const message = String((error as Error)?.message);
            assert.match(message, /HTTP 429.*five minutes.*Wait five minutes and re-run/);
            assert.strictEqual(fake.server.matching("POST", "azure-ad-applications").length, 1);
            assert.strictEqual(fake.records.length, 0);
            assertNoSecrets(message, [SECRET_V1, DBT_TOKEN], "429 error");
        });

        it("403 says what dbt said: a token not scoped to the account, an IP allowlist refusal", async () => {
            fake.forbid = NOT_SCOPED_TEXT;
            const scoped = String(((await captureConsole(() => provider.create(inputs()))).error as Error).message);
            assert.match(scoped, /HTTP 403.*Token is not scoped to account.*belongs to another dbt Cloud account/);
            assert.doesNotMatch(scoped, /lacks a permission/);
            fake.forbid = IP_REFUSED_TEXT;
            const ip = String(((await captureConsole(() => provider.create(inputs()))).error as Error).message);
            assert.match(ip, /HTTP 403.*IP allowlist.*IP restrictions/);
            assert.doesNotMatch(ip, /lacks a permission/);
            assertNoSecrets(scoped + ip, [SECRET_V1, DBT_TOKEN], "403 errors");
        });

        it("lists are followed page by page (limit/offset, extra.pagination): read and delete find a record on page 2", async () => {
            fake.pageSize = 1;
            fake.records.push({ id: 77, active: true, fields: allFields("x") }, { id: 501, active: true, fields: allFields(SECRET_V1) });
            const read = await provider.read!("501", stateOf());
            assert.strictEqual(read.id, "501");
            fake.server.reset();
            await captureConsole(() => provider.delete!("501", stateOf()));
            assert.deepStrictEqual(calls(), ["GET ", "GET ", "DELETE 501/"]);
            assert.deepStrictEqual(fake.server.requests.slice(0, 2).map((r) => r.query.get("offset")), ["0", "1"]);
        });

        it("a list still going after the page bound fails naming the endpoint, never reads as \"record gone\"", async () => {
            fake.pageSize = 1;
            for (let i = 0; i < MAX_PAGES; i++) {
                fake.records.push({ id: 1000 + i, active: true, fields: allFields("x") });
            }
            fake.records.push({ id: 501, active: true, fields: allFields(SECRET_V1) });
            const { error } = await captureConsole(() => provider.read!("501", stateOf()));
            assert.match(String((error as Error)?.message), new RegExp(`GET http://127\\.0\\.0\\.1:\\d+/api/v3/accounts/${ACCOUNT}/azure-ad-applications/ still had more pages after ${MAX_PAGES}`));
        });

        it("check never repeats a value that may be a secret (swapped clientId and clientSecret) and cuts other values", async () => {
            const swapped = await provider.check!({} as AzureAdApplicationInputs, inputs({ clientId: SECRET_V1, clientSecret: CLIENT_ID, tenantId: SECRET_V2 }));
            assert.deepStrictEqual(swapped.failures?.map((f) => f.property).sort(), ["clientId", "tenantId"]);
            assertNoSecrets(JSON.stringify(swapped.failures), [SECRET_V1, SECRET_V2], "check failures");
            const misplaced = await provider.check!({} as AzureAdApplicationInputs, inputs({ organizationName: SECRET_V1, authMethod: SECRET_V1 as never, accountId: `x${SECRET_V1}` }));
            assert.deepStrictEqual(misplaced.failures?.map((f) => f.property).sort(), ["accountId", "authMethod", "organizationName"]);
            assertNoSecrets(JSON.stringify(misplaced.failures), [SECRET_V1], "check failures");
            const long = "dev.azure.com/" + "a".repeat(200);
            const cut = await provider.check!({} as AzureAdApplicationInputs, inputs({ organizationName: long }));
            assert.ok(!JSON.stringify(cut.failures).includes("a".repeat(60)), "long values are cut");
        });
    });
});
