/**
 * providers/entra/appInstanceLock.ts against the fake Graph: the app instance property lock set,
 * read back, refreshed, and left in place on delete.
 */
import * as assert from "assert/strict";
import { runtime } from "@pulumi/pulumi";
import { AppInstanceLockInputs, appInstanceLockProvider as provider, RECOMMENDED_INSTANCE_LOCK } from "../../providers/entra/appInstanceLock";
import { freshWorldForEachTest, HandoverWorld } from "./handoverWorld";

describe("app instance property lock (providers/entra/appInstanceLock.ts)", function () {
    this.timeout(60_000);
    let world: HandoverWorld;
    freshWorldForEachTest((w) => (world = w));

    const inputs = (over: Partial<AppInstanceLockInputs> = {}): AppInstanceLockInputs => ({ applicationObjectId: world.app.objectId, lock: RECOMMENDED_INSTANCE_LOCK, ...over });
    const liveLock = () => world.tenant().applications[0].servicePrincipalLockConfiguration;

    it("locks every property (Microsoft's recommendation for multitenant apps) and reads it back", async () => {
        assert.deepEqual(RECOMMENDED_INSTANCE_LOCK, {
            isEnabled: true, allProperties: true, credentialsWithUsageVerify: true, credentialsWithUsageSign: true, identifierUris: true, tokenEncryptionKeyId: true,
        });
        const { result, error } = await world.quietly(() => provider.create(inputs()));
        assert.ifError(error);
        assert.deepEqual(result, { id: `${world.app.objectId}/servicePrincipalLockConfiguration`, outs: inputs() });
        assert.deepEqual(liveLock(), RECOMMENDED_INSTANCE_LOCK);
        assert.deepEqual(world.calls().filter((c) => c.op.startsWith("graph:")).map((c) => c.op), ["graph:patch", "graph:get"]);
    });

    it("sends only the keys it manages, each true or false, and updates a changed lock", async () => {
        const partial = { isEnabled: true, allProperties: false, credentialsWithUsageSign: true };
        const { result } = await world.quietly(() => provider.update!("x", inputs(), inputs({ lock: partial })));
        const expected = { isEnabled: true, allProperties: false, credentialsWithUsageVerify: false, credentialsWithUsageSign: true, identifierUris: false, tokenEncryptionKeyId: false };
        assert.deepEqual(result?.outs, { applicationObjectId: world.app.objectId, lock: expected });
        assert.deepEqual(liveLock(), expected);
        const patch = world.entra.server.requests.find((r) => r.method === "PATCH");
        assert.deepEqual(patch?.body, { servicePrincipalLockConfiguration: expected });
    });

    it("fails when Graph accepts the lock but reads back another (replication), saying to re-run", async () => {
        world.entra.server.inject((r) => r.method === "GET" && r.path.startsWith("/v1.0/"), { kind: "status", status: 200, body: { id: world.app.objectId, passwordCredentials: [], servicePrincipalLockConfiguration: { isEnabled: false } } });
        const { error } = await world.quietly(() => provider.create(inputs()));
        assert.match(String(error?.message), new RegExp(`^Graph accepted the instance property lock of application ${world.app.objectId} but reads back \\{"isEnabled":false\\}; re-run \`pulumi up\` in a minute \\(directory replication\\)\\.$`));
    });

    it("check: a GUID and a map of booleans; unknowns are not judged", async () => {
        const failures = async (news: unknown) => (await provider.check!({} as AppInstanceLockInputs, news as AppInstanceLockInputs)).failures!.map((f) => f.property);
        assert.deepEqual(await failures(inputs()), []);
        assert.deepEqual(await failures({ applicationObjectId: "/applications/x", lock: { isEnabled: "yes" } }), ["applicationObjectId", "lock"]);
        assert.deepEqual(await failures({ applicationObjectId: world.app.objectId, lock: null }), ["lock"]);
        assert.deepEqual(await failures({ applicationObjectId: runtime.unknownValue, lock: runtime.unknownValue }), []);
    });

    it("diff: another application replaces, a changed lock updates, the same GUID in another case is no change", async () => {
        const olds = inputs();
        assert.deepEqual(await provider.diff!("x", olds, inputs({ applicationObjectId: "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01" })), { changes: true, replaces: ["applicationObjectId"] });
        assert.deepEqual(await provider.diff!("x", olds, inputs({ lock: { ...RECOMMENDED_INSTANCE_LOCK, identifierUris: false } })), { changes: true, replaces: [] });
        assert.deepEqual(await provider.diff!("x", olds, inputs({ applicationObjectId: world.app.objectId.toUpperCase() })), { changes: false, replaces: [] });
    });

    it("read shows a lock lifted in the portal as drift, in state and inputs", async () => {
        await world.quietly(() => provider.create(inputs()));
        world.update((t) => { t.applications[0].servicePrincipalLockConfiguration = { isEnabled: false }; });
        const { result } = await world.quietly(() => provider.read!("x", inputs()));
        const lifted = { isEnabled: false, allProperties: false, credentialsWithUsageVerify: false, credentialsWithUsageSign: false, identifierUris: false, tokenEncryptionKeyId: false };
        assert.deepEqual(result, { id: "x", props: { applicationObjectId: world.app.objectId, lock: lifted }, inputs: { applicationObjectId: world.app.objectId, lock: lifted } });
        assert.deepEqual(await provider.diff!("x", result!.props!, inputs()), { changes: true, replaces: [] }, "the next up locks it again");
    });

    it("delete leaves the lock in place and says how to lift it", async () => {
        await world.quietly(() => provider.create(inputs()));
        const before = world.calls().length;
        const { log } = await world.quietly(() => provider.delete!("x", inputs()));
        assert.deepEqual(liveLock(), RECOMMENDED_INSTANCE_LOCK);
        assert.deepEqual(world.calls(before), []);
        assert.match(log, /The instance property lock of application \S+ is left in place; lift it in the portal \(App registrations > the app > Authentication > App instance property lock\)/);
    });
});
