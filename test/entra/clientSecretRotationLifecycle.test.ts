/**
 * The secret handover's other provider methods (providers/entra/clientSecretRotation.ts): check
 * (inputs, and dbt's redirect domain read fresh), diff's replacements, read for `pulumi refresh`,
 * delete, and state written by the former dbt record resource (the upgrade), against the fakes.
 */
import * as assert from "assert/strict";
import { runtime } from "@pulumi/pulumi";
import { ClientSecretRotationInputs, clientSecretRotationProvider as provider, ClientSecretRotationOutputs } from "../../providers/entra/clientSecretRotation";
import { PartialFailure } from "../../providers/providerSafety";
import { FakeDbtCloud, onLegacyHost, NOT_SCOPED_TEXT } from "../dbtcloud/fakeDbtCloud";
import { useEnv } from "../http/fakeServer";
import { ACCOUNT, freshWorldForEachTest, HandoverWorld, NOW_PERIOD } from "./handoverWorld";

const P = NOW_PERIOD;

describe("client secret rotation: check, replacements, refresh, delete, upgrade", function () {
    this.timeout(60_000);
    let world: HandoverWorld;
    freshWorldForEachTest((w) => (world = w));

    describe("check", () => {
        const failures = async (news: ClientSecretRotationInputs) => (await world.quietly(() => provider.check!({} as ClientSecretRotationInputs, news))).result!.failures!;

        it("reports every bad input at once, each under its key", async () => {
            const bad = {
                ...world.inputs(),
                applicationObjectId: "/applications/x", clientId: "not-a-guid", tenantId: "contoso.onmicrosoft.com",
                current: { slot: "c", period: 1.5, periodStart: "", endDate: "soon" },
                readiness: { successes: 0, timeoutSeconds: 300 },
                handover: world.dbtHandover({ accountId: "acme", apiBaseUrl: "http://cloud.getdbt.com/api", organizationName: "dev.azure.com/contoso", authMethod: "oauth" as never }),
            } as unknown as ClientSecretRotationInputs;
            const found = await failures(bad);
            assert.deepEqual(found.map((f) => f.property), [
                "applicationObjectId", "clientId", "tenantId", "current", "readiness",
                "handover.accountId", "handover.apiBaseUrl", "handover.organizationName", "handover.authMethod",
            ]);
            assert.match(found[0].reason, /^applicationObjectId must be a GUID/);
            assert.match(found[6].reason, /as the dbt Cloud token and the client secret are sent there/);
            assert.match(found[7].reason, /the organization name alone is "contoso"/);
            assert.match(found[8].reason, /handover\.authMethod must be one of service_principal, service_user; got "oauth"/);
            assert.equal(world.dbt.server.requests.length, 0, "with bad inputs, dbt Cloud is not asked for its redirect domain");
            assert.deepEqual(await failures({ ...world.inputs(), handover: { kind: "email" } } as unknown as ClientSecretRotationInputs),
                [{ property: "handover", reason: "handover.kind must be dbtCloud or stackOutput." }]);
            assert.deepEqual(await failures(world.inputs(P, { handover: { kind: "stackOutput" } })), []);
        });

        it("refuses an apiBaseUrl the dbt token and the secret may not be sent to", async () => {
            const verdict = async (url: string) => (await failures(world.inputs(P, { handover: world.dbtHandover({ apiBaseUrl: url }) }))).map((f) => f.property);
            for (const bad of ["http://cloud.getdbt.com/api", "http://dbt.example.com/api", "https://user:pw@cloud.getdbt.com/api", "ftp://cloud.getdbt.com/api", "cloud.getdbt.com/api"]) {
                assert.deepEqual(await verdict(bad), ["handover.apiBaseUrl"], bad);
            }
            for (const good of ["https://ab123.us1.dbt.com/api", "http://localhost:8080/api", world.apiBaseUrl]) {
                assert.deepEqual(await verdict(good), [], good);
            }
        });

        it("does not judge values unknown in a preview, and then reads nothing from dbt Cloud", async () => {
            const unknown = runtime.unknownValue as never;
            const news = { ...world.inputs(), applicationObjectId: unknown, clientId: unknown, tenantId: unknown, handover: world.dbtHandover({ redirectHosts: unknown }) };
            assert.deepEqual(await failures(news), []);
            assert.deepEqual(await failures({ ...world.inputs(), current: unknown, readiness: unknown, handover: unknown }), []);
            assert.equal(world.dbt.server.requests.length, 0);
        });

        it("reads dbt's redirect domain fresh and refuses one the app does not allow, naming the command, before anything is written", async () => {
            await world.created();
            const before = world.calls().length;
            world.dbt.deployment.oauthRedirectUriDomain = "ab123.us1.dbt.com";
            world.dbt.server.reset();
            const found = await failures(world.inputs(P + 1));
            assert.deepEqual(found.map((f) => f.property), ["handover"]);
            assert.match(found[0].reason, /^dbt Cloud redirects the Azure DevOps sign-in to ab123\.us1\.dbt\.com now .*not one of the app registration's hosts \(cloud\.getdbt\.com\)\. Nothing was written\. Add the host to the app and run pulumi up again: pulumi config set --path 'dbtCloudAdditionalHosts\[0\]' ab123\.us1\.dbt\.com$/);
            assert.ok(world.dbt.server.requests.every((r) => r.method === "GET"), "dbt Cloud is only read");
            assert.deepEqual(world.calls(before).filter((c) => c.op.startsWith("graph:")), [], "Entra is not touched");
            // Once the stack allows that host (as an additional host), the same domain passes.
            assert.deepEqual(await failures(world.inputs(P + 1, { handover: world.dbtHandover({ redirectHosts: ["cloud.getdbt.com", "ab123.us1.dbt.com"] }) })), []);
        });

        it("does not judge the redirect domain without DBT_CLOUD_TOKEN, when dbt cannot be read, or before the account has a record", async () => {
            world.dbt.deployment.oauthRedirectUriDomain = "ab123.us1.dbt.com";
            assert.deepEqual(await failures(world.inputs()), [], "no record yet: nothing to judge");
            await world.created(world.inputs(P, { handover: world.dbtHandover({ redirectHosts: ["cloud.getdbt.com", "ab123.us1.dbt.com"] }) }));
            const restore = useEnv({ DBT_CLOUD_TOKEN: undefined });
            try {
                const { result, log } = await world.quietly(() => provider.check!({} as ClientSecretRotationInputs, world.inputs()));
                assert.deepEqual(result?.failures, []);
                assert.match(log, /dbt Cloud's redirect domain was not read: DBT_CLOUD_TOKEN is not set \(a preview without it cannot judge it\)/);
            } finally {
                restore();
            }
            world.dbt.forbid = NOT_SCOPED_TEXT;
            const { result, log } = await world.quietly(() => provider.check!({} as ClientSecretRotationInputs, world.inputs()));
            assert.deepEqual(result?.failures, []);
            assert.match(log, /dbt Cloud's redirect domain could not be read \(.*HTTP 403.*\); it is judged again when the record is written/);
        });
    });

    describe("redirect domain after the write, and redirect-domain drift", () => {
        it("a domain the app does not allow, reported by the write itself: the new state is recorded and the run fails saying the record was written", async () => {
            world.dbt.deployment.oauthRedirectUriDomain = "ab123.us1.dbt.com";
            const { error } = await world.quietly(() => provider.create(world.inputs()));
            const failure = error as PartialFailure;
            assert.match(failure.message, /ab123\.us1\.dbt\.com now .*dbt Cloud's record was written in this run, with a new secret that works\. Add the host to the app/);
            assert.equal(failure.id, `${world.app.objectId}/dbt-${ACCOUNT}`);
            const state = failure.properties as unknown as ClientSecretRotationOutputs;
            assert.equal(state.dbtRecord?.oauthRedirectUriDomain, "ab123.us1.dbt.com");
            assert.equal(world.dbtSecret(), world.password(state.keyId)?.value, "state records the secret dbt Cloud holds");
        });

        it("diff notices a domain dbt changed on its side and the update records it without minting; so does a change of the app's hosts", async () => {
            const { id, outs } = await world.created();
            world.dbt.deployment.oauthRedirectUriDomain = "ab123.us1.dbt.com";
            const news = world.inputs(P, { handover: world.dbtHandover({ redirectHosts: ["cloud.getdbt.com", "ab123.us1.dbt.com"] }) });
            assert.deepEqual((await world.quietly(() => provider.diff!(id, outs, world.inputs()))).result, { changes: true, replaces: [] });
            const { result, error, log } = await world.quietly(() => provider.update!(id, outs, news));
            assert.ifError(error);
            assert.doesNotMatch(log, /Minted/);
            assert.equal(result?.outs?.dbtRecord?.oauthRedirectUriDomain, "ab123.us1.dbt.com");
            assert.deepEqual(result?.outs?.handover, news.handover);
            assert.deepEqual(world.passwords().map((p) => p.keyId), [outs.keyId], "no secret minted");
            assert.deepEqual((await world.quietly(() => provider.diff!(id, result!.outs!, news))).result, { changes: false, replaces: [] });
        });
    });

    describe("replacements", () => {
        it("replaces only for another application, another consumer kind or another dbt account, never for a spelling", async () => {
            const { id, outs } = await world.created();
            const diff = async (news: ClientSecretRotationInputs) => (await world.quietly(() => provider.diff!(id, outs, news))).result;
            assert.deepEqual(await diff(world.inputs(P, { applicationObjectId: "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01" })), { changes: true, replaces: ["applicationObjectId"], deleteBeforeReplace: false });
            assert.deepEqual(await diff(world.inputs(P, { handover: { kind: "stackOutput" } })), { changes: true, replaces: ["handover"], deleteBeforeReplace: false });
            assert.deepEqual(await diff(world.inputs(P, { handover: world.dbtHandover({ accountId: "70403103920002" }) })), { changes: true, replaces: ["handover"], deleteBeforeReplace: false });
            for (const accountId of [` ${ACCOUNT} `, `00${ACCOUNT}`, Number(ACCOUNT)]) {
                assert.deepEqual(await diff(world.inputs(P, { handover: world.dbtHandover({ accountId }) })), { changes: false, replaces: [] }, String(accountId));
            }
            assert.deepEqual(await diff(world.inputs(P, { clientId: world.app.clientId.toUpperCase(), tenantId: world.inputs().tenantId.toUpperCase() })), { changes: false, replaces: [] });
            const shouty = world.apiBaseUrl.replace("http://", "HTTP://") + "/";
            assert.deepEqual(await diff(world.inputs(P, { handover: world.dbtHandover({ apiBaseUrl: shouty }) })), { changes: false, replaces: [] });
        });
    });

    describe("read (pulumi refresh)", () => {
        it("drops a slot whose secret was deleted in Entra, reports credentials it did not make, and reads nothing else into the slots", async () => {
            const first = await world.created(world.inputs(P));
            const second = (await world.quietly(() => provider.update!(first.id, first.outs, world.inputs(P + 1)))).result!.outs as ClientSecretRotationOutputs;
            const byHand = world.addCredential("made by hand");
            world.removeCredential(first.outs.keyId);
            const { result, log } = await world.quietly(() => provider.read!(first.id, second));
            const props = result!.props as ClientSecretRotationOutputs;
            assert.deepEqual(Object.keys(props.slots), [world.inputs(P + 1).current.slot]);
            assert.equal(props.previousExpiresAt, "", "the other slot's secret is gone");
            assert.equal(props.keyId, second.keyId);
            assert.match(log, new RegExp(`this stack did not make: ${byHand.keyId}`));
            assert.deepEqual(world.passwords().map((p) => p.keyId).sort(), [second.keyId, byHand.keyId].sort(), "refresh removes nothing");
        });

        it("brings dbt's organization, mode and redirect domain back as drift, in state and inputs; the next up mints a fresh secret to write them back", async () => {
            const { id, outs } = await world.created();
            Object.assign(world.dbt.records[0].fields, { organization_name: "fabrikam", azure_service_authentication_method: "service_user", client_secret: "changed-in-dbt-ui" });
            world.dbt.deployment.oauthRedirectUriDomain = "emea.dbt.com";
            world.dbt.server.reset();
            const { result } = await world.quietly(() => provider.read!(id, outs));
            const props = result!.props as ClientSecretRotationOutputs;
            assert.equal(result?.id, id);
            assert.deepEqual([props.handover.kind === "dbtCloud" && props.handover.organizationName, props.handover.kind === "dbtCloud" && props.handover.authMethod], ["fabrikam", "service_user"]);
            assert.equal(props.dbtRecord?.oauthRedirectUriDomain, "emea.dbt.com");
            assert.deepEqual(result?.inputs?.handover, props.handover);
            assert.equal(props.keyId, outs.keyId, "the secret dbt holds cannot be read: state keeps its own");
            assert.ok(world.dbt.server.requests.every((r) => r.method === "GET"), "refresh only reads");
            const { result: diff, log } = await world.quietly(() => provider.diff!(id, props, world.inputs()));
            assert.deepEqual(diff, { changes: true, replaces: [] });
            assert.match(log, /dbt Cloud's record changes \(organizationName, authMethod\)/);
        });

        it("a record deleted in dbt: refresh drops it from state, and the next up writes it again with a fresh secret", async () => {
            const { id, outs } = await world.created();
            world.dbt.records[0].active = false;
            world.dbt.purge(world.dbt.records[0].id);
            const { result, log } = await world.quietly(() => provider.read!(id, outs));
            const props = result!.props as ClientSecretRotationOutputs;
            assert.equal(props.dbtRecord, undefined);
            assert.match(log, /no longer lists Azure AD application record 501: it was deleted outside Pulumi\. `pulumi up` writes it again/);
            const diff = await world.quietly(() => provider.diff!(id, props, world.inputs()));
            assert.deepEqual(diff.result, { changes: true, replaces: [] }, "the record must come back");
            assert.match(diff.log, /this update mints a new client secret: dbt Cloud's record is not in state/);
            const { result: updated, error } = await world.quietly(() => provider.update!(id, props, world.inputs()));
            assert.ifError(error);
            const after = updated!.outs as ClientSecretRotationOutputs;
            assert.equal(after.dbtRecord?.applicationId, 502);
            assert.equal(world.dbtSecret(), world.password(after.keyId)?.value);
            assert.deepEqual(world.passwords().map((p) => p.keyId), [after.keyId]);
        });

        it("a permission 404 is an error, not a deleted record; state from the former record resource is left as it is", async () => {
            const { id, outs } = await world.created();
            world.dbt.permission404.add("GET");
            const denied = await world.quietly(() => provider.read!(id, outs));
            assert.match(String(denied.error?.message), /HTTP 404.*proper permissions.*Account Admin/);
            world.dbt.permission404.clear();
            const legacy = legacyState();
            assert.deepEqual((await world.quietly(() => provider.read!("501", legacy as never))).result, { id: "501", props: legacy });
            assert.deepEqual(await provider.read!("x", undefined as never), { id: "x", props: undefined });
        });
    });

    describe("delete", () => {
        it("soft-deletes dbt's record where it lives and removes both slots' secrets, leaving everyone else's", async () => {
            const first = await world.created(world.inputs(P));
            const second = (await world.quietly(() => provider.update!(first.id, first.outs, world.inputs(P + 1)))).result!.outs as ClientSecretRotationOutputs;
            const byHand = world.addCredential("made by hand");
            const { error, log } = await world.quietly(() => provider.delete!(first.id, second));
            assert.ifError(error);
            assert.equal(world.dbt.records[0].active, false);
            assert.match(log, /Deleted dbt Cloud Azure AD application record 501 .*dbt Cloud keeps it as inactive/);
            assert.deepEqual(world.passwords().map((p) => p.keyId), [byHand.keyId]);
            assert.match(log, new RegExp(`Removed client secret ${first.outs.keyId} from the app \\(${first.id} is deleted\\)`));
        });

        it("a replacement writes the account's record first; the old resource's delete then leaves it (dbt's updated_at moved) with the new secret working", async () => {
            // pulumi up --replace, or another app object id: create-before-delete, one record per account.
            const old = await world.created(world.inputs(P));
            const replacement = await world.created(world.inputs(P));
            assert.equal(world.dbt.records.length, 1, "the replacement adopted the account's one record");
            assert.ok(replacement.outs.dbtRecord?.updatedAt && old.outs.dbtRecord?.updatedAt && replacement.outs.dbtRecord.updatedAt !== old.outs.dbtRecord.updatedAt);
            const { error, log } = await world.quietly(() => provider.delete!(old.id, old.outs));
            assert.ifError(error);
            assert.equal(world.dbt.records[0].active, true, "the record the replacement wrote is not deleted");
            assert.match(log, /record 501 at .* was written at .*after this resource's last write .*left in place/);
            const held = world.dbtSecret();
            assert.ok(held && world.passwords().some((p) => p.keyId === replacement.outs.keyId && p.value === held), "dbt Cloud holds the replacement's secret, still on the app");
            assert.ok(!world.password(old.outs.keyId), "the old resource's secret is gone");

            // The last resource's own delete (pulumi destroy) still deletes the record it wrote last.
            const destroyed = await world.quietly(() => provider.delete!(replacement.id, replacement.outs));
            assert.ifError(destroyed.error);
            assert.equal(world.dbt.records[0].active, false);
        });

        it("a secret already gone and a record already gone are not errors; a removal that fails is, and says to re-run", async () => {
            const { id, outs } = await world.created();
            world.removeCredential(outs.keyId);
            world.dbt.purge(501);
            const { error, log } = await world.quietly(() => provider.delete!(id, outs));
            assert.ifError(error);
            assert.match(log, new RegExp(`Removed client secret ${outs.keyId} from the app \\(.*\\): it was already gone\\.`));
            assert.match(log, /has no Azure AD application record 501 at .*nothing was deleted/);

            const again = await world.created();
            world.entra.server.inject((r) => r.path.endsWith("/removePassword"), { kind: "status", status: 403, body: { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } } }, 20);
            const failed = await world.quietly(() => provider.delete!(again.id, again.outs));
            assert.match(String(failed.error?.message), new RegExp(`^Removing this stack's client secrets failed: ${again.outs.keyId}: POST .*removePassword failed with HTTP 403: Authorization_RequestDenied: Insufficient privileges to complete the operation\\. The deploying identity needs: Microsoft Graph application permission Application\\.ReadWrite\\.OwnedBy .*Re-run the same command\\.$`));
            assert.ok(world.password(again.outs.keyId));
        });

        it("a permission 404 on dbt's DELETE fails before any secret is removed", async () => {
            const { id, outs } = await world.created();
            world.dbt.permission404.add("DELETE");
            const { error } = await world.quietly(() => provider.delete!(id, outs));
            assert.match(String(error?.message), /404 to DELETE of Azure AD application record 501.*stays in Pulumi's state/);
            assert.equal(world.dbt.records[0].active, true);
            assert.ok(world.password(outs.keyId), "the secret dbt Cloud holds stays while its record does");
        });

        it("a stackOutput rotation deletes its secrets only", async () => {
            const { id, outs } = await world.created(world.inputs(P, { handover: { kind: "stackOutput" } }));
            await world.quietly(() => provider.delete!(id, outs));
            assert.deepEqual(world.passwords(), []);
            assert.equal(world.dbt.server.requests.length, 0);
        });
    });

    /** What the former dbt record resource (dbtcloud:AzureAdApplication) kept in state: the secret among it. */
    function legacyState(over: Record<string, unknown> = {}) {
        return {
            accountId: ACCOUNT, apiBaseUrl: world.apiBaseUrl, organizationName: "contoso-data", clientId: world.app.clientId,
            clientSecret: world.passwords().find((p) => p.displayName.startsWith("dbt Cloud (slot b"))?.value ?? "Q~legacy-secret-never-printed-000000000",
            tenantId: world.inputs().tenantId, authMethod: "service_principal", applicationId: 501, oauthRedirectUriDomain: "cloud.getdbt.com",
            adoptedExisting: true, effectiveApiBaseUrl: world.apiBaseUrl, ...over,
        };
    }

    describe("state of the former dbt record resource (the upgrade, by alias)", () => {
        function formerStack() {
            const slotA = world.addCredential("dbt Cloud (slot a, from 2026-06-19)");
            const slotB = world.addCredential("dbt Cloud (slot b, from 2026-09-17)");
            world.dbt.records.push({ id: 501, active: true, fields: { organization_name: "contoso-data", client_id: world.app.clientId, client_secret: slotB.value, tenant_id: world.inputs().tenantId, azure_service_authentication_method: "service_principal" } });
            world.dbt.deployment.nextId = 502;
            return { slotA, slotB, olds: legacyState() };
        }

        it("diff plans an update in place (same account), saying the secret moves out of state; another account still replaces", async () => {
            const { olds } = formerStack();
            const { result, log } = await world.quietly(() => provider.diff!("501", olds as never, world.inputs()));
            assert.deepEqual(result, { changes: true, replaces: [] });
            assert.match(log, /the client secret moves out of Pulumi state: a new one is minted over Graph and the two ApplicationPassword slots are retired after dbt Cloud holds it/);
            const other = await world.quietly(() => provider.diff!("501", olds as never, world.inputs(P, { handover: world.dbtHandover({ accountId: "70403103920002" }) })));
            assert.deepEqual(other.result, { changes: true, replaces: ["handover"], deleteBeforeReplace: false });
        });

        it("the update writes the same record with a fresh secret, keeps how it was obtained, drops the old secret from state and leaves the old slots to Pulumi", async () => {
            const { slotA, slotB, olds } = formerStack();
            world.dbt.server.reset();
            const { result, error, log } = await world.quietly(() => provider.update!("501", olds as never, world.inputs()));
            assert.ifError(error);
            const outs = result!.outs as ClientSecretRotationOutputs & { clientSecret?: string };
            assert.deepEqual(world.dbt.server.requests.map((r) => `${r.method} ${r.path.replace(/^.*azure-ad-applications\//, "")}`), ["POST 501/"], "the same record, no create");
            assert.equal(world.dbtSecret(), world.password(outs.keyId)?.value);
            assert.deepEqual(outs.dbtRecord, { applicationId: 501, effectiveApiBaseUrl: world.apiBaseUrl, adoptedExisting: true, oauthRedirectUriDomain: "cloud.getdbt.com", updatedAt: world.dbt.records[0].updatedAt });
            assert.equal(outs.clientSecret, undefined, "no secret in the new state");
            assert.deepEqual(Object.keys(outs.slots), [world.inputs().current.slot]);
            assert.ok(world.password(slotA.keyId) && world.password(slotB.keyId), "Pulumi deletes the old slots at the end of the upgrade run");
            assert.match(log, /are retired by Pulumi at the end of this run, after the consumer holds the new secret/);
            // The next run treats anything left of them as orphans of the old design.
            assert.deepEqual((await world.quietly(() => provider.diff!("501", outs, world.inputs()))).result, { changes: false, replaces: [] });
        });

        it("state from before effectiveApiBaseUrl was kept: the record's host is the API base; delete soft-deletes it", async () => {
            formerStack();
            const olds = legacyState({ effectiveApiBaseUrl: undefined, adoptedExisting: undefined });
            const { result, error } = await world.quietly(() => provider.update!("501", olds as never, world.inputs()));
            assert.ifError(error);
            assert.equal((result!.outs as ClientSecretRotationOutputs).dbtRecord?.effectiveApiBaseUrl, world.apiBaseUrl);
            assert.equal((result!.outs as ClientSecretRotationOutputs).dbtRecord?.adoptedExisting, false);
            const before = world.calls().length;
            const deleted = await world.quietly(() => provider.delete!("501", legacyState() as never));
            assert.ifError(deleted.error);
            assert.equal(world.dbt.records.find((r) => r.id === 501)?.active, false);
            assert.deepEqual(world.calls(before).filter((c) => c.op.startsWith("graph:")), [], "the old slots are Pulumi's to delete");
        });
    });

    it("a record at another host than the one calls go to now: delete and read go where it lives", async () => {
        const other = new FakeDbtCloud(onLegacyHost());
        const otherBase = `${await other.server.start()}/api`;
        try {
            const { id, outs } = await world.created();
            const restore = useEnv({ DBT_CLOUD_HOST_URL: otherBase });
            try {
                await world.quietly(() => provider.read!(id, outs));
                await world.quietly(() => provider.delete!(id, outs));
            } finally {
                restore();
            }
            assert.equal(other.server.requests.length, 0);
            assert.equal(world.dbt.records[0].active, false);
        } finally {
            await other.server.stop();
        }
    });
});
