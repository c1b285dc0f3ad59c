/**
 * The real engine refreshes dbt Cloud's Azure AD application record (issue 9), which the secret
 * handover writes (issue 15): `pulumi up` the dev stack, change dbt's record behind Pulumi's back,
 * `pulumi refresh --yes` shows exactly that drift (the Node dynamic-provider host calls the
 * provider's `read` on refresh: pulumi/pulumi sdk/nodejs/cmd/dynamic-provider/index.ts), `pulumi up`
 * repairs it with a fresh secret (dbt's API needs one on every write), and no secret is in state.
 */
import * as assert from "assert";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { assertNoSecretAnywhere } from "./handoverChecks";
import { EngineWorkspace } from "./workspace";

interface ExportedResource { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }

/** The resource that writes dbt's record: the secret's rotation with a dbtCloud handover. */
const isDbtRecord = (urn: string) => /ClientSecretRotation::/.test(urn);

type PlainState = Map<string, Record<string, unknown>>;

/** What changed between two exports: "<urn> <output>" for a changed output, "<urn> (gone)" for a resource that left. */
function driftBetween(before: PlainState, after: PlainState): string[] {
    const drift: string[] = [];
    for (const [urn, outputs] of before) {
        const now = after.get(urn);
        if (!now) {
            drift.push(`${urn} (gone)`);
            continue;
        }
        for (const key of new Set([...Object.keys(outputs), ...Object.keys(now)])) {
            if (key !== "__provider" && JSON.stringify(outputs[key]) !== JSON.stringify(now[key])) drift.push(`${urn} ${key}`);
        }
    }
    return drift.sort();
}

describe("engine: pulumi refresh sees dbt Cloud drift; up repairs it; the secret stays secret", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    const exported = async () => JSON.parse((await ws.pulumi(["stack", "export"])).stdout) as { deployment: { resources: ExportedResource[] } };
    const dbtResource = async () => (await exported()).deployment.resources.find((r) => isDbtRecord(r.urn));
    const handover = (r: ExportedResource | undefined) => r?.outputs?.handover as Record<string, unknown> | undefined;
    const dbtRecord = (r: ExportedResource | undefined) => r?.outputs?.dbtRecord as Record<string, unknown> | undefined;
    const active = () => clouds.dbt.records.filter((r) => r.active);
    /** Every resource's outputs by URN. Secrets compare by ciphertext, which a refresh re-encrypts: compare them as "[secret]". */
    const plainState = async (): Promise<PlainState> => new Map((await exported()).deployment.resources.map((r) => [r.urn, Object.fromEntries(Object.entries(r.outputs ?? {})
        .map(([k, v]) => [k, typeof v === "object" && v !== null && "ciphertext" in v ? "[secret]" : v]))]));

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("1. a changed organization and authentication method show as exactly that drift, and up repairs them with a fresh secret", async () => {
        const record = active()[0];
        assert.ok(record, "up created dbt's record");
        record.fields = { ...record.fields, organization_name: "fabrikam", azure_service_authentication_method: "service_user" };

        const before = await plainState();
        await ws.pulumi(["refresh", "--yes"]);
        const after = (await dbtResource())!;
        // Exactly that drift: every other resource and every other output as before.
        assert.deepStrictEqual(driftBetween(before, await plainState()), [`${after.urn} handover`]);
        assert.strictEqual(handover(after)?.organizationName, "fabrikam");
        assert.strictEqual(handover(after)?.authMethod, "service_user");
        assert.strictEqual(dbtRecord(after)?.applicationId, record.id);
        const heldBefore = clouds.dbtSecret();

        const preview = JSON.parse((await ws.pulumi(["preview", "--json"])).stdout) as { steps: Array<{ op: string; urn: string }> };
        assert.deepStrictEqual(preview.steps.filter((s) => s.op !== "same").map((s) => [s.op, isDbtRecord(s.urn)]), [["update", true]]);

        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(record.fields.organization_name, "contoso-data");
        assert.strictEqual(record.fields.azure_service_authentication_method, "service_principal");
        assert.notStrictEqual(clouds.dbtSecret(), heldBefore, "written with a fresh secret");
        assert.ok(ws.tenant().applications[0].passwords.some((p) => p.value === clouds.dbtSecret()));
        await ws.pulumi(["preview", "--json", "--expect-no-changes"]);
    });

    it("2. after refresh no secret is in state, even decrypted, and nothing leaks", async () => {
        await ws.pulumi(["refresh", "--yes"]);
        await assertNoSecretAnywhere(ws, clouds, []);
    });

    it("3. a record deleted in dbt shows on refresh; up writes it again, with a fresh secret", async () => {
        const before = active()[0];
        clouds.dbt.purge(before.id);
        const state = await plainState();
        const urn = (await dbtResource())!.urn;
        await ws.pulumi(["refresh", "--yes"]);
        assert.strictEqual(dbtRecord(await dbtResource()), undefined, "the record left state; the secret's rotation stays");
        assert.deepStrictEqual(driftBetween(state, await plainState()), [`${urn} dbtRecord`], "nothing else changed");

        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const recreated = active();
        assert.strictEqual(recreated.length, 1);
        assert.notStrictEqual(recreated[0].id, before.id);
        const app = ws.tenant().applications[0];
        const newest = [...app.passwords].sort((a, b) => a.endDate.localeCompare(b.endDate)).pop()!;
        assert.strictEqual(clouds.dbtSecret(), newest.value, "dbt holds the current secret");
        assert.strictEqual(recreated[0].fields.organization_name, "contoso-data");
        assert.strictEqual(dbtRecord(await dbtResource())?.applicationId, recreated[0].id);
        await assertNoSecretAnywhere(ws, clouds, []);
        await ws.pulumi(["preview", "--json", "--expect-no-changes"]);
    });
});
