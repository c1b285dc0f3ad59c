/**
 * providers/entra/readiness.ts with its hooks replaced: a scripted token endpoint and a clock that
 * moves only when the prover sleeps, so the streak, the reset and the bounded wait are exact.
 * (The rotation tests run it against the fake Entra with the real @azure/identity.)
 */
import * as assert from "assert/strict";
import { AZURE_DEVOPS_DEFAULT_SCOPE, proveSecret, ReadinessHooks } from "../../providers/entra/readiness";
import { useEnv } from "../http/fakeServer";

const SECRET = "Abc8Q~not-a-real-secret-0123456789abcdef";
const REFUSED = "ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided. Trace ID: x";

/** Token answers in order ("ok", "fail", "null"); the last repeats. */
function scripted(answers: Array<"ok" | "fail" | "null">): ReadinessHooks & { requests: Array<{ secret: string; scope: string | string[] }>; sleeps: number[] } {
    let now = 1_000_000;
    const requests: Array<{ secret: string; scope: string | string[] }> = [];
    const sleeps: number[] = [];
    return {
        requests,
        sleeps,
        credential: (secret) => ({
            getToken: async (scope) => {
                requests.push({ secret, scope });
                const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
                if (answer === "fail") throw new Error(`${REFUSED}\nEnvironmentCredential: more lines that are not shown`);
                return answer === "null" ? null : { token: "t" };
            },
        }),
        sleep: async (ms) => {
            sleeps.push(ms);
            now += ms;
        },
        now: () => now,
    };
}

describe("readiness: a new secret proves itself before anyone is handed it", () => {
    let restore: () => void;
    beforeEach(() => {
        restore = useEnv({ DBT_ADO_READINESS_PAUSE_MS: undefined });
    });
    afterEach(() => restore());

    it("asks for an Azure DevOps token with the secret until N requests in a row succeed, one second apart by default", async () => {
        const hooks = scripted(["ok"]);
        assert.deepEqual(await proveSecret(SECRET, { successes: 8, timeoutSeconds: 300 }, hooks), { requests: 8, elapsedMs: 7000 });
        assert.equal(AZURE_DEVOPS_DEFAULT_SCOPE, "499b84ac-1321-427f-aa17-267ca6975798/.default");
        assert.deepEqual(hooks.requests, Array(8).fill({ secret: SECRET, scope: AZURE_DEVOPS_DEFAULT_SCOPE }), "a new credential for each request, so no cached token proves anything");
        assert.deepEqual(hooks.sleeps, Array(7).fill(1000));
    });

    it("starts the count again after a failure, and a missing token is a failure", async () => {
        const hooks = scripted(["ok", "fail", "ok", "null", "ok", "ok", "ok"]);
        assert.deepEqual(await proveSecret(SECRET, { successes: 3, timeoutSeconds: 300 }, hooks), { requests: 7, elapsedMs: 6000 });
    });

    it("gives up within the wait, naming it, the requests made and Entra's last answer explained", async () => {
        const hooks = scripted(["fail"]);
        const error = await proveSecret(SECRET, { successes: 8, timeoutSeconds: 3 }, hooks).then(() => assert.fail("proved"), (e: Error) => e);
        // At 0, 1, 2 and 3 s; the next would come after the 3 s wait.
        assert.equal(hooks.requests.length, 4);
        assert.equal(error.message, "The new client secret did not obtain an Azure DevOps token 8 times in a row within 3 s (secretReadinessTimeoutSeconds); " +
            `4 requests were made. The last failure: ${REFUSED} (Entra does not accept this client secret: it is wrong, not yet replicated (a new secret takes seconds), ` +
            "or the secret's ID was pasted in place of its value; let `pulumi up` hand over a fresh one (docs/rotation.md), or copy the value, not the ID.) " +
            "Entra usually accepts a new secret within a minute; re-run later, or raise secretReadinessTimeoutSeconds.");
        assert.ok(!error.message.includes(SECRET));
    });

    it("a streak cut off by the deadline fails too; an unknown last failure is quoted without an explanation", async () => {
        const hooks = scripted(["null", "ok"]);
        const error = await proveSecret(SECRET, { successes: 8, timeoutSeconds: 2 }, hooks).then(() => assert.fail("proved"), (e: Error) => e);
        assert.match(error.message, /within 2 s .*3 requests were made\. The last failure: no token was returned\.? Entra usually/);
    });

    it("takes the pause from DBT_ADO_READINESS_PAUSE_MS, and refuses a value that is not a number of milliseconds", async () => {
        useEnv({ DBT_ADO_READINESS_PAUSE_MS: "50" });
        const hooks = scripted(["ok"]);
        await proveSecret(SECRET, { successes: 3, timeoutSeconds: 1 }, hooks);
        assert.deepEqual(hooks.sleeps, [50, 50]);
        useEnv({ DBT_ADO_READINESS_PAUSE_MS: "soon" });
        await assert.rejects(proveSecret(SECRET, { successes: 3, timeoutSeconds: 1 }, scripted(["ok"])), /Environment variable DBT_ADO_READINESS_PAUSE_MS is "soon", which is not a whole number of ms from 0 to 60000/);
    });
});
