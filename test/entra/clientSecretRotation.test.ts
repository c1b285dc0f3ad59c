/**
 * The secret handover (providers/entra/clientSecretRotation.ts) against the fake Entra and Graph
 * and the fake dbt Cloud, in-process: mint, prove, hand over, retire, and each way a step can fail.
 * Every log line, error and state a test captures is checked for secret values.
 */
import * as assert from "assert/strict";
import { mintedDisplayName, parseMintedDisplayName } from "../../domain/clientSecretCredentials";
import { explainKnownError } from "../../domain/knownErrors";
import {
    clientSecretRotationProvider as provider, ClientSecretRotationOutputs, mintReasons, rotate,
} from "../../providers/entra/clientSecretRotation";
import { PartialFailure } from "../../providers/providerSafety";
import { FakeDbtCloud, onLegacyHost, NOT_SCOPED_TEXT } from "../dbtcloud/fakeDbtCloud";
import { RecordedRequest, useEnv } from "../http/fakeServer";
import { ACCOUNT, freshWorldForEachTest, HandoverWorld, NOW_PERIOD, OWNER, scheduled } from "./handoverWorld";

const P = NOW_PERIOD;
const start = (slots: ClientSecretRotationOutputs["slots"] = {}, dbtRecord?: ClientSecretRotationOutputs["dbtRecord"]) =>
    ({ slots, dbtRecord, legacyIsOrphaned: true, id: "test-id" });

describe("client secret rotation: mint, prove, hand over, retire", function () {
    this.timeout(60_000);
    let world: HandoverWorld;
    freshWorldForEachTest((w) => (world = w));

    describe("a first create", () => {
        it("mints one marked secret into the schedule's slot, proves it, writes dbt Cloud's record with it, and keeps no value in state", async () => {
            const inputs = world.inputs(P, { readiness: { successes: 2, timeoutSeconds: 5 } });
            const before = world.calls().length;
            const { id, outs } = await world.created(inputs);
            const [password, ...others] = world.passwords();
            assert.equal(others.length, 0, "exactly one secret");
            assert.equal(password.endDate, inputs.current.endDate);
            assert.deepEqual({ ...parseMintedDisplayName(password.displayName), nonce: "<nonce>" }, { slot: inputs.current.slot, owner: OWNER, nonce: "<nonce>" });
            assert.ok(password.displayName.startsWith(`dbt Cloud slot ${inputs.current.slot} ${inputs.current.periodStart.slice(0, 10)} [pulumi ${OWNER} `));

            const [record, ...moreRecords] = world.dbt.records;
            assert.equal(moreRecords.length, 0);
            assert.deepEqual(record.fields, {
                organization_name: "contoso-data", client_id: world.app.clientId, client_secret: password.value, tenant_id: inputs.tenantId,
                azure_service_authentication_method: "service_principal",
            });

            assert.equal(id, `${world.app.objectId}/dbt-${ACCOUNT}`);
            assert.deepEqual(outs, {
                ...inputs,
                slots: { [inputs.current.slot]: { keyId: password.keyId, endDate: inputs.current.endDate, period: P, displayName: password.displayName } },
                keyId: password.keyId,
                expiresAt: inputs.current.endDate,
                previousExpiresAt: "",
                dbtRecord: { applicationId: record.id, effectiveApiBaseUrl: world.apiBaseUrl, adoptedExisting: false, oauthRedirectUriDomain: "cloud.getdbt.com", updatedAt: record.updatedAt },
            });
            assert.ok(!("value" in outs));

            // Mint, then prove (successes token requests with the new secret, all before dbt's write), nothing removed.
            const ops = world.calls(before).filter((c) => c.op !== "token" || c.id === world.app.clientId).map((c) => `${c.op} ${c.outcome}`);
            assert.deepEqual(ops, ["graph:get ok", "graph:addPassword ok", "graph:get ok", "token ok", "token ok"]);
        });

        it("without DBT_CLOUD_TOKEN, mints nothing and names the variable", async () => {
            const restore = useEnv({ DBT_CLOUD_TOKEN: undefined });
            try {
                const { error } = await world.quietly(() => provider.create(world.inputs()));
                assert.match(String(error?.message), /DBT_CLOUD_TOKEN is not set\. Create a service token in dbt Cloud/);
                assert.deepEqual(world.passwords(), [], "no secret was minted that nobody would hold");
                assert.equal(world.calls().filter((c) => c.op === "graph:addPassword").length, 0);
            } finally {
                restore();
            }
        });

        it("hands the secret to the value output when there is no dbt Cloud account (stackOutput)", async () => {
            const inputs = world.inputs(P, { handover: { kind: "stackOutput" } });
            const { id, outs } = await world.created(inputs);
            const [password] = world.passwords();
            assert.equal(id, `${world.app.objectId}/output`);
            assert.equal(outs.value, password.value, "the minted secret, for a person to copy");
            assert.equal(outs.keyId, password.keyId);
            assert.equal(outs.dbtRecord, undefined);
            assert.equal(world.dbt.server.requests.length, 0, "dbt Cloud is not called");
            // No mint reason while the value is in state; an update that keeps the secret keeps the value.
            assert.deepEqual(mintReasons(outs, inputs), []);
            const kept = await world.updated(id, outs, { ...inputs, readiness: { successes: 3, timeoutSeconds: 5 } });
            assert.equal(kept.value, password.value);
            assert.equal(world.passwords().length, 1);
            assert.deepEqual(mintReasons({ ...outs, value: undefined }, inputs), ["the secret's value is not in state"]);
        });
    });

    describe("rotation", () => {
        it("a new period mints into the other slot and keeps the previous secret; the period after retires the slot's old occupant only after dbt Cloud holds its successor", async () => {
            const first = await world.created(world.inputs(P));
            const writes = world.watchDbtWrites();
            const firstKey = first.outs.keyId;

            const diff = await world.quietly(() => provider.diff!(first.id, first.outs, world.inputs(P + 1)));
            assert.deepEqual(diff.result, { changes: true, replaces: [] });
            assert.match(diff.log, new RegExp(`: this update mints a new client secret: slot ${scheduled(P + 1).slot} holds no secret yet\\.$`));

            const second = await world.updated(first.id, first.outs, world.inputs(P + 1));
            const secondKey = second.keyId;
            assert.deepEqual(world.passwords().map((p) => p.keyId).sort(), [firstKey, secondKey].sort(), "the previous secret stays valid in its slot");
            assert.deepEqual(Object.keys(second.slots).sort(), ["a", "b"]);
            assert.equal(second.previousExpiresAt, scheduled(P).endDate);
            assert.equal(second.expiresAt, scheduled(P + 1).endDate);
            assert.equal(world.dbtSecret(), world.password(secondKey)?.value);

            const diffThird = await world.quietly(() => provider.diff!(first.id, second, world.inputs(P + 2)));
            assert.deepEqual(diffThird.result, { changes: true, replaces: [] });
            assert.match(diffThird.log, new RegExp(`this update mints a new client secret: a new rotation period starts ${scheduled(P + 2).periodStart.slice(0, 10)}: slot ${scheduled(P + 2).slot} gets its next secret\\.$`));
            const third = await world.updated(first.id, second, world.inputs(P + 2));
            const thirdKey = third.keyId;
            assert.equal(scheduled(P + 2).slot, scheduled(P).slot);
            assert.deepEqual(world.passwords().map((p) => p.keyId).sort(), [secondKey, thirdKey].sort(), "the slot's old occupant is retired, the other slot kept");
            assert.equal(world.dbtSecret(), world.password(thirdKey)?.value);
            assert.equal(third.previousExpiresAt, scheduled(P + 1).endDate);
            // When dbt Cloud got the third secret, the first was still on the app: no gap.
            assert.equal(writes.length, 2);
            assert.ok(writes[1].keyIds.includes(firstKey) && writes[1].keyIds.includes(thirdKey), "retired only after the write");
            assert.equal(world.calls().filter((c) => c.op === "graph:removePassword").map((c) => c.id).join(), firstKey);
        });

        it("nothing changed: diff plans no change and no Graph or dbt write happens", async () => {
            const { id, outs } = await world.created();
            const before = world.calls().length;
            world.dbt.server.reset();
            const diff = await world.quietly(() => provider.diff!(id, outs, world.inputs()));
            assert.deepEqual(diff.result, { changes: false, replaces: [] });
            assert.doesNotMatch(diff.log, /mints/);
            assert.deepEqual(world.calls(before).filter((c) => c.op.startsWith("graph:")).map((c) => c.op), ["graph:get"], "one listing: is the current secret still there?");
            assert.ok(world.dbt.server.requests.every((r) => r.method === "GET"), "dbt's record is only read (its redirect domain)");
        });

        for (const [what, field, value, recordField] of [
            ["organization", "organizationName", "fabrikam", "organization_name"],
            ["authentication mode", "authMethod", "service_user", "azure_service_authentication_method"],
        ] as const) {
            it(`a mid-period change of dbt's ${what} mints a fresh secret for the write, into the same slot, and retires the one dbt held`, async () => {
                const { id, outs } = await world.created();
                const news = world.inputs(P, { handover: world.dbtHandover({ [field]: value }) });
                const diff = await world.quietly(() => provider.diff!(id, outs, news));
                assert.deepEqual(diff.result, { changes: true, replaces: [] });
                assert.match(diff.log, new RegExp(`dbt Cloud's record changes \\(${field}\\), and dbt's API needs the client secret on every write`));
                const after = await world.updated(id, outs, news);
                assert.notEqual(after.keyId, outs.keyId);
                assert.deepEqual(Object.keys(after.slots), [news.current.slot]);
                assert.deepEqual(world.passwords().map((p) => p.keyId), [after.keyId], "the secret dbt held before was retired after the write");
                const record = world.dbt.records[0];
                assert.equal(record.fields.client_secret, world.password(after.keyId)?.value);
                assert.equal(record.fields[recordField], value);
            });
        }

        it("a mid-period change of dbt's host mints a fresh secret and writes the record at the new host, leaving the old host's alone", async () => {
            const { id, outs } = await world.created();
            const other = new FakeDbtCloud(onLegacyHost());
            const otherBase = `${await other.server.start()}/api`;
            try {
                const news = world.inputs(P, { handover: world.dbtHandover({ apiBaseUrl: otherBase }) });
                const diff = await world.quietly(() => provider.diff!(id, outs, news));
                assert.deepEqual(diff.result, { changes: true, replaces: [] });
                assert.match(diff.log, /dbt Cloud's record changes \(apiBaseUrl\)/);
                const { result, error, log } = await world.quietly(() => provider.update!(id, outs, news));
                assert.ifError(error);
                const after = result!.outs as ClientSecretRotationOutputs;
                assert.equal(after.dbtRecord?.effectiveApiBaseUrl, otherBase);
                assert.equal(other.records[0].fields.client_secret, world.password(after.keyId)?.value);
                assert.equal(world.dbt.records[0].active, true, "the old host's record is not deleted");
                assert.match(log, /dbt Cloud API host changed from .* was not touched and may remain there/);
            } finally {
                await other.server.stop();
            }
        });

        it("a current secret deleted in the portal makes diff plan a mint, and the update mints it again", async () => {
            const { id, outs } = await world.created();
            world.removeCredential(outs.keyId);
            const diff = await world.quietly(() => provider.diff!(id, outs, world.inputs()));
            assert.deepEqual(diff.result, { changes: true, replaces: [] });
            assert.match(diff.log, new RegExp(`the current secret \\(key id ${outs.keyId}\\) is no longer on the app`));
            const after = await world.updated(id, outs, world.inputs());
            assert.notEqual(after.keyId, outs.keyId);
            assert.deepEqual(world.passwords().map((p) => p.keyId), [after.keyId]);
            assert.equal(world.dbtSecret(), world.password(after.keyId)?.value);
        });

        it("without Graph access in a preview, diff still plans from state and says the listing was skipped", async () => {
            const { id, outs } = await world.created();
            const restore = useEnv({ AZURE_CLIENT_SECRET: "not-the-deployer-secret-0000", DBT_CLOUD_TOKEN: undefined });
            try {
                const diff = await world.quietly(() => provider.diff!(id, outs, world.inputs()));
                assert.deepEqual(diff.result, { changes: false, replaces: [] });
                assert.match(diff.log, /Could not list the app's client secrets \(No Microsoft Graph token for the deploying identity .*whether the current one is still there is not checked/);
                const next = await world.quietly(() => provider.diff!(id, outs, world.inputs(P + 1)));
                assert.deepEqual(next.result, { changes: true, replaces: [] });
            } finally {
                restore();
            }
        });
    });

    describe("readiness", () => {
        it("a secret that never obtains a token is removed, dbt Cloud keeps what it had, and the message names the wait", async () => {
            const { id, outs } = await world.created();
            const held = world.dbtSecret();
            world.update((t) => { t.entra = { secretsNeverReady: true }; });
            world.dbt.server.reset();
            const news = world.inputs(P + 1, { readiness: { successes: 2, timeoutSeconds: 1 } });
            const { error } = await world.quietly(() => provider.update!(id, outs, news));
            const message = String(error?.message);
            assert.match(message, /^The new client secret did not obtain an Azure DevOps token 2 times in a row within 1 s \(secretReadinessTimeoutSeconds\); \d+ requests were made\./);
            assert.match(message, /The last failure: .*AADSTS7000215.* \(Entra does not accept this client secret/);
            assert.match(message, /re-run later, or raise secretReadinessTimeoutSeconds\. The consumer was not given it and keeps the secret it had; the unproven secret was removed\.$/);
            assert.equal(world.dbtSecret(), held);
            assert.equal(world.dbt.server.requests.filter((r) => r.method === "POST").length, 0, "dbt Cloud was not written");
            assert.deepEqual(world.passwords().map((p) => p.keyId), [outs.keyId], "the unproven secret is gone, the held one stays");
            assert.ok(world.appTokenRequests().filter((c) => c.outcome === "error").length >= 2);
        });

        it("Entra's replication delay and a refusal mid-streak: the count starts again, and dbt Cloud is written only after N in a row", async () => {
            world.update((t) => { t.entra = { newSecretDelayMs: 300 }; });
            const isAppToken = (r: RecordedRequest) =>
                r.method === "POST" && r.path.endsWith("/oauth2/v2.0/token") && new URLSearchParams(r.rawBody).get("client_id") === world.app.clientId;
            // After two successes, one more refusal, as Entra still answers now and then (terraform-provider-vault#2079).
            world.entra.server.inject((r) => isAppToken(r) && world.appTokenRequests().filter((c) => c.outcome === "ok").length === 2,
                { kind: "status", status: 401, body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided.", error_codes: [7000215] } });
            const writes = world.watchDbtWrites();
            const deps = world.deps();
            const { result, error } = await world.quietly(() => rotate(world.inputs(P, { readiness: { successes: 3, timeoutSeconds: 10 } }), start(), deps));
            assert.ifError(error);
            assert.equal(writes.length, 1);
            // The fake logs what it answered itself; the injected refusal came between the second and third success.
            const answered = world.appTokenRequests().map((c) => c.outcome);
            assert.equal(answered[0], "error", "refused during the replication delay");
            assert.deepEqual(answered.filter((o) => o === "ok").length, 5, "two successes, the refusal, then three in a row: the count started again");
            assert.deepEqual(answered.slice(-3), ["ok", "ok", "ok"]);
            assert.equal(world.appTokenRequests().filter((c) => c.n <= writes[0].calls).length, answered.length, "every token request came before dbt's write");
            const requests = world.entra.server.requests.filter(isAppToken).length;
            assert.equal(requests, answered.length + 1);
            assert.match(deps.lines.join("\n"), new RegExp(`obtained an Azure DevOps token 3 times in a row \\(${requests} requests`));
            assert.equal(world.dbtSecret(), world.password((result as ClientSecretRotationOutputs).keyId)?.value);
        });
    });

    describe("dbt Cloud refuses or does not answer", () => {
        it("a refusal (HTTP 403): the new secret is removed and dbt Cloud keeps the secret it had", async () => {
            const { id, outs } = await world.created();
            const held = world.dbtSecret();
            world.dbt.forbid = NOT_SCOPED_TEXT;
            const { error } = await world.quietly(() => provider.update!(id, outs, world.inputs(P + 1)));
            assert.match(String(error?.message), /^Writing dbt Cloud's record failed: [\s\S]*HTTP 403[\s\S]*Token is not scoped to account[\s\S]* dbt Cloud keeps the secret it had, which stays valid; the new secret was removed\.$/);
            assert.deepEqual(world.passwords().map((p) => p.keyId), [outs.keyId]);
            world.dbt.forbid = undefined;
            assert.equal(world.dbtSecret(), held);
        });

        it("a create blocked by a soft-deleted record (a certain refusal whatever its status): the new secret is removed", async () => {
            world.dbt.records.push({ id: 9, active: false, fields: {} });
            world.dbt.duplicateAnswer = { status: 500, where: "raw" };
            const { error } = await world.quietly(() => provider.create(world.inputs()));
            assert.match(String(error?.message), /^Writing dbt Cloud's record failed: .*rejected a new Azure AD application as a duplicate, but lists none\..* dbt Cloud keeps the secret it had, which stays valid; the new secret was removed\.$/);
            assert.deepEqual(world.passwords(), [], "dbt Cloud holds none of it: nothing is left for a later run");
        });

        for (const [what, fault] of [
            ["HTTP 503 (after the client's retries)", { kind: "status", status: 503 }],
            ["no answer at all", { kind: "reset" }],
        ] as const) {
            it(`${what}: the new secret stays (dbt may have taken it), marked, and the next successful run removes it after its handover`, async () => {
                const { id, outs } = await world.created();
                const before = world.passwords().map((p) => p.keyId);
                world.dbt.server.inject((r) => r.method === "POST", fault, 20);
                const failed = await world.quietly(() => provider.update!(id, outs, world.inputs(P + 1)));
                const message = String(failed.error?.message);
                const kept = world.passwords().map((p) => p.keyId).filter((k) => !before.includes(k));
                assert.equal(kept.length, 1, "the new secret stays on the app");
                assert.match(message, new RegExp(`dbt Cloud keeps the secret it had, which stays valid; the new secret \\(key id ${kept[0]}\\) stays on the app in case dbt Cloud took it, and the next run that hands over a newer one removes it\\.$`));
                assert.equal(parseMintedDisplayName(world.password(kept[0])!.displayName)?.owner, OWNER, "marked as this stack's");

                world.dbt.server.reset();
                const writes = world.watchDbtWrites();
                // Pulumi recorded nothing for the failed update: the next run starts from the same state.
                const next = await world.quietly(() => provider.update!(id, outs, world.inputs(P + 1)));
                assert.ifError(next.error);
                const after = next.result!.outs as ClientSecretRotationOutputs;
                assert.match(next.log, new RegExp(`The app has 1 client secret\\(s\\) this stack minted in a run that did not finish: ${kept[0]} \\(`));
                assert.deepEqual(world.passwords().map((p) => p.keyId).sort(), [outs.keyId, after.keyId].sort(), "the kept one is removed, the other slot stays");
                assert.ok(writes[0].keyIds.includes(kept[0]), "removed only after dbt Cloud got the newer secret");
            });
        }
    });

    describe("credentials the stack did not record", () => {
        it("removes a marked orphan of this stack after the handover, reports and keeps a hand-made secret and another stack's", async () => {
            const { id, outs } = await world.created();
            const orphan = world.addCredential(mintedDisplayName("a", new Date(), OWNER, "deadbeef"));
            const byHand = world.addCredential("CI pipeline (made by hand)");
            const otherStack = world.addCredential(mintedDisplayName("a", new Date(), "dbt-azure-devops/prod", "0badf00d"));
            const writes = world.watchDbtWrites();
            const { result, error, log } = await world.quietly(() => provider.update!(id, outs, world.inputs(P + 1)));
            assert.ifError(error);
            const after = result!.outs as ClientSecretRotationOutputs;
            assert.match(log, new RegExp(`The app has 2 client secret\\(s\\) this stack did not make: ${byHand.keyId} \\("CI pipeline \\(made by hand\\)", ends \\d{4}-\\d{2}-\\d{2}\\), ${otherStack.keyId} .*They are left alone; if nobody needs them, remove them \\(az ad app credential delete --id <clientId> --key-id <keyId>\\)`));
            assert.match(log, new RegExp(`this stack minted in a run that did not finish: ${orphan.keyId} .*They are removed once the consumer holds the new secret`));
            assert.match(log, new RegExp(`Removed client secret ${orphan.keyId} from the app \\(the consumer holds the newer secret\\)`));
            assert.deepEqual(world.passwords().map((p) => p.keyId).sort(), [outs.keyId, byHand.keyId, otherStack.keyId, after.keyId].sort());
            assert.ok(writes[0].keyIds.includes(orphan.keyId), "the orphan went only after the write");
        });

        it("leaves the former ApplicationPassword slots' secrets during the upgrade run (Pulumi deletes them), and removes any left over in a later handover", async () => {
            const legacyA = world.addCredential("dbt Cloud (slot a, from 2026-09-17)");
            const upgrade = world.deps();
            const first = await world.quietly(() => rotate(world.inputs(), { ...start(), legacyIsOrphaned: false }, upgrade));
            assert.ifError(first.error);
            assert.match(upgrade.lines.join("\n"), new RegExp(`The former ApplicationPassword slots' secret\\(s\\) ${legacyA.keyId} .*are retired by Pulumi at the end of this run, after the consumer holds the new secret\\.`));
            assert.ok(world.password(legacyA.keyId), "left for Pulumi's own delete");

            const later = world.deps();
            const state = first.result as ClientSecretRotationOutputs;
            const second = await world.quietly(() => rotate(world.inputs(P + 1), start(state.slots, state.dbtRecord), later));
            assert.ifError(second.error);
            assert.match(later.lines.join("\n"), /still has client secret\(s\) of the former ApplicationPassword slots: .*They are removed once the consumer holds the new secret\./);
            assert.equal(world.password(legacyA.keyId), undefined, "Pulumi no longer tracks it: the handover removes it");
        });
    });

    describe("Graph's answers to addPassword", () => {
        it("an answer lost once: the client repeats the POST, and the twin the first one minted is found by its nonce and removed", async () => {
            world.entra.server.inject((r) => r.path.endsWith("/addPassword"), { kind: "reset-after-handling" }, 1);
            const deps = world.deps("c0ffee01");
            const { result, error } = await world.quietly(() => rotate(world.inputs(), start(), deps));
            assert.ifError(error);
            const state = result as ClientSecretRotationOutputs;
            assert.equal(world.calls().filter((c) => c.op === "graph:addPassword").length, 2, "the pipeline retried the POST");
            assert.deepEqual(world.passwords().map((p) => p.keyId), [state.keyId], "one secret left: the one handed over");
            assert.match(deps.lines.join("\n"), /Removed client secret \S+ from the app \(a repeated request minted it twice, or its answer was lost\)/);
            assert.equal(world.dbtSecret(), world.password(state.keyId)?.value);
        });

        it("no answer at all: whatever was minted is found by its nonce and removed, and nothing is handed over", async () => {
            world.entra.server.inject((r) => r.path.endsWith("/addPassword"), { kind: "reset-after-handling" }, 20);
            const deps = world.deps("c0ffee02");
            const { error } = await world.quietly(() => rotate(world.inputs(), start(), deps));
            assert.match(String(error?.message), new RegExp(`^Minting a new client secret for slot ${scheduled(P).slot} failed; nothing was handed over, and the consumer keeps the secret it had\\. .*addPassword failed before an answer arrived`));
            assert.ok(world.calls().filter((c) => c.op === "graph:addPassword" && c.outcome === "ok").length >= 1, "Entra did mint");
            assert.deepEqual(world.passwords(), [], "every copy minted without an answer was removed");
            assert.equal(world.dbt.records.length, 0);
        });

        it("an app management policy refusal is explained with the known cause and fix, and nothing is written", async () => {
            world.update((t) => { t.policy = { maxPasswordLifetimeDays: 90, policyId: "11111111-2222-4333-8444-555555555555" }; });
            const { error } = await world.quietly(() => provider.create(world.inputs()));
            const message = String(error?.message);
            assert.match(message, /^Minting a new client secret for slot [ab] failed; nothing was handed over, and the consumer keeps the secret it had\. POST https:\/\/127\.0\.0\.1:\d+\/v1\.0\/applications\/\S+\/addPassword failed with HTTP 400: CredentialInvalidLifetimeAsPerAppPolicy: Credential lifetime exceeds the max value allowed as per assigned policy '11111111-2222-4333-8444-555555555555'\./);
            assert.ok(message.endsWith(explainKnownError("CredentialInvalidLifetimeAsPerAppPolicy")!));
            assert.deepEqual(world.passwords(), []);
            assert.equal(world.dbt.server.requests.filter((r) => r.method === "POST").length, 0);

            world.update((t) => { t.policy = { blockPasswordAddition: true }; });
            const blocked = await world.quietly(() => provider.create(world.inputs()));
            assert.match(String(blocked.error?.message), /CredentialTypeNotAllowedAsPerAppPolicy.*An Entra app management policy blocks new client secrets, and dbt Cloud accepts only a client secret/);
        });
    });

    describe("after the handover", () => {
        it("a failed retirement is a partial failure: the new state is recorded, the run fails, and the next handover retires it", async () => {
            const first = await world.created(world.inputs(P));
            const second = await world.updated(first.id, first.outs, world.inputs(P + 1));
            world.entra.server.inject((r) => r.path.endsWith("/removePassword"), { kind: "status", status: 500, body: { error: { code: "InternalServerError", message: "boom" } } }, 20);
            const { error } = await world.quietly(() => provider.update!(first.id, second, world.inputs(P + 2)));
            const failure = error as PartialFailure;
            assert.match(failure.message, new RegExp(`^The new secret was handed over, but removing 1 old secret\\(s\\) failed \\(${first.outs.keyId}: POST .*removePassword failed with HTTP 500: InternalServerError: boom\\.\\); the next run removes them \\(they are marked as this stack's\\)\\.$`));
            assert.equal(failure.id, first.id);
            const recorded = failure.properties as unknown as ClientSecretRotationOutputs;
            assert.equal(world.dbtSecret(), world.password(recorded.keyId)?.value, "state records the secret dbt Cloud holds");
            assert.deepEqual(Object.keys(recorded.slots).sort(), ["a", "b"]);

            world.entra.server.reset();
            const fourth = await world.quietly(() => provider.update!(first.id, recorded, world.inputs(P + 3)));
            assert.ifError(fourth.error);
            assert.match(fourth.log, new RegExp(`this stack minted in a run that did not finish: ${first.outs.keyId}`));
            assert.equal(world.password(first.outs.keyId), undefined, "the leftover is an orphan now, and retired");
            assert.equal(world.passwords().length, 2);
        });
    });
});
