import * as assert from "assert";
import { forgetConnectedThisRun } from "../../providers/azuredevops/api/client";
import { directoryConnectionProvider } from "../../providers/azuredevops/directoryConnection";
import { EntitlementInputs, EntitlementOutputs, servicePrincipalEntitlementProvider as provider } from "../../providers/azuredevops/servicePrincipalEntitlement";
import { PartialFailure } from "../../providers/providerSafety";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, useEnv } from "../http/fakeServer";
import { FakeAzureDevOps, ORG, PAT, SP_OBJECT_ID, TENANT } from "./fakeAzureDevOps";

describe("azuredevops: AzureDevOpsServicePrincipalEntitlement provider", () => {
    let fake: FakeAzureDevOps;
    let restoreEnv: () => void;

    beforeEach(async () => {
        fake = new FakeAzureDevOps();
        restoreEnv = useEnv({ ...FAST_HTTP_ENV, ...(await fake.start()), AZDO_PERSONAL_ACCESS_TOKEN: PAT, DBT_ADO_IDENTITY_ATTEMPTS: "2", DBT_ADO_IDENTITY_PAUSE_MS: "1", DBT_ADO_READ_ATTEMPTS: "5", DBT_ADO_READ_PAUSE_MS: "1" });
    });
    afterEach(async () => { restoreEnv(); forgetConnectedThisRun(); await fake.server.stop(); });

    const inputs = (over: Partial<EntitlementInputs> = {}): EntitlementInputs => ({ organization: ORG, servicePrincipalObjectId: SP_OBJECT_ID, accessLevel: "express", ...over });

    it("check defaults the access level to express (Basic) and rejects unknown levels and non-GUID ids", async () => {
        const defaulted = await provider.check!({} as EntitlementInputs, { organization: ORG, servicePrincipalObjectId: SP_OBJECT_ID } as EntitlementInputs);
        assert.strictEqual(defaulted.inputs?.accessLevel, "express");
        const bad = await provider.check!({} as EntitlementInputs, inputs({ accessLevel: "basic" as never, servicePrincipalObjectId: "app-id" }));
        assert.deepStrictEqual(bad.failures?.map((f) => f.property).sort(), ["accessLevel", "servicePrincipalObjectId"]);
    });

    it("create POSTs the documented body to vsaex and outputs the ids needed for grants", async () => {
        const { id, outs } = await provider.create(inputs());
        const posts = fake.server.matching("POST", "serviceprincipalentitlements");
        assert.strictEqual(posts.length, 1);
        assert.strictEqual(posts[0].path, `/vsaex/${ORG}/_apis/serviceprincipalentitlements`);
        assert.strictEqual(posts[0].query.get("api-version"), "7.1-preview.1");
        assert.deepStrictEqual(posts[0].body, {
            accessLevel: { accountLicenseType: "express", licensingSource: "account" },
            servicePrincipal: { origin: "aad", originId: SP_OBJECT_ID, subjectKind: "servicePrincipal" },
        });
        assert.strictEqual(id, `sk-${SP_OBJECT_ID}`);
        assert.strictEqual(outs?.subjectDescriptor, FakeAzureDevOps.subjectDescriptor(SP_OBJECT_ID));
        assert.strictEqual(outs?.identityDescriptor, FakeAzureDevOps.identityDescriptor(SP_OBJECT_ID));
        assert.strictEqual(outs?.adoptedExisting, false);
        const lookup = fake.server.matching("GET", "identities")[0];
        assert.strictEqual(lookup.query.get("subjectDescriptors"), outs?.subjectDescriptor);
        assertNoSecrets(JSON.stringify(outs), [PAT], "outputs");
    });

    for (const mode of ["409", "isSuccessFalse"] as const) {
        it(`create adopts a principal added by hand (duplicate answered as ${mode}) and fixes its access level`, async () => {
            fake.duplicateAddMode = mode;
            fake.addPrincipalByHand(SP_OBJECT_ID, "stakeholder");
            const { result } = await captureConsole(() => provider.create(inputs()));
            assert.strictEqual(result?.outs?.adoptedExisting, true);
            assert.strictEqual(result?.id, `sk-${SP_OBJECT_ID}`);
            assert.strictEqual(fake.entitlements.get(`sk-${SP_OBJECT_ID}`)?.license, "express");
            const patch = fake.server.matching("PATCH", "serviceprincipalentitlements")[0];
            assert.strictEqual(patch.headers["content-type"], "application/json-patch+json");
            assert.deepStrictEqual(patch.body, [{ op: "replace", path: "/accessLevel", value: { accountLicenseType: "express", licensingSource: "account" } }]);
        });
    }

    it("a re-run after the first POST's answer was lost converges by adopting", async () => {
        fake.server.inject((r) => r.method === "POST", { kind: "reset-after-handling" }, 10);
        const first = await captureConsole(() => provider.create(inputs()));
        assert.ok(first.error, "every POST answer was lost");
        assert.strictEqual(fake.entitlements.size, 1, "but the principal was added");
        fake.server.reset();
        const second = await captureConsole(() => provider.create(inputs()));
        assert.strictEqual(second.result?.outs?.adoptedExisting, true);
        assert.strictEqual(fake.entitlements.size, 1);
    });

    it("diff replaces on organization/principal change and updates the access level in place; update PATCHes it", async () => {
        const { outs } = await provider.create(inputs());
        assert.deepStrictEqual(await provider.diff!("x", outs!, inputs({ servicePrincipalObjectId: "00000000-1111-2222-3333-444444444444" })), { changes: true, replaces: ["servicePrincipalObjectId"] });
        assert.deepStrictEqual(await provider.diff!("x", outs!, inputs({ accessLevel: "stakeholder" })), { changes: true, replaces: [] });
        assert.deepStrictEqual(await provider.diff!("x", outs!, inputs()), { changes: false, replaces: [] });
        const updated = await provider.update!(outs!.entitlementId, outs!, inputs({ accessLevel: "stakeholder" }));
        assert.strictEqual(updated.outs?.accessLevel, "stakeholder");
        assert.strictEqual(fake.entitlements.get(outs!.entitlementId)?.license, "stakeholder");
        assert.strictEqual(updated.outs?.identityDescriptor, outs!.identityDescriptor);
    });

    it("delete removes the entitlement, and tolerates it being gone already", async () => {
        const { id, outs } = await provider.create(inputs());
        await provider.delete!(id, outs!);
        assert.strictEqual(fake.entitlements.size, 0);
        const del = fake.server.matching("DELETE", "serviceprincipalentitlements")[0];
        assert.strictEqual(del.path, `/vsaex/${ORG}/_apis/serviceprincipalentitlements/${id}`);
        await provider.delete!(id, outs!);
    });

    for (const [name, value] of [["DBT_ADO_IDENTITY_ATTEMPTS", "abc"], ["DBT_ADO_IDENTITY_ATTEMPTS", "0"], ["DBT_ADO_IDENTITY_PAUSE_MS", "-1"]] as const) {
        it(`${name}=${value} fails at once, naming the variable, before the principal is added (no endless poll)`, async () => {
            const restore = useEnv({ [name]: value });
            try {
                const { error } = await captureConsole(() => provider.create(inputs()));
                assert.ok(error, "create must fail");
                assert.match(String((error as Error).message), new RegExp(`${name} is "${value}".*Set ${name} to`));
                assert.strictEqual(fake.server.requests.length, 0, "nothing was called");
                assert.strictEqual(fake.entitlements.size, 0);
            } finally {
                restore();
            }
        });
    }

    it("DBT_ADO_HTTP_TIMEOUT_MS=0 is refused with the variable's name instead of aborting every request", async () => {
        const restore = useEnv({ DBT_ADO_HTTP_TIMEOUT_MS: "0" });
        try {
            const { error } = await captureConsole(() => provider.create(inputs()));
            assert.match(String((error as Error).message), /DBT_ADO_HTTP_TIMEOUT_MS is "0".*from 100 to/);
            assert.strictEqual(fake.server.requests.length, 0);
        } finally {
            restore();
        }
    });

    it("a 401 says which variable and which scope, without the PAT", async () => {
        const restore = useEnv({ AZDO_PERSONAL_ACCESS_TOKEN: "wrong-pat-123456789" });
        try {
            const { error } = await captureConsole(() => provider.create(inputs()));
            assert.match(String((error as Error).message), /POST .*serviceprincipalentitlements.*HTTP 401.*AZDO_PERSONAL_ACCESS_TOKEN.*Member Entitlement Management \(Read & write\)/);
            assertNoSecrets(String((error as Error).message) + (error as Error).stack, ["wrong-pat-123456789", PAT], "error");
        } finally {
            restore();
        }
    });

    describe("refresh (read) and Azure DevOps edges", () => {
        for (const answer of ["404", "statusNone"] as const) {
            it(`read: a principal removed from the organization (answered ${answer}) is gone`, async () => {
                fake.removedEntitlementAnswer = answer;
                const { id, outs } = await provider.create(inputs());
                fake.removeEntitlement(id);
                assert.deepStrictEqual(await provider.read!(id, outs!), { id: "" });
            });
        }

        it("read: another access level is drift in outputs and inputs; the next diff and update set the declared one again", async () => {
            const { id, outs } = await provider.create(inputs());
            assert.deepStrictEqual(await provider.read!(id, outs!), { id, props: outs, inputs: inputs() }, "nothing changed");
            fake.entitlements.get(id)!.license = "stakeholder";
            const read = await provider.read!(id, outs!);
            assert.strictEqual(read.props?.accessLevel, "stakeholder");
            assert.deepStrictEqual(read.inputs, inputs({ accessLevel: "stakeholder" }));
            assert.deepStrictEqual(await provider.diff!(id, read.props!, inputs()), { changes: true, replaces: [] });
            await provider.update!(id, read.props!, inputs());
            assert.strictEqual(fake.entitlements.get(id)?.license, "express");
        });

        it("read never reveals a secret: no credential in what it returns, and the outputs are the state's own keys", async () => {
            const { id, outs } = await provider.create(inputs());
            const read = await provider.read!(id, outs!);
            assertNoSecrets(JSON.stringify(read), [PAT, Buffer.from(`:${PAT}`).toString("base64")], "read result");
            assert.deepStrictEqual(Object.keys(read.props!).sort(), Object.keys(outs!).sort());
        });

        it("create reads the licence back: answered another level, it sets it once more, then fails recording the real level", async () => {
            fake.answerLicence = "stakeholder";
            const { error, lines } = await captureConsole(() => provider.create(inputs()));
            const partial = error as PartialFailure;
            assert.match(String(partial.message), /asked Azure DevOps for access level "express".*reads back as "stakeholder".*licence/i);
            assert.strictEqual(partial.id, `sk-${SP_OBJECT_ID}`);
            assert.strictEqual((partial.properties as unknown as EntitlementOutputs).accessLevel, "stakeholder", "never recorded as the asked-for level");
            assert.strictEqual(fake.server.matching("PATCH", "serviceprincipalentitlements").length, 1, "corrected once");
            assert.ok(lines.some((l) => /setting "express" again/.test(l)));
            // Once a Basic licence is free, the next up's diff sees stakeholder != express and sets it.
            fake.answerLicence = undefined;
            assert.deepStrictEqual(await provider.diff!(partial.id!, partial.properties as unknown as EntitlementOutputs, inputs()), { changes: true, replaces: [] });
        });

        it("create takes an answered \"earlyAdopter\" for express (the same Basic level) without a correction", async () => {
            fake.answerLicence = "earlyAdopter";
            const { outs } = await provider.create(inputs());
            assert.strictEqual(outs?.accessLevel, "express");
            assert.strictEqual(fake.server.matching("PATCH", "serviceprincipalentitlements").length, 0);
        });

        it("create polls while the new entitlement does not read back yet (reads lag writes)", async () => {
            fake.readLag = 2;
            const { outs } = await provider.create(inputs());
            assert.strictEqual(outs?.accessLevel, "express");
            assert.ok(fake.server.matching("GET", "serviceprincipalentitlements/").length >= 3, "read until visible");
        });

        it("delete waits until the principal reads as gone, so a create right after adds it afresh", async () => {
            const { id, outs } = await provider.create(inputs());
            fake.readLag = 2;
            await provider.delete!(id, outs!);
            const again = await captureConsole(() => provider.create(inputs()));
            assert.strictEqual(again.result?.outs?.adoptedExisting, false);
        });

        it("a refused add without an operationResult shows the server's { message }", async () => {
            fake.refuseAddWith = { status: 400, body: { message: "VS403289: The identity could not be found in the directory.", typeKey: "InvalidIdentityException" } };
            const { error } = await captureConsole(() => provider.create(inputs()));
            assert.match(String((error as Error).message), /refused to add .*HTTP 400: VS403289: The identity could not be found/);
            assert.doesNotMatch(String((error as Error).message), /no error detail returned/);
        });

        it("a credential failure right after a connect in the same run says PATs must be renewed, and how to re-run", async () => {
            fake.orgTenants.set(ORG, "00000000-0000-0000-0000-000000000000");
            fake.invalidatePatsOnConnect = true;
            const restore = useEnv({ DBT_ADO_CONNECT_VERIFY_ATTEMPTS: "2", DBT_ADO_CONNECT_VERIFY_PAUSE_MS: "1" });
            try {
                await captureConsole(() => directoryConnectionProvider.create({ organization: ORG, tenantId: TENANT, mode: "connect" }));
                assert.strictEqual(fake.orgTenants.get(ORG), TENANT);
                const { error } = await captureConsole(() => provider.create(inputs()));
                const message = String((error as Error).message);
                assert.match(message, /HTTP 401/);
                assert.match(message, /connected "contoso" to Entra tenant .* invalidates personal access tokens/);
                assert.match(message, /fresh PAT.*or unset AZDO_PERSONAL_ACCESS_TOKEN to use an Entra login/);
                assertNoSecrets(message, [PAT], "error");
            } finally {
                restore();
            }
        });
    });
});
