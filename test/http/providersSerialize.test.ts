/**
 * Pulumi ships each dynamic provider to its own process as text produced by
 * runtime.serializeFunction and loads it with require-from-string. These tests do the same
 * and then run the loaded provider against a local fake, proving the closure still works
 * away from this module graph (no relative requires, nothing unserializable captured).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { directoryConnectionProvider } from "../../providers/azuredevops/directoryConnection";
import { projectPermissionsProvider } from "../../providers/azuredevops/projectPermissions";
import { servicePrincipalEntitlementProvider } from "../../providers/azuredevops/servicePrincipalEntitlement";
import { appInstanceLockProvider } from "../../providers/entra/appInstanceLock";
import { clientSecretRotationProvider } from "../../providers/entra/clientSecretRotation";
import { FakeAzureDevOps, ORG, PAT, SP_OBJECT_ID, TENANT } from "../azuredevops/fakeAzureDevOps";
import { FAST_HTTP_ENV, useEnv } from "./fakeServer";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const requireFromString = require("require-from-string") as (code: string) => { handler: () => pulumi.dynamic.ResourceProvider };

/** Serializes like pulumi.dynamic.Resource does, then loads like the provider host does. */
async function roundTrip(provider: pulumi.dynamic.ResourceProvider): Promise<pulumi.dynamic.ResourceProvider> {
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    assert.ok(!serialized.text.includes(PAT), "no credential is captured in the closure");
    return requireFromString(serialized.text).handler();
}

describe("providers survive Pulumi's closure serialization", () => {
    const providers = { directoryConnectionProvider, servicePrincipalEntitlementProvider, projectPermissionsProvider, clientSecretRotationProvider, appInstanceLockProvider };

    for (const [name, provider] of Object.entries(providers)) {
        it(`${name} serializes and reloads with every method`, async () => {
            const loaded = await roundTrip(provider as pulumi.dynamic.ResourceProvider);
            for (const method of ["check", "diff", "create", "read", "update", "delete"] as const) {
                assert.strictEqual(typeof loaded[method], "function", `${name}.${method}`);
            }
        });
    }

    it("reloaded providers still talk HTTP, authenticate and redact", async () => {
        const fake = new FakeAzureDevOps();
        const restore = useEnv({ ...FAST_HTTP_ENV, ...(await fake.start()), AZDO_PERSONAL_ACCESS_TOKEN: PAT, DBT_ADO_IDENTITY_ATTEMPTS: "1" });
        try {
            const connection = await roundTrip(directoryConnectionProvider as pulumi.dynamic.ResourceProvider);
            const checked = await connection.check!({}, { organization: ORG, tenantId: TENANT, mode: "verify" });
            assert.deepStrictEqual(checked.failures, []);

            const entitlement = await roundTrip(servicePrincipalEntitlementProvider as pulumi.dynamic.ResourceProvider);
            const created = await entitlement.create({ organization: ORG, servicePrincipalObjectId: SP_OBJECT_ID, accessLevel: "express" });
            assert.strictEqual(created.outs.identityDescriptor, FakeAzureDevOps.identityDescriptor(SP_OBJECT_ID));

            fake.server.inject(() => true, { kind: "status", status: 403, body: { message: `no ${PAT}` } });
            await assert.rejects(entitlement.delete!(created.id, created.outs), (error: Error) => /HTTP 403/.test(error.message) && !error.message.includes(PAT));

            // The shared knob parser travels with the closure and still refuses a bad value.
            const restoreKnob = useEnv({ DBT_ADO_IDENTITY_ATTEMPTS: "abc" });
            try {
                await assert.rejects(entitlement.create({ organization: ORG, servicePrincipalObjectId: SP_OBJECT_ID, accessLevel: "express" }), /DBT_ADO_IDENTITY_ATTEMPTS is "abc"/);
            } finally {
                restoreKnob();
            }
        } finally {
            restore();
            await fake.server.stop();
        }
    });
});
