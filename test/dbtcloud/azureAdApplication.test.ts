import * as assert from "assert";
import { AzureAdApplicationInputs, azureAdApplicationProvider as provider } from "../../components/dbtcloud/azureAdApplication";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, FakeServer, RecordedRequest, Reply, useEnv } from "../http/fakeServer";

const ACCOUNT = "70403103920001";
const DBT_TOKEN = "dbtc_TOKEN-never-print-4f5e6d";
const SECRET_V1 = "Q~client-secret-one-abcdef123";
const SECRET_V2 = "Q~client-secret-two-uvwxyz789";
const CLIENT_ID = "a9a6a563-c4c6-42cd-8bd6-90259e8f99f4";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

interface StoredRecord { id: number; active: boolean; fields: Record<string, unknown> }

/** Stateful fake of dbt Cloud's azure-ad-applications endpoints: one record per account, soft delete. */
class FakeDbtCloud {
    public readonly records: StoredRecord[] = [];
    public readonly server = new FakeServer((r) => this.handle(r));
    private nextId = 501;

    private view(r: StoredRecord) {
        // Like the real API: secret, client id and tenant are never returned.
        return { id: r.id, account_id: Number(ACCOUNT), organization_name: r.fields.organization_name, azure_service_authentication_method: r.fields.azure_service_authentication_method, oauth_redirect_uri_domain: "cloud.getdbt.com", state: 1 };
    }

    private handle(request: RecordedRequest): Reply {
        if (request.headers.authorization !== `Token ${DBT_TOKEN}`) {
            return { status: 401, body: { status: { code: 401, is_success: false, user_message: "Invalid token." }, data: null } };
        }
        const m = /^\/api\/v3\/accounts\/(\d+)\/azure-ad-applications\/(?:(\d+)\/)?$/.exec(request.path);
        if (!m || m[1] !== ACCOUNT) {
            return { status: 404, body: { status: { code: 404, user_message: "Not found" }, data: null } };
        }
        const ok = (data: unknown): Reply => ({ status: 200, body: { status: { code: 200, is_success: true }, data } });
        if (!m[2]) {
            if (request.method === "GET") {
                return ok(this.records.filter((r) => r.active).map((r) => this.view(r)));
            }
            if (this.records.length > 0) {
                return { status: 400, body: { status: { code: 400, is_success: false, user_message: "duplicate key value violates unique constraint \"azure_ad_application_account_id_key\"" }, data: null } };
            }
            const record = { id: this.nextId++, active: true, fields: request.body as Record<string, unknown> };
            this.records.push(record);
            return { status: 201, body: { status: { code: 201, is_success: true }, data: this.view(record) } };
        }
        const record = this.records.find((r) => r.id === Number(m[2]) && r.active);
        if (!record) {
            return { status: 404, body: { status: { code: 404, user_message: "Not found" }, data: null } };
        }
        if (request.method === "DELETE") {
            record.active = false;
            return ok(this.view(record));
        }
        if (request.method === "POST") {
            record.fields = request.body as Record<string, unknown>;
        }
        return ok(this.view(record));
    }
}

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

    it("diff notices a rotated secret so the same `pulumi up` updates dbt Cloud; replaces on account or host change", async () => {
        const { outs } = await provider.create(inputs());
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs()), { changes: false, replaces: [] });
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs({ clientSecret: SECRET_V2 })), { changes: true, replaces: [] });
        assert.deepStrictEqual(await provider.diff!("501", outs!, inputs({ accountId: "1" })), { changes: true, replaces: ["accountId"] });
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
