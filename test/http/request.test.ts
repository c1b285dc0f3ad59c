import * as assert from "assert";
import { azureDevOpsCredentials } from "../../lib/http/azureDevOpsAuth";
import { backoffDelayMs } from "../../lib/http/backoff";
import { dbtCloudCredentials } from "../../lib/http/dbtCloudAuth";
import { isHttpError } from "../../lib/http/httpError";
import { createRedactor, describeUrl } from "../../lib/http/redact";
import { HttpHooks, requestJson } from "../../lib/http/request";
import { parseRetryAfterMs } from "../../lib/http/retryAfter";
import { defaultHttpSettings, ENV_KNOBS, envInteger, HttpSettings, httpSettingsFromEnv } from "../../lib/http/settings";
import { FakeServer, RecordedRequest } from "./fakeServer";

const TOKEN = "pat-SUPERSECRET-7f3a9c";
const settings: HttpSettings = { timeoutMs: 2000, maxRetries: 3, retryBaseMs: 10, retryMaxMs: 40, retryAfterCapMs: 5000 };

/** Records requested waits instead of waiting: tests assert intent, never timing. */
function recordingHooks(): HttpHooks & { waits: number[] } {
    const waits: number[] = [];
    return { waits, sleep: async (ms: number) => { waits.push(ms); }, random: () => 0.5 };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected a failure");
}

describe("http: requestJson against a local server", () => {
    const server = new FakeServer((req: RecordedRequest) => ({ status: 200, body: { ok: true, path: req.path } }));
    const everyRequest = () => true;
    let url = "";

    before(async () => { url = `${await server.start()}/things?api-version=7.1`; });
    after(() => server.stop());
    beforeEach(() => server.reset());

    const get = (hooks: HttpHooks, overrides: Partial<HttpSettings> = {}) => requestJson<{ ok: boolean }>({
        method: "GET", url, headers: { Authorization: `Bearer ${TOKEN}` }, permissionHint: "scope Things (Read)",
        credentialSource: "TEST_TOKEN", secrets: [TOKEN],
    }, { ...settings, ...overrides }, hooks);

    it("retries 429 and waits what Retry-After (seconds) asks, capped", async () => {
        server.inject(everyRequest, { kind: "status", status: 429, retryAfter: "2" });
        server.inject(everyRequest, { kind: "status", status: 429, retryAfter: "120" });
        const hooks = recordingHooks();
        const result = await get(hooks);
        assert.strictEqual(result.body?.ok, true);
        assert.deepStrictEqual(hooks.waits, [2000, 5000]);
        assert.strictEqual(server.requests.length, 3);
    });

    it("retries 500 and 503 with jittered exponential backoff", async () => {
        server.inject(everyRequest, { kind: "status", status: 500 });
        server.inject(everyRequest, { kind: "status", status: 503 });
        const hooks = recordingHooks();
        const result = await get(hooks);
        assert.strictEqual(result.status, 200);
        assert.deepStrictEqual(hooks.waits, [5, 10]); // random 0.5 of 10, then of 20
    });

    it("gives up after the retry budget and names the endpoint", async () => {
        server.inject(everyRequest, { kind: "status", status: 503 }, 10);
        const error = await failure(get(recordingHooks()));
        assert.ok(isHttpError(error));
        assert.strictEqual(error.status, 503);
        assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/things\?api-version=7\.1 failed with HTTP 503/);
        assert.strictEqual(server.requests.length, 4);
    });

    it("aborts a response that hangs past the timeout, then retries", async () => {
        server.inject(everyRequest, { kind: "hang" });
        const result = await get(recordingHooks(), { timeoutMs: 150 });
        assert.strictEqual(result.body?.ok, true);
        assert.strictEqual(server.requests.length, 2);
    });

    it("reports a timeout clearly when no retries are left", async () => {
        server.inject(everyRequest, { kind: "hang" });
        const error = await failure(get(recordingHooks(), { timeoutMs: 150, maxRetries: 0 }));
        assert.ok(isHttpError(error) && error.kind === "timeout");
        assert.match(error.message, /timed out after 150 ms/);
    });

    it("retries a connection reset", async () => {
        server.inject(everyRequest, { kind: "reset" });
        const hooks = recordingHooks();
        const result = await get(hooks);
        assert.strictEqual(result.body?.ok, true);
        assert.strictEqual(hooks.waits.length, 1);
    });

    it("turns malformed JSON into an error naming the endpoint, without retrying", async () => {
        server.inject(everyRequest, { kind: "malformed" });
        const error = await failure(get(recordingHooks()));
        assert.ok(isHttpError(error) && error.kind === "malformed-json");
        assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/things\?api-version=7\.1 returned malformed JSON/);
        assert.strictEqual(server.requests.length, 1);
    });

    it("explains 401 and 403 with the endpoint, the credential source and the needed permission, never the token", async () => {
        server.inject(everyRequest, { kind: "status", status: 401, body: { message: `token ${TOKEN} is expired` } });
        const unauthorized = await failure(get(recordingHooks()));
        assert.match(unauthorized.message, /HTTP 401.*TEST_TOKEN.*scope Things \(Read\)/);
        assert.ok(!unauthorized.message.includes(TOKEN), unauthorized.message);

        server.inject(everyRequest, { kind: "status", status: 403 });
        const forbidden = await failure(get(recordingHooks()));
        assert.match(forbidden.message, /GET http:\/\/127\.0\.0\.1:\d+\/things.*HTTP 403 Forbidden.*scope Things \(Read\)/);
        assert.strictEqual(server.requests.length, 2, "401/403 are not retried");
    });

    it("returns accepted statuses (404) instead of throwing, and throws otherwise", async () => {
        server.inject(everyRequest, { kind: "status", status: 404 });
        const accepted = await requestJson({ method: "GET", url, permissionHint: "x", acceptStatuses: [404] }, settings, recordingHooks());
        assert.strictEqual(accepted.status, 404);
        server.inject(everyRequest, { kind: "status", status: 404 });
        const error = await failure(get(recordingHooks()));
        assert.ok(isHttpError(error) && error.status === 404);
    });

    it("sends the method, JSON body and content type it was given", async () => {
        await requestJson({ method: "PATCH", url, body: [{ op: 2 }], contentType: "application/json-patch+json", permissionHint: "x" }, settings, recordingHooks());
        const sent = server.requests[0];
        assert.strictEqual(sent.method, "PATCH");
        assert.strictEqual(sent.headers["content-type"], "application/json-patch+json");
        assert.deepStrictEqual(sent.body, [{ op: 2 }]);
        assert.strictEqual(sent.query.get("api-version"), "7.1");
    });
});

describe("http: retry pacing", () => {
    it("parses Retry-After as seconds or HTTP-date, capped", () => {
        const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
        assert.strictEqual(parseRetryAfterMs("3", 60_000, now), 3000);
        assert.strictEqual(parseRetryAfterMs("Wed, 21 Oct 2015 07:28:30 GMT", 60_000, now), 30_000);
        assert.strictEqual(parseRetryAfterMs("Wed, 21 Oct 2015 09:00:00 GMT", 60_000, now), 60_000);
        assert.strictEqual(parseRetryAfterMs("Wed, 21 Oct 2015 07:00:00 GMT", 60_000, now), 0);
        assert.strictEqual(parseRetryAfterMs("soon", 60_000, now), undefined);
        assert.strictEqual(parseRetryAfterMs(null, 60_000, now), undefined);
    });

    it("keeps backoff within [0, min(max, base*2^attempt))", () => {
        assert.strictEqual(backoffDelayMs(0, 100, 1000, () => 0.999), 99);
        assert.strictEqual(backoffDelayMs(5, 100, 1000, () => 0.999), 999);
        assert.strictEqual(backoffDelayMs(3, 100, 1000, () => 0), 0);
    });

    it("reads timeouts and retries from DBT_ADO_HTTP_*, defaults when unset or blank", () => {
        const s = httpSettingsFromEnv({ DBT_ADO_HTTP_TIMEOUT_MS: " 1234 ", DBT_ADO_HTTP_MAX_RETRIES: "0", DBT_ADO_HTTP_RETRY_BASE_MS: "" });
        assert.strictEqual(s.timeoutMs, 1234);
        assert.strictEqual(s.maxRetries, 0);
        assert.strictEqual(s.retryBaseMs, defaultHttpSettings.retryBaseMs);
        assert.deepStrictEqual(httpSettingsFromEnv({}), defaultHttpSettings);
    });
});

describe("http: environment knobs are validated", () => {
    /** The error must name the variable, the value it had, the allowed range and what to do. */
    const refuses = (name: string, value: string, range: RegExp) => {
        const error = (() => {
            try {
                envInteger(Object.values(ENV_KNOBS).find((k) => k.name === name)!, { [name]: value });
            } catch (e) {
                return e as Error;
            }
            throw new Error(`${name}=${value} was accepted`);
        })();
        assert.ok(error.message.startsWith(`Environment variable ${name} is "${value.trim()}"`), error.message);
        assert.match(error.message, range);
        assert.match(error.message, new RegExp(`Set ${name} to such a number \\(default \\d+\\), or unset it`));
    };

    it("refuses a zero or tiny DBT_ADO_HTTP_TIMEOUT_MS, which would abort every request at once", () => {
        for (const value of ["0", "99", "abc", "-1", "1.5", "1e3", "0x10", "30s"]) {
            refuses("DBT_ADO_HTTP_TIMEOUT_MS", value, /ms from 100 to 600000/);
        }
        assert.throws(() => httpSettingsFromEnv({ DBT_ADO_HTTP_TIMEOUT_MS: "0" }), /DBT_ADO_HTTP_TIMEOUT_MS is "0"/);
        assert.strictEqual(httpSettingsFromEnv({ DBT_ADO_HTTP_TIMEOUT_MS: "100" }).timeoutMs, 100);
    });

    it("refuses garbage in every other DBT_ADO_HTTP_* knob instead of ignoring it", () => {
        refuses("DBT_ADO_HTTP_MAX_RETRIES", "-1", /retries from 0 to 10/);
        refuses("DBT_ADO_HTTP_MAX_RETRIES", "11", /retries from 0 to 10/);
        for (const name of ["DBT_ADO_HTTP_RETRY_BASE_MS", "DBT_ADO_HTTP_RETRY_MAX_MS", "DBT_ADO_HTTP_RETRY_AFTER_CAP_MS"]) {
            refuses(name, "abc", /ms from 0 to \d+/);
            assert.throws(() => httpSettingsFromEnv({ [name]: "NaN" }), new RegExp(`${name} is "NaN"`));
        }
    });

    it("bounds the polling knobs: attempts 1-100, pauses 0-60000 ms", () => {
        for (const name of ["DBT_ADO_IDENTITY_ATTEMPTS", "DBT_ADO_CONNECT_VERIFY_ATTEMPTS"]) {
            for (const value of ["abc", "0", "101", "-3", "2.5"]) {
                refuses(name, value, /attempts from 1 to 100/);
            }
        }
        for (const name of ["DBT_ADO_IDENTITY_PAUSE_MS", "DBT_ADO_CONNECT_VERIFY_PAUSE_MS"]) {
            refuses(name, "soon", /ms from 0 to 60000/);
            refuses(name, "60001", /ms from 0 to 60000/);
        }
        assert.strictEqual(envInteger(ENV_KNOBS.identityAttempts, {}), 5);
        assert.strictEqual(envInteger(ENV_KNOBS.identityAttempts, { DBT_ADO_IDENTITY_ATTEMPTS: " " }), 5);
        assert.strictEqual(envInteger(ENV_KNOBS.connectVerifyAttempts, { DBT_ADO_CONNECT_VERIFY_ATTEMPTS: "1" }), 1);
    });

    it("every knob's default lies within its own bounds", () => {
        for (const knob of Object.values(ENV_KNOBS)) {
            assert.strictEqual(envInteger(knob, {}), knob.fallback);
            assert.ok(knob.fallback >= knob.min && knob.fallback <= knob.max, knob.name);
            assert.strictEqual(envInteger(knob, { [knob.name]: String(knob.fallback) }), knob.fallback);
        }
    });
});

describe("http: redaction", () => {
    it("masks known secrets, their base64 forms and any Authorization credential", () => {
        const redact = createRedactor([TOKEN]);
        const basic = Buffer.from(`:${TOKEN}`).toString("base64");
        const text = redact(`a ${TOKEN} b ${basic} c Authorization: Bearer eyJhbGciOi.JIUzI1NiJ9.xyz d Token abcdefghijkl`);
        assert.ok(!text.includes(TOKEN) && !text.includes(basic) && !text.includes("eyJhbGciOi") && !text.includes("abcdefghijkl"), text);
    });

    it("masks credential-like query values in URLs shown to people", () => {
        assert.strictEqual(describeUrl("https://x.test/a?client_secret=s3cr3t&token=repoV2%2F1"), "https://x.test/a?client_secret=%5BREDACTED%5D&token=repoV2%2F1");
    });
});

describe("http: credentials", () => {
    it("builds Basic auth from AZDO_PERSONAL_ACCESS_TOKEN", async () => {
        const creds = await azureDevOpsCredentials({ AZDO_PERSONAL_ACCESS_TOKEN: TOKEN }, () => { throw new Error("must not be used"); });
        assert.strictEqual(creds.authorization, `Basic ${Buffer.from(`:${TOKEN}`).toString("base64")}`);
    });

    it("falls back to an Entra token for the Azure DevOps scope", async () => {
        let scope = "";
        const creds = await azureDevOpsCredentials({}, () => ({ getToken: async (s: string) => { scope = s; return { token: "entra-jwt-123456" }; } }));
        assert.strictEqual(scope, "499b84ac-1321-427f-aa17-267ca6975798/.default");
        assert.strictEqual(creds.authorization, "Bearer entra-jwt-123456");
    });

    it("names the variable and how to get a credential when there is none", async () => {
        const error = await failure(azureDevOpsCredentials({}, () => ({ getToken: async () => { throw new Error("no az login"); } })));
        assert.match(error.message, /AZDO_PERSONAL_ACCESS_TOKEN is not set.*no az login.*_usersSettings\/tokens.*Security: Manage/s);
        assert.throws(() => dbtCloudCredentials({}), /DBT_CLOUD_TOKEN is not set.*Service tokens.*Account Admin/);
    });
});
