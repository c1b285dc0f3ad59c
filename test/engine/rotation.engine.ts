/**
 * Two-slot rotation under the real engine: its create-before-delete, `ignoreChanges` and
 * end-of-update deletes, not a model of them. The program's clock is moved with libfaketime
 * (see workspace.ts); the engine keeps real time, as a scheduled pipeline's engine would.
 *
 * What is checked, on the fakes themselves:
 * - after every `pulumi up`, dbt Cloud holds the newest secret in the tenant, valid for at least
 *   the overlap;
 * - whenever dbt Cloud is written, the secret it held until then still exists in the tenant;
 * - no password is deleted while dbt Cloud holds it (every delete in the tenant's call log is
 *   matched against what dbt Cloud held at that moment).
 */
import * as assert from "assert";
import * as path from "path";
import { planRotation, RotationSettings } from "../../domain/rotationSchedule";
import { projectRoot } from "../../tools/projectRoot";
import { readTenant } from "./fakeAzuread/tenant";
import { DbtSecretWrite, FakeClouds, startEngineStack, stopEngineStack, watchDbtSecretWrites } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

const ROOT = projectRoot();
const DAY = 24 * 60 * 60 * 1000;
const SETTINGS: RotationSettings = { rotationDays: 90, overlapDays: 14 };
const PASSWORD = "azuread:index/applicationPassword:ApplicationPassword";

/** The first instant of each of the next `count` rotation periods after `from`. */
function nextBoundaries(from: Date, count: number): Date[] {
    const boundaries: Date[] = [];
    let at = from;
    for (let i = 0; i < count; i++) {
        const next = new Date(planRotation(at, SETTINGS).current.periodStart.getTime() + SETTINGS.rotationDays * DAY);
        boundaries.push(next);
        at = next;
    }
    return boundaries;
}

describe("engine: client-secret rotation through period boundaries", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    let writes: DbtSecretWrite[] = [];
    let problems: string[] = [];
    /** Every password value seen, by key id, so deleted ones can be named. */
    const seen = new Map<string, string>();

    function snapshotPasswords(): void {
        for (const p of readTenant(ws.tenantFile).applications.flatMap((a) => a.passwords)) {
            seen.set(p.keyId, p.value);
        }
        for (const write of writes) {
            write.passwords.forEach((value, keyId) => seen.set(keyId, value));
        }
    }

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev", needsFaketime: true }));
        ({ writes, problems } = watchDbtSecretWrites(clouds, ws.tenantFile));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    /** What dbt Cloud held when the tenant's call number `n` happened. */
    function heldAt(n: number): string | undefined {
        const before = writes.filter((w) => w.tenantCalls < n);
        return before.length ? before[before.length - 1].secret : undefined;
    }

    function assertConverged(at: Date): void {
        const passwords = readTenant(ws.tenantFile).applications[0].passwords;
        snapshotPasswords();
        assert.deepStrictEqual(problems, [], "every dbt Cloud write, as it arrived");
        assert.strictEqual(passwords.length, 2, "two slots");
        const newest = [...passwords].sort((a, b) => a.endDate.localeCompare(b.endDate)).pop()!;
        assert.strictEqual(clouds.dbtSecret(), newest.value, "dbt Cloud holds the newest secret");
        const validDays = (Date.parse(newest.endDate) - at.getTime()) / DAY;
        assert.ok(validDays >= SETTINGS.overlapDays, `dbt Cloud's secret is valid for ${validDays.toFixed(1)} days only`);
        assert.strictEqual(newest.endDate, planRotation(at, SETTINGS).current.endDate, "the schedule's end date");
        for (const call of readTenant(ws.tenantFile).calls.filter((c) => c.op === "delete" && c.type === PASSWORD && c.outcome === "ok")) {
            const keyId = call.id!.split("/").pop()!;
            assert.notStrictEqual(seen.get(keyId), heldAt(call.n), `password ${keyId} was deleted while dbt Cloud held it`);
        }
    }

    const start = new Date();
    const boundaries = nextBoundaries(start, 3);

    it("mints both slots on the first up", async () => {
        await ws.pulumi(["up", "--yes", "--skip-preview"], { at: start });
        assertConverged(start);
        assert.strictEqual(writes.length, 1);
    });

    boundaries.forEach((boundary, i) => {
        it(`rotates after boundary ${i + 1} (${boundary.toISOString().slice(0, 10)}): a new secret reaches dbt Cloud before the oldest is deleted`, async () => {
            const at = new Date(boundary.getTime() + DAY);
            const keysBefore = readTenant(ws.tenantFile).applications[0].passwords.map((p) => p.keyId).sort();
            const writesBefore = writes.length;
            await ws.pulumi(["up", "--yes", "--skip-preview"], { at });
            assertConverged(at);
            const keysAfter = readTenant(ws.tenantFile).applications[0].passwords.map((p) => p.keyId).sort();
            assert.strictEqual(keysAfter.filter((k) => !keysBefore.includes(k)).length, 1, "exactly one new secret per boundary");
            assert.strictEqual(writes.length, writesBefore + 1, "dbt Cloud written once");

            // Inside the period, nothing changes (--expect-no-changes fails the run otherwise).
            await ws.pulumi(["preview", "--expect-no-changes"], { at: new Date(at.getTime() + 10 * DAY) });
        });
    });

    it("a dbt Cloud failure at a boundary fails the up, leaves dbt Cloud a valid secret, and the next up completes the rotation", async () => {
        const boundary = nextBoundaries(boundaries[boundaries.length - 1], 1)[0];
        const at = new Date(boundary.getTime() + DAY);
        const heldBefore = clouds.dbtSecret();
        clouds.dbt.server.inject((r) => r.method === "POST" && /azure-ad-applications\/\d+\/$/.test(r.path), { kind: "status", status: 503, body: { status: { code: 503, user_message: "Service Unavailable" } } }, 50);
        const failed = await ws.pulumi(["up", "--yes", "--skip-preview"], { at, allowFailure: true });
        assert.notStrictEqual(failed.code, 0, "the up fails");
        assert.strictEqual(clouds.dbtSecret(), heldBefore, "dbt Cloud still holds the previous secret");
        const tenant = readTenant(ws.tenantFile);
        const held = tenant.applications[0].passwords.find((p) => p.value === heldBefore);
        assert.ok(held, "that secret still exists in the tenant");
        assert.ok(Date.parse(held!.endDate) - at.getTime() >= SETTINGS.overlapDays * DAY, "and is valid for at least the overlap");
        // The new secret exists and the one it replaced was not deleted: the engine keeps it in
        // state marked for deletion.
        assert.strictEqual(tenant.applications[0].passwords.length, 3);
        const state = JSON.parse((await ws.pulumi(["stack", "export"])).stdout) as { deployment: { resources: Array<{ type: string; delete?: boolean }> } };
        const pending = state.deployment.resources.filter((r) => r.delete);
        assert.deepStrictEqual(pending.map((r) => r.type), [PASSWORD], "one replaced password pending deletion");

        // The next up writes dbt Cloud, then deletes that pending password at the end, as the model in
        // test/rotation/secretLedger.ts has it.
        clouds.dbt.server.reset();
        const callsBefore = readTenant(ws.tenantFile).calls.length;
        const writesBefore = writes.length;
        await ws.pulumi(["up", "--yes", "--skip-preview"], { at: new Date(at.getTime() + DAY) });
        assertConverged(new Date(at.getTime() + DAY));
        const calls = readTenant(ws.tenantFile).calls.filter((c) => c.n > callsBefore);
        const deletes = calls.filter((c) => c.op === "delete" && c.type === PASSWORD);
        assert.strictEqual(deletes.length, 1, "the pending password is deleted");
        assert.ok(!calls.some((c) => c.op === "create"), "nothing new is minted: the rotation completes with the secret the failed run made");
        assert.strictEqual(writes.length, writesBefore + 1);
        assert.ok(deletes[0].n > writes[writes.length - 1].tenantCalls, "the pending delete ran after dbt Cloud was written");
    });

    it("check-expiry reads the stack's outputs: 0 now, 1 once the clock passes the expiry margin", async () => {
        const at = new Date(Date.now());
        const outputs = (await ws.pulumi(["stack", "output", "--json"], { at })).stdout;
        const node = path.join(ws.root, "shims", "node");
        const cli = path.join(ROOT, "dist/tools/expiry/cli.js");
        const fresh = await ws.run(node, [cli], { stdin: outputs, allowFailure: true });
        const expiresAt = JSON.parse(outputs).clientSecretExpiresAt as string;
        // The check runs in real time; its clock is moved to 7 days before the expiry (inside the 14-day margin).
        const late = await ws.run(node, [cli], { stdin: outputs, allowFailure: true, at: new Date(Date.parse(expiresAt) - 7 * DAY) });
        assert.ok(Date.parse(expiresAt) - Date.now() > 14 * DAY, `clientSecretExpiresAt ${expiresAt} is more than the margin away`);
        assert.strictEqual(fresh.code, 0, fresh.stdout + fresh.stderr);
        assert.strictEqual(late.code, 1, late.stdout + late.stderr);
    });
});
