/**
 * providers/entra/api/graph.ts against the fake Graph (https, @azure/core-rest-pipeline with the
 * deploying identity's bearer token): reads without values, Graph's 404 for an application created
 * moments ago, permissions named on 401/403, no token, removePassword's "absent", and redaction.
 */
import * as assert from "assert/strict";
import {
    addPassword, getApplicationCredentials, graphErrorCode, openGraphSession, removePassword, setInstanceLock,
} from "../../providers/entra/api/graph";
import { HttpError } from "../../lib/http/httpError";
import { assertNoSecrets, useEnv } from "../http/fakeServer";
import { DEFAULT_DEPLOYER_SECRET } from "./fakeEntra";
import { freshWorldForEachTest, HandoverWorld } from "./handoverWorld";

const PERMISSION = /The deploying identity needs: Microsoft Graph application permission Application\.ReadWrite\.OwnedBy with the deploying identity among the app's owners \(or Application\.ReadWrite\.All\), or, for a user, the Application Administrator or Cloud Application Administrator role\.$/;
/** The error a call must fail with. */
const failure = (call: Promise<unknown>): Promise<HttpError> => call.then(() => assert.fail("the call succeeded"), (error: HttpError) => error);
const graphError = (status: number, code: string, message: string) => ({ kind: "status" as const, status, body: { error: { code, message } } });

describe("Microsoft Graph client (providers/entra/api/graph.ts)", function () {
    this.timeout(60_000);
    let world: HandoverWorld;
    freshWorldForEachTest((w) => (world = w));

    it("lists an application's credentials without values, and its instance property lock", async () => {
        const byHand = world.addCredential("made by hand");
        const session = openGraphSession();
        const listed = await getApplicationCredentials(session, world.app.objectId);
        assert.deepEqual(listed.passwordCredentials.map((p) => [p.keyId, p.displayName, p.endDateTime]), [[byHand.keyId, "made by hand", byHand.endDate]]);
        assert.deepEqual(listed.servicePrincipalLockConfiguration, null);
        assert.ok(!JSON.stringify(listed).includes(byHand.value), "Graph never lists a value");
        const request = world.entra.server.requests.find((r) => r.method === "GET" && r.path.startsWith("/v1.0/applications/"));
        assert.equal(request?.query.get("$select"), "id,passwordCredentials,keyCredentials,servicePrincipalLockConfiguration");
        assert.match(String(request?.headers.authorization), /^Bearer eyJ[\w-]+\.eyJ[\w-]+\./, "the deploying identity's token for Graph");
    });

    it("adds a password whose value comes back once and is redacted from every later message; removes it", async () => {
        const session = openGraphSession();
        const added = await addPassword(session, world.app.objectId, { displayName: "test", endDateTime: new Date(Date.now() + 86_400_000).toISOString() });
        assert.equal(world.password(added.keyId)?.value, added.secretText);
        assert.deepEqual(session.secrets, [added.secretText]);
        // Graph echoing the value in an error (it does not, but nothing may depend on that) is redacted.
        world.entra.server.inject((r) => r.path.endsWith("/removePassword"), graphError(400, "Request_BadRequest", `bad key ${added.secretText}`));
        const echoed = await removePassword(session, world.app.objectId, added.keyId).catch((e: Error) => e);
        assert.ok(echoed instanceof Error);
        assertNoSecrets(echoed.message + JSON.stringify(echoed), [added.secretText], "a Graph error");
        assert.match(echoed.message, /failed with HTTP 400: Request_BadRequest: bad key \[REDACTED\]\.$/);
        assert.equal(await removePassword(session, world.app.objectId, added.keyId), "removed");
        assert.equal(world.password(added.keyId), undefined);
    });

    it("removePassword: a key the app does not hold is 'absent' (believed only after a fresh listing); a 404 for a key still listed is an error", async () => {
        const session = openGraphSession();
        assert.equal(await removePassword(session, world.app.objectId, "0a1b2c3d-0000-4000-8000-000000000001"), "absent");
        const kept = world.addCredential("still here");
        world.entra.server.inject((r) => r.path.endsWith("/removePassword"), graphError(404, "Request_ResourceNotFound", "not found"));
        await assert.rejects(removePassword(session, world.app.objectId, kept.keyId.toUpperCase()), /removePassword failed with HTTP 404: Request_ResourceNotFound: not found\./);
        assert.ok(world.password(kept.keyId));
    });

    it("retries Graph's 404 for an application created moments ago (replication), within DBT_ADO_GRAPH_LAG_*", async () => {
        world.update((t) => {
            t.entra = { readLagMs: 600 };
            t.applications[0].createdAt = new Date().toISOString();
        });
        const restore = useEnv({ DBT_ADO_GRAPH_LAG_ATTEMPTS: "100", DBT_ADO_GRAPH_LAG_PAUSE_MS: "20" });
        try {
            await setInstanceLock(openGraphSession(), world.app.objectId, { isEnabled: true, allProperties: true });
        } finally {
            restore();
        }
        const patches = world.calls().filter((c) => c.op === "graph:patch").map((c) => c.outcome);
        assert.ok(patches.length > 1 && patches.slice(0, -1).every((o) => o === "notFound"), patches.join());
        assert.equal(patches[patches.length - 1], "ok");
        assert.deepEqual(world.tenant().applications[0].servicePrincipalLockConfiguration, { isEnabled: true, allProperties: true });
    });

    it("believes a 404 after the attempts, naming the endpoint, and never retries other answers", async () => {
        const session = openGraphSession();
        const missing = "0a1b2c3d-0000-4000-8000-0000000000ff";
        const restore = useEnv({ DBT_ADO_GRAPH_LAG_ATTEMPTS: "3", DBT_ADO_GRAPH_LAG_PAUSE_MS: "1" });
        try {
            const error = await failure(getApplicationCredentials(session, missing));
            assert.match(error.message, new RegExp(`^GET https://127\\.0\\.0\\.1:\\d+/v1\\.0/applications/${missing}\\?\\$select=\\S+ failed with HTTP 404: Request_ResourceNotFound: Resource '${missing}' does not exist`));
            assert.equal(error.status, 404);
            assert.equal(graphErrorCode(error), "Request_ResourceNotFound");
            assert.equal(world.calls().filter((c) => c.op === "graph:get").length, 3);
        } finally {
            restore();
        }
        assert.equal(graphErrorCode(new Error("x")), "");
    });

    for (const status of [401, 403]) {
        it(`a ${status} names the permission the deploying identity needs`, async () => {
            world.entra.server.inject((r) => r.path.startsWith("/v1.0/"), graphError(status, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
            const error = await failure(getApplicationCredentials(openGraphSession(), world.app.objectId));
            assert.match(error.message, new RegExp(`failed with HTTP ${status}: Authorization_RequestDenied: Insufficient privileges to complete the operation\\. `));
            assert.match(error.message, PERMISSION);
            assert.equal(error.status, status);
        });
    }

    it("another refusal does not talk about permissions", async () => {
        world.entra.server.inject((r) => r.path.startsWith("/v1.0/"), graphError(400, "Request_BadRequest", "Invalid value"));
        const error = await failure(getApplicationCredentials(openGraphSession(), world.app.objectId));
        assert.match(error.message, /failed with HTTP 400: Request_BadRequest: Invalid value\.$/);
        assert.equal(world.entra.server.requests.filter((r) => r.path.startsWith("/v1.0/")).length, 1, "a refusal is not retried");
    });

    it("without a token for the deploying identity, says how to sign in, never with the secret it tried", async () => {
        const refusing = { getToken: async () => { throw new Error("ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided."); } };
        const error = await failure(getApplicationCredentials(openGraphSession(process.env, refusing), world.app.objectId));
        assert.equal(error.kind, "credentials");
        assert.match(error.message, /^No Microsoft Graph token for the deploying identity \(ClientSecretCredential authentication failed: AADSTS7000215.*\)\. Sign in the way the azuread provider does: `az login`.*AZURE_TENANT_ID \+ AZURE_CLIENT_ID \+ AZURE_CLIENT_SECRET\.$/);

        const wrong = "wrong-deployer-secret-4f5e6d7c8b9a";
        const restore = useEnv({ AZURE_CLIENT_SECRET: wrong });
        try {
            const real = await failure(getApplicationCredentials(openGraphSession(), world.app.objectId));
            assert.match(real.message, /^No Microsoft Graph token for the deploying identity \(.*\)\. Sign in/);
            assertNoSecrets(real.message, [wrong, DEFAULT_DEPLOYER_SECRET], "the credentials error");
        } finally {
            restore();
        }
        assert.equal(world.calls().filter((c) => c.op.startsWith("graph:")).length, 0, "Graph was never called without a token");
    });

    it("a Graph that does not answer fails naming the endpoint, after the pipeline's retries", async () => {
        world.entra.server.inject((r) => r.path.startsWith("/v1.0/"), { kind: "reset" }, 20);
        const error = await failure(getApplicationCredentials(openGraphSession(), world.app.objectId));
        assert.equal(error.kind, "network");
        assert.match(error.message, /^GET https:\/\/127\.0\.0\.1:\d+\/v1\.0\/applications\/\S+ failed before an answer arrived: /);
        assert.equal(world.entra.server.requests.filter((r) => r.path.startsWith("/v1.0/")).length, 4, "one request and three retries (DBT_ADO_HTTP_MAX_RETRIES)");
    });

    it("an addPassword answer without the secret is an error, not an empty secret", async () => {
        world.entra.server.inject((r) => r.path.endsWith("/addPassword"), { kind: "status", status: 200, body: { keyId: "0a1b2c3d-0000-4000-8000-000000000001", secretText: "" } });
        await assert.rejects(addPassword(openGraphSession(), world.app.objectId, { displayName: "x", endDateTime: new Date(Date.now() + 86_400_000).toISOString() }),
            /addPassword answered without a key id or secret\./);
    });
});
