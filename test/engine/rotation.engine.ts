/**
 * Two-slot rotation under the real engine: its create-before-delete, `ignoreChanges` and
 * end-of-update deletes, not a model of them. The program's clock is moved with libfaketime
 * (see workspace.ts); the engine keeps real time, as a scheduled pipeline's engine would.
 *
 * What is checked, on the fakes themselves:
 * - after every `pulumi up`, dbt Cloud holds the newest secret in the tenant, valid for at least
 *   the overlap, and the app holds at most the two slots' secrets;
 * - whenever dbt Cloud is written, the secret it held until then still exists in the tenant;
 * - no password is removed while dbt Cloud holds it (every removePassword in the tenant's call log
 *   is matched against what dbt Cloud held at that moment);
 * - no secret value is in state, even decrypted, nor in a backend file or a command's output.
 */
import * as assert from "assert";
import * as path from "path";
import { planRotation, RotationSettings } from "../../domain/rotationSchedule";
import { projectRoot } from "../../tools/projectRoot";
import { readTenant } from "./fakeAzuread/tenant";
import { DbtSecretWrite, FakeClouds, startEngineStack, stopEngineStack, watchDbtSecretWrites } from "./fakeClouds";
import { assertNoSecretAnywhere, exportedResources, ROTATION_TYPE, stateKeyIds, tenantKeyIds } from "./handoverChecks";
import { EngineWorkspace, RunResult } from "./workspace";

const ROOT = projectRoot();
const DAY = 24 * 60 * 60 * 1000;
const SETTINGS: RotationSettings = { rotationDays: 90, overlapDays: 14 };

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

    async function assertConverged(at: Date, slots: number, printed: RunResult[]): Promise<void> {
        const passwords = readTenant(ws.tenantFile).applications[0].passwords;
        snapshotPasswords();
        assert.deepStrictEqual(problems, [], "every dbt Cloud write, as it arrived");
        assert.strictEqual(passwords.length, slots, `${slots} slot(s) hold a secret`);
        assert.deepStrictEqual(await stateKeyIds(ws), tenantKeyIds(readTenant(ws.tenantFile)), "state matches Entra");
        await assertNoSecretAnywhere(ws, clouds, printed);
        const newest = [...passwords].sort((a, b) => a.endDate.localeCompare(b.endDate)).pop()!;
        assert.strictEqual(clouds.dbtSecret(), newest.value, "dbt Cloud holds the newest secret");
        const validDays = (Date.parse(newest.endDate) - at.getTime()) / DAY;
        assert.ok(validDays >= SETTINGS.overlapDays, `dbt Cloud's secret is valid for ${validDays.toFixed(1)} days only`);
        assert.strictEqual(newest.endDate, planRotation(at, SETTINGS).current.endDate, "the schedule's end date");
        for (const call of readTenant(ws.tenantFile).calls.filter((c) => c.op === "graph:removePassword" && c.outcome === "ok")) {
            const keyId = call.id!;
            assert.notStrictEqual(seen.get(keyId), heldAt(call.n), `password ${keyId} was deleted while dbt Cloud held it`);
        }
    }

    const start = new Date();
    const boundaries = nextBoundaries(start, 3);

    it("mints the current slot's secret on the first up: nobody holds a previous one yet", async () => {
        const run = await ws.pulumi(["up", "--yes", "--skip-preview"], { at: start });
        await assertConverged(start, 1, [run]);
        assert.strictEqual(writes.length, 1);
    });

    boundaries.forEach((boundary, i) => {
        it(`rotates after boundary ${i + 1} (${boundary.toISOString().slice(0, 10)}): a new secret reaches dbt Cloud before the oldest is deleted`, async () => {
            const at = new Date(boundary.getTime() + DAY);
            const keysBefore = readTenant(ws.tenantFile).applications[0].passwords.map((p) => p.keyId).sort();
            const writesBefore = writes.length;
            const run = await ws.pulumi(["up", "--yes", "--skip-preview"], { at });
            await assertConverged(at, 2, [run]);
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
        const stateBefore = await stateKeyIds(ws);
        clouds.dbt.server.inject((r) => r.method === "POST" && /azure-ad-applications\/\d+\/$/.test(r.path), { kind: "status", status: 503, body: { status: { code: 503, user_message: "Service Unavailable" } } }, 50);
        const failed = await ws.pulumi(["up", "--yes", "--skip-preview"], { at, allowFailure: true });
        assert.notStrictEqual(failed.code, 0, "the up fails");
        assert.match(failed.stdout + failed.stderr, /dbt Cloud keeps the secret it had/);
        assert.strictEqual(clouds.dbtSecret(), heldBefore, "dbt Cloud still holds the previous secret");
        const tenant = readTenant(ws.tenantFile);
        const held = tenant.applications[0].passwords.find((p) => p.value === heldBefore);
        assert.ok(held, "that secret still exists in the tenant");
        assert.ok(Date.parse(held!.endDate) - at.getTime() >= SETTINGS.overlapDays * DAY, "and is valid for at least the overlap");
        // dbt Cloud may have taken the new secret (a 503 says nothing), so it stays, marked, until a later
        // handover; state still records the two slots it had.
        assert.strictEqual(tenant.applications[0].passwords.length, 3);
        assert.deepStrictEqual(await stateKeyIds(ws), stateBefore, "state unchanged");
        assert.ok(!(await exportedResources(ws)).resources.some((r) => r.type === ROTATION_TYPE && r.delete));

        // The next up mints a fresh secret, writes dbt Cloud, then removes both the slot's previous
        // occupant and the failed run's secret.
        clouds.dbt.server.reset();
        const callsBefore = readTenant(ws.tenantFile).calls.length;
        const writesBefore = writes.length;
        const run = await ws.pulumi(["up", "--yes", "--skip-preview"], { at: new Date(at.getTime() + DAY) });
        await assertConverged(new Date(at.getTime() + DAY), 2, [failed, run]);
        const calls = readTenant(ws.tenantFile).calls.filter((c) => c.n > callsBefore);
        const removals = calls.filter((c) => c.op === "graph:removePassword" && c.outcome === "ok");
        assert.strictEqual(removals.length, 2, "the slot's previous secret and the failed run's secret are removed");
        assert.strictEqual(calls.filter((c) => c.op === "graph:addPassword").length, 1, "one fresh secret");
        assert.strictEqual(writes.length, writesBefore + 1);
        assert.ok(removals.every((c) => c.n > writes[writes.length - 1].tenantCalls), "the removals ran after dbt Cloud was written");
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
