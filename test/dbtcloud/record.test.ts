/**
 * dbt Cloud's Azure AD application record as the secret handover writes, reads and deletes it
 * (providers/dbtcloud/record.ts), against the stateful fake dbt Cloud: adoption instead of
 * duplicates, lost answers, host changes, permission 404s, 403 texts, the 429 cooldown, paging,
 * DBT_CLOUD_HOST_URL, and redaction. Ported from the tests of the former record resource
 * (dbtcloud:AzureAdApplication); what moved into the rotation resource (check, diff, read for
 * refresh) is tested here through it where it is about dbt's record, and in test/entra/.
 */
import * as assert from "assert";
import { MAX_PAGES } from "../../providers/dbtcloud/api/azureAdApplications";
import {
    accountIdText, canonicalApiBase, currentRedirectDomain, DbtAppCredentials, DbtRecordState, DbtRecordTarget, deleteRecord, isCertainlyNotWritten, readRecord, writeRecord,
} from "../../providers/dbtcloud/record";
import { ClientSecretRotationInputs, ClientSecretRotationOutputs, mintReasons } from "../../providers/entra/clientSecretRotation";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { ACCOUNT, DBT_TOKEN, FakeDbtCloud, onLegacyHost, FakeDeployment, IP_REFUSED_TEXT, NOT_SCOPED_TEXT } from "./fakeDbtCloud";

const SECRET_V1 = "Q~client-secret-one-abcdef123";
const SECRET_V2 = "Q~client-secret-two-uvwxyz789";
const CLIENT_ID = "a9a6a563-c4c6-42cd-8bd6-90259e8f99f4";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_ACCOUNT = "70403103920002";

describe("dbtcloud: the Azure AD application record the handover writes", () => {
    let fake: FakeDbtCloud;
    let restoreEnv: () => void;
    let apiBaseUrl = "";

    beforeEach(async () => {
        fake = new FakeDbtCloud(onLegacyHost());
        apiBaseUrl = `${await fake.server.start()}/api`;
        restoreEnv = useEnv({ ...FAST_HTTP_ENV, DBT_CLOUD_TOKEN: DBT_TOKEN, DBT_CLOUD_HOST_URL: undefined });
    });
    afterEach(async () => {
        restoreEnv();
        await fake.server.stop();
    });

    const target = (over: Partial<DbtRecordTarget> = {}): DbtRecordTarget => ({ accountId: ACCOUNT, apiBaseUrl, organizationName: "contoso", authMethod: "service_principal", ...over });
    const credentials = (clientSecret = SECRET_V1): DbtAppCredentials => ({ clientId: CLIENT_ID, clientSecret, tenantId: TENANT });
    const allFields = (secret: string) => ({ organization_name: "contoso", client_id: CLIENT_ID, client_secret: secret, tenant_id: TENANT, azure_service_authentication_method: "service_principal" });
    const calls = (f: FakeDbtCloud = fake) => f.server.requests.map((r) => `${r.method} ${r.path.replace(/^.*azure-ad-applications\//, "")}`);
    const stateOf = (over: Partial<DbtRecordState> = {}): DbtRecordState => ({ applicationId: 501, effectiveApiBaseUrl: apiBaseUrl, adoptedExisting: false, oauthRedirectUriDomain: "cloud.getdbt.com", ...over });

    /** Runs a record call with the console captured; no captured text may hold the token or a secret. */
    async function quietly<T>(action: () => Promise<T>, secrets = [SECRET_V1, SECRET_V2, DBT_TOKEN]): Promise<{ result?: T; error?: Error; log: string }> {
        const { result, error, lines } = await captureConsole(action);
        const log = lines.join("\n");
        assertNoSecrets([log, (error as Error | undefined)?.message ?? "", (error as Error | undefined)?.stack ?? "", JSON.stringify(result ?? {})].join("\n"), secrets, "record");
        return { result, error: error as Error | undefined, log };
    }

    it("a first write lists first, then POSTs every field with the Token header; the state it returns holds no secret", async () => {
        const { result } = await quietly(() => writeRecord(target(), credentials(), undefined));
        assert.deepStrictEqual(fake.server.requests.map((r) => `${r.method} ${r.path}`), [
            `GET /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
            `POST /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
        ]);
        assert.ok(fake.server.requests.every((r) => r.headers.authorization === `Token ${DBT_TOKEN}`));
        assert.deepStrictEqual(fake.server.requests[1].body, allFields(SECRET_V1));
        assert.deepStrictEqual(result, { applicationId: 501, effectiveApiBaseUrl: apiBaseUrl, adoptedExisting: false, oauthRedirectUriDomain: "cloud.getdbt.com", updatedAt: fake.records[0].updatedAt });
    });

    it("adopts the account's existing record and writes every field to it", async () => {
        fake.records.push({ id: 77, active: true, fields: allFields("old") });
        const { result, log } = await quietly(() => writeRecord(target(), credentials(), undefined));
        assert.strictEqual(result?.applicationId, 77);
        assert.strictEqual(result?.adoptedExisting, true);
        assert.deepStrictEqual(fake.server.matching("POST", "/77/")[0].body, allFields(SECRET_V1));
        assert.deepStrictEqual(calls(), ["GET ", "POST 77/"], "never a POST that would create a second record");
        assert.match(log, /already has Azure AD application record 77 at .*; adopting and updating it/);
    });

    it("a later write POSTs every field, the new secret included, to the record in state", async () => {
        const { result: first } = await quietly(() => writeRecord(target(), credentials(), undefined));
        fake.server.reset();
        const { result } = await quietly(() => writeRecord(target(), credentials(SECRET_V2), first));
        assert.deepStrictEqual(calls(), ["POST 501/"]);
        assert.deepStrictEqual(fake.server.requests[0].body, allFields(SECRET_V2));
        assert.deepStrictEqual(result, { ...first, updatedAt: fake.records[0].updatedAt }, "the same record; dbt's updated_at of this write kept");
        assert.notEqual(result?.updatedAt, first?.updatedAt);
    });

    describe("lost answers and duplicates", () => {
        it("a re-run after every POST's answer was lost converges by adopting the record one of them created", async () => {
            fake.server.inject((r) => r.method === "POST", { kind: "reset-after-handling" }, 10);
            const first = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.ok(first.error);
            assert.ok(!isCertainlyNotWritten(first.error), "no answer: dbt may hold the secret");
            assert.strictEqual(fake.records.length, 1);
            fake.server.reset();
            const { result } = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.strictEqual(result?.applicationId, fake.records[0].id);
            assert.strictEqual(result?.adoptedExisting, true);
            assert.strictEqual(fake.records.length, 1);
        });

        it("a create whose answer was lost lists again before posting again, and adopts what that POST created", async () => {
            fake.server.inject((r) => r.method === "POST", { kind: "reset-after-handling" }, 1);
            const { result, log } = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.deepStrictEqual(calls(), ["GET ", "POST ", "GET ", "POST 501/"]);
            assert.strictEqual(result?.applicationId, 501);
            assert.strictEqual(result?.adoptedExisting, true);
            assert.strictEqual(fake.records.length, 1);
            assert.match(log, /lists Azure AD application record 501 at .* after a create without a clear answer; adopting it/);
        });

        it("retries 429 and 503 from dbt Cloud and still creates exactly one record", async () => {
            fake.server.inject((r) => r.method === "GET", { kind: "status", status: 429, retryAfter: "1" });
            fake.server.inject((r) => r.method === "POST", { kind: "status", status: 503 });
            const { result } = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.strictEqual(result?.applicationId, 501);
            assert.strictEqual(fake.records.length, 1);
        });

        it("a soft-deleted record blocking creation gives an actionable error without secrets", async () => {
            fake.records.push({ id: 9, active: false, fields: allFields("gone") });
            const { error } = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.match(String(error?.message), /rejected a new Azure AD application as a duplicate, but lists none\. A record deleted earlier is kept \(soft delete\) and blocks a new one\. Ask dbt Support/);
            assert.ok(isCertainlyNotWritten(error), "dbt refused the write: the handover may remove the secret it minted for it");
        });

        for (const status of [400, 500]) {
            for (const where of ["user_message", "developer_message", "data", "raw"] as const) {
                it(`a duplicate with the text in ${where} at HTTP ${status} is recognised after one POST`, async () => {
                    fake.records.push({ id: 9, active: false, fields: allFields("gone") });
                    fake.duplicateAnswer = { status, where };
                    const { error } = await quietly(() => writeRecord(target(), credentials(), undefined));
                    assert.match(String(error?.message), /soft delete.*dbt Support/);
                    assert.deepStrictEqual(calls(), ["GET ", "POST ", "GET "], "listed again after the rejection, never posted twice");
                });
            }
        }
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

        it("between two hosts of one deployment: writes the same record there and never DELETEs", async () => {
            const { result: first } = await quietly(() => writeRecord(target(), credentials(), undefined));
            await withHost(fake.deployment, async (cell, cellBase) => {
                fake.server.reset();
                const { result, log } = await quietly(() => writeRecord(target({ apiBaseUrl: cellBase }), credentials(SECRET_V2), first));
                assert.deepStrictEqual(result, { ...first, effectiveApiBaseUrl: cellBase, updatedAt: fake.records[0].updatedAt }, "the same record, still the one this stack created");
                assert.deepStrictEqual(calls(cell), ["GET ", "POST 501/"]);
                assert.deepStrictEqual(cell.server.requests[1].body, allFields(SECRET_V2));
                assert.strictEqual(fake.server.requests.length, 0, "the old host is not called");
                assert.deepStrictEqual(deletes(fake, cell), []);
                assert.deepStrictEqual(fake.records.map((r) => [r.id, r.active]), [[501, true]]);
                assert.match(log, /record 501 there \(same id as before\)\. Record 501 at http:\/\/127\.0\.0\.1:\d+\/api was not touched and is most likely this same record/);
            });
        });

        it("to a host where the account has another record: adopts it, and later writes and the delete follow it there", async () => {
            const { result: first } = await quietly(() => writeRecord(target(), credentials(), undefined));
            const region = onLegacyHost(901);
            region.records.push({ id: 77, active: true, fields: allFields("someone else's") });
            await withHost(region, async (emea, emeaBase) => {
                fake.server.reset();
                const { result: moved, log } = await quietly(() => writeRecord(target({ apiBaseUrl: emeaBase }), credentials(), first));
                assert.strictEqual(moved?.applicationId, 77);
                assert.strictEqual(moved?.adoptedExisting, true);
                assert.deepStrictEqual(emea.server.matching("POST", "/77/")[0].body, allFields(SECRET_V1));
                assert.strictEqual(fake.server.requests.length, 0, "the old host is not called");
                assert.match(log, /record 77 there \(adopted\)\. Record 501 at http:\/\/127\.0\.0\.1:\d+\/api was not touched and may remain there/);
                assert.match(log, new RegExp(`DELETE http://127\\.0\\.0\\.1:\\d+/api/v3/accounts/${ACCOUNT}/azure-ad-applications/501/`));

                emea.server.reset();
                const { result: rotated } = await quietly(() => writeRecord(target({ apiBaseUrl: emeaBase }), credentials(SECRET_V2), moved));
                assert.strictEqual(rotated?.applicationId, 77);
                assert.deepStrictEqual(calls(emea), ["POST 77/"]);
                await quietly(() => deleteRecord(ACCOUNT, rotated!));
                assert.deepStrictEqual(deletes(fake, emea).map((r) => r.path), [`/api/v3/accounts/${ACCOUNT}/azure-ad-applications/77/`]);
                assert.deepStrictEqual(fake.records.map((r) => [r.id, r.active]), [[501, true]]);
            });
        });

        it("to a host where the account has no record: creates it there, with that deployment's redirect domain, and leaves the old host alone", async () => {
            const { result: first } = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.strictEqual(first?.oauthRedirectUriDomain, "cloud.getdbt.com");
            await withHost(new FakeDeployment(901, [ACCOUNT], "emea.dbt.com"), async (emea, emeaBase) => {
                fake.server.reset();
                const { result, log } = await quietly(() => writeRecord(target({ apiBaseUrl: emeaBase }), credentials(), first));
                assert.deepStrictEqual(result, { applicationId: 901, effectiveApiBaseUrl: emeaBase, adoptedExisting: false, oauthRedirectUriDomain: "emea.dbt.com", updatedAt: emea.records[0].updatedAt });
                assert.deepStrictEqual(calls(emea), ["GET ", "POST "]);
                assert.strictEqual(fake.server.requests.length, 0);
                assert.deepStrictEqual(fake.records.map((r) => [r.id, r.active]), [[501, true]]);
                assert.match(log, /record 901 there \(created\)\. Record 501 .* may remain there/);
            });
        });

        it("with DBT_CLOUD_HOST_URL set, both addresses resolve to one host: a plain write to the record", async () => {
            const { result: first } = await quietly(() => writeRecord(target(), credentials(), undefined));
            const restore = useEnv({ DBT_CLOUD_HOST_URL: apiBaseUrl });
            try {
                fake.server.reset();
                const { result } = await quietly(() => writeRecord(target({ apiBaseUrl: "https://ab123.us1.dbt.com/api" }), credentials(), first));
                assert.strictEqual(result?.applicationId, 501);
                assert.deepStrictEqual(calls(), ["POST 501/"]);
            } finally {
                restore();
            }
        });

        it("the host calls went to is stored; a DBT_CLOUD_HOST_URL changed between runs is a change, and the write and the delete use the record's host", async () => {
            const restore = useEnv({ DBT_CLOUD_HOST_URL: apiBaseUrl });
            const other = new FakeDbtCloud(onLegacyHost(901));
            const otherBase = `${await other.server.start()}/api`;
            try {
                const program = target({ apiBaseUrl: "https://cloud.getdbt.com/api" });
                const { result: first } = await quietly(() => writeRecord(program, credentials(), undefined));
                assert.strictEqual(first?.effectiveApiBaseUrl, apiBaseUrl);
                useEnv({ DBT_CLOUD_HOST_URL: otherBase });
                // The rotation compares where calls would go now with where the record lives: a write with a fresh secret.
                const olds = { handover: { kind: "dbtCloud", ...program }, dbtRecord: first, slots: {}, clientId: CLIENT_ID, tenantId: TENANT } as unknown as ClientSecretRotationOutputs;
                const news = { handover: { kind: "dbtCloud", ...program }, clientId: CLIENT_ID, tenantId: TENANT, current: { slot: "a", period: 1 } } as unknown as ClientSecretRotationInputs;
                assert.ok(mintReasons(olds, news).some((r) => /dbt Cloud's record changes \(apiBaseUrl\)/.test(r)));
                fake.server.reset();
                const { result } = await quietly(() => writeRecord(program, credentials(), first));
                assert.strictEqual(result?.effectiveApiBaseUrl, otherBase);
                assert.strictEqual(result?.applicationId, 901, "created at the new host, not record 501's id sent there");
                assert.deepStrictEqual(calls(other), ["GET ", "POST "]);
                assert.deepStrictEqual(calls(), [], "the old host is left alone");
                // The delete of the old state (a destroy that never ran the update) goes where record 501 lives.
                other.server.reset();
                await quietly(() => deleteRecord(ACCOUNT, first!));
                assert.deepStrictEqual(calls(), ["GET ", "DELETE 501/"]);
                assert.deepStrictEqual(calls(other), []);
            } finally {
                restore();
                await other.server.stop();
            }
        });

        it("a stored host the token may not be sent to (edited state) is refused before anything is sent", async () => {
            for (const host of ["http://dbt.evil.example/api", "https://user:pw@cloud.getdbt.com/api"]) {
                const read = await quietly(() => readRecord(ACCOUNT, stateOf({ effectiveApiBaseUrl: host })));
                assert.match(String(read.error?.message), /^Pulumi state says dbt Cloud's record lives at ".*", which DBT_CLOUD_TOKEN may not be sent to .*Nothing was sent\. If the state was edited, restore it from a backup/);
                const deleted = await quietly(() => deleteRecord(ACCOUNT, stateOf({ effectiveApiBaseUrl: host })));
                assert.match(String(deleted.error?.message), /which DBT_CLOUD_TOKEN may not be sent to/);
                assert.ok(isCertainlyNotWritten(read.error) && isCertainlyNotWritten(deleted.error));
                assert.doesNotMatch(String(read.error?.message) + String(deleted.error?.message), /user:pw/, "a password in the stored address is never repeated");
            }
            assert.strictEqual(fake.server.requests.length, 0);
        });

        it("spellings of one host and one account are one: no write is planned for them", () => {
            assert.strictEqual(canonicalApiBase("HTTPS://Cloud.GetDbt.com:443/api/"), "https://cloud.getdbt.com/api");
            assert.strictEqual(canonicalApiBase("http://127.0.0.1:80/api//"), "http://127.0.0.1/api");
            assert.strictEqual(canonicalApiBase("https://ab123.us1.dbt.com:8443/api"), "https://ab123.us1.dbt.com:8443/api");
            for (const spelling of [ACCOUNT, ` ${ACCOUNT} `, `00${ACCOUNT}`, Number(ACCOUNT)]) {
                assert.strictEqual(accountIdText(spelling), ACCOUNT, String(spelling));
            }
            const stored = "https://Cloud.GetDbt.com:443/api/";
            const olds = {
                handover: { kind: "dbtCloud", ...target({ apiBaseUrl: stored }) }, dbtRecord: stateOf({ effectiveApiBaseUrl: stored }),
                slots: { a: { keyId: "k", endDate: "2027-01-01T00:00:00Z", period: 1, displayName: "x" } }, clientId: CLIENT_ID, tenantId: TENANT,
            } as unknown as ClientSecretRotationOutputs;
            const news = {
                handover: { kind: "dbtCloud", ...target({ apiBaseUrl: "https://cloud.getdbt.com/api", accountId: ` 00${ACCOUNT}` }) }, clientId: CLIENT_ID.toUpperCase(), tenantId: TENANT,
                current: { slot: "a", period: 1, endDate: "2027-01-01T00:00:00Z" },
            } as unknown as ClientSecretRotationInputs;
            assert.deepStrictEqual(mintReasons(olds, news), []);
        });
    });

    describe("account change and delete safety", () => {
        it("the old account's delete (after a replace created the new account's record) removes only its own account's record", async () => {
            fake.deployment.accounts.push(OTHER_ACCOUNT);
            const { result: old } = await quietly(() => writeRecord(target(), credentials(), undefined));
            const { result: replacement } = await quietly(() => writeRecord(target({ accountId: OTHER_ACCOUNT }), credentials(), undefined));
            assert.strictEqual(replacement?.applicationId, 502);
            assert.strictEqual(replacement?.adoptedExisting, false);
            fake.server.reset();
            const { log } = await quietly(() => deleteRecord(ACCOUNT, old!));
            assert.deepStrictEqual(fake.server.requests.map((r) => `${r.method} ${r.path}`), [
                `GET /api/v3/accounts/${ACCOUNT}/azure-ad-applications/`,
                `DELETE /api/v3/accounts/${ACCOUNT}/azure-ad-applications/501/`,
            ]);
            assert.deepStrictEqual(fake.records.map((r) => [r.id, r.account, r.active]), [[501, ACCOUNT, false], [502, OTHER_ACCOUNT, true]]);
            assert.match(log, /Deleted dbt Cloud Azure AD application record 501 of account \d+\. dbt Cloud keeps it as inactive/);
        });

        it("delete leaves alone a record the account does not list at this host, and one already gone", async () => {
            fake.deployment.accounts.push(OTHER_ACCOUNT);
            const { result: theirs } = await quietly(() => writeRecord(target({ accountId: OTHER_ACCOUNT }), credentials(), undefined));
            fake.server.reset();
            // State that points at a record that is not this account's must not delete it.
            const { log } = await quietly(() => deleteRecord(ACCOUNT, theirs!));
            assert.deepStrictEqual(fake.server.requests.map((r) => r.method), ["GET"]);
            assert.strictEqual(fake.records[0].active, true);
            assert.match(log, /has no Azure AD application record 501 at .*nothing was deleted/);

            await quietly(() => deleteRecord(OTHER_ACCOUNT, theirs!));
            fake.server.reset();
            await quietly(() => deleteRecord(OTHER_ACCOUNT, theirs!));
            assert.deepStrictEqual(fake.server.requests.map((r) => r.method), ["GET"], "already gone: no second DELETE");
        });

        it("a DELETE answered 404 for a listed record is a permission failure: it fails, names the permission, keeps the record", async () => {
            const { result } = await quietly(() => writeRecord(target(), credentials(), undefined));
            fake.permission404.add("DELETE");
            const { error } = await quietly(() => deleteRecord(ACCOUNT, result!));
            assert.match(String(error?.message), /404 to DELETE of Azure AD application record 501.*stays in Pulumi's state.*Account Admin/);
            assert.strictEqual(fake.records[0].active, true);
        });
    });

    describe("reads", () => {
        it("reads the record's organization, mode and redirect domain where it lives; one no longer listed is gone; a permission 404 is an error", async () => {
            const { result: state } = await quietly(() => writeRecord(target(), credentials(), undefined));
            Object.assign(fake.records[0].fields, { organization_name: "fabrikam", azure_service_authentication_method: "service_user" });
            const { result: live } = await quietly(() => readRecord(ACCOUNT, state!));
            assert.deepStrictEqual(live, { id: 501, account_id: Number(ACCOUNT), organization_name: "fabrikam", azure_service_authentication_method: "service_user", oauth_redirect_uri_domain: "cloud.getdbt.com", state: 1, created_at: fake.records[0].createdAt, updated_at: fake.records[0].updatedAt });
            assert.ok(!JSON.stringify(live).includes(SECRET_V1), "dbt never returns the secret");

            fake.permission404.add("GET");
            const denied = await quietly(() => readRecord(ACCOUNT, state!));
            assert.match(String(denied.error?.message), /HTTP 404.*proper permissions.*Account Admin/);
            fake.permission404.clear();
            fake.records[0].active = false;
            assert.strictEqual((await quietly(() => readRecord(ACCOUNT, state!))).result, undefined);
        });

        it("the redirect domain dbt reports now, at the host calls go to; none before the account has a record", async () => {
            assert.strictEqual(await currentRedirectDomain(target()), undefined);
            await quietly(() => writeRecord(target(), credentials(), undefined));
            fake.deployment.oauthRedirectUriDomain = "ab123.us1.dbt.com";
            assert.strictEqual(await currentRedirectDomain(target()), "ab123.us1.dbt.com");
            assert.deepStrictEqual(calls(), ["GET ", "GET ", "POST ", "GET "], "only read, fresh each time");
        });

        it("lists are followed page by page (limit/offset, extra.pagination): read and delete find a record on page 2", async () => {
            fake.pageSize = 1;
            fake.records.push({ id: 77, active: true, fields: allFields("x"), account: OTHER_ACCOUNT }, { id: 501, active: true, fields: allFields(SECRET_V1) });
            fake.records.push({ id: 78, active: true, fields: allFields("y") });
            assert.strictEqual((await quietly(() => readRecord(ACCOUNT, stateOf()))).result?.id, 501);
            fake.server.reset();
            await quietly(() => deleteRecord(ACCOUNT, stateOf()));
            assert.deepStrictEqual(calls(), ["GET ", "GET ", "DELETE 501/"]);
            assert.deepStrictEqual(fake.server.requests.slice(0, 2).map((r) => r.query.get("offset")), ["0", "1"]);
        });

        it("a list still going after the page bound fails naming the endpoint, never reads as \"record gone\"", async () => {
            fake.pageSize = 1;
            for (let i = 0; i < MAX_PAGES; i++) {
                fake.records.push({ id: 1000 + i, active: true, fields: allFields("x") });
            }
            fake.records.push({ id: 501, active: true, fields: allFields(SECRET_V1) });
            const { error } = await quietly(() => readRecord(ACCOUNT, stateOf()));
            assert.match(String(error?.message), new RegExp(`GET http://127\\.0\\.0\\.1:\\d+/api/v3/accounts/${ACCOUNT}/azure-ad-applications/ still had more pages after ${MAX_PAGES}`));
        });
    });

    describe("errors", () => {
        it("DBT_CLOUD_HOST_URL overrides the API base", async () => {
            const restore = useEnv({ DBT_CLOUD_HOST_URL: apiBaseUrl });
            try {
                await quietly(() => writeRecord(target({ apiBaseUrl: "https://unreachable.invalid/api" }), credentials(), undefined));
                assert.strictEqual(fake.server.requests.length, 2);
            } finally {
                restore();
            }
        });

        it("401, 403 and malformed JSON name the endpoint and the token's needs, never the token or the secret", async () => {
            fake.server.inject(() => true, { kind: "status", status: 403, body: { status: { user_message: `forbidden for ${DBT_TOKEN} / ${SECRET_V1}` } } });
            const forbidden = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.match(String(forbidden.error?.message), /GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/accounts\/\d+\/azure-ad-applications\/.*HTTP 403.*DBT_CLOUD_TOKEN.*Account Admin/);

            fake.server.inject(() => true, { kind: "malformed" });
            const malformed = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.match(String(malformed.error?.message), /azure-ad-applications\/(\?\S*)? returned malformed JSON/);

            const restore = useEnv({ DBT_CLOUD_TOKEN: "dbtc_wrong_token_123456" });
            try {
                const unauthorized = await quietly(() => writeRecord(target(), credentials(), undefined), [SECRET_V1, "dbtc_wrong_token_123456"]);
                assert.match(String(unauthorized.error?.message), /HTTP 401/);
            } finally {
                restore();
            }
        });

        it("every 404 carries the permission hint, also a plain 'Not found'", async () => {
            const { error } = await quietly(() => writeRecord(target({ accountId: "123" }), credentials(), undefined));
            assert.match(String(error?.message), /HTTP 404.*Not found.*may not act on it.*Account Admin/);
        });

        it("429 with dbt's five-minute cooldown: fails saying to wait five minutes and re-run, without posting again", async () => {
            fake.throttleAfter(1);
            const { error } = await quietly(() => writeRecord(target(), credentials(), undefined));
            assert.match(String(error?.message), /HTTP 429.*five minutes.*wait five minutes and re-run/i);
            assert.strictEqual(fake.server.matching("POST", "azure-ad-applications").length, 1);
            assert.strictEqual(fake.records.length, 0);
        });

        it("403 says what dbt said: a token not scoped to the account, an IP allowlist refusal", async () => {
            fake.forbid = NOT_SCOPED_TEXT;
            const scoped = String((await quietly(() => writeRecord(target(), credentials(), undefined))).error?.message);
            assert.match(scoped, /HTTP 403.*Token is not scoped to account.*belongs to another dbt Cloud account/);
            assert.doesNotMatch(scoped, /lacks a permission/);
            fake.forbid = IP_REFUSED_TEXT;
            const ip = String((await quietly(() => writeRecord(target(), credentials(), undefined))).error?.message);
            assert.match(ip, /HTTP 403.*IP allowlist.*IP restrictions/);
            assert.doesNotMatch(ip, /lacks a permission/);
        });
    });
});
