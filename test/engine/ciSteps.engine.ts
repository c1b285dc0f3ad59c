/**
 * The shared CI steps (`.ci/step`) run as a CI job runs them, against the fake clouds and the
 * real engine, one test per path: a clean deploy and rotation; a boundary with a failing `up`,
 * where the expiry check still runs and fails when it should; a missing CLI pin; drift found; a
 * killed previous run (a stale lock with a pending update, and a pending create).
 *
 * Like CI, the steps run from a checkout prepared by `.ci/step setup`: a copy of this repository
 * whose dependencies `npm ci --ignore-scripts` installed, so every `pulumi preview` and `up` here
 * also shows the program and the policy pack need no install scripts. The CLI is installed by
 * `.ci/step install` from a fake release (this engine's binaries, checksum pinned); the clock of
 * the program and of the steps is moved with libfaketime, as in rotation.engine.ts.
 *
 * Each job gets its own step-record folder (a runner's RUNNER_TEMP), and the job's YAML
 * conditions are followed: a step runs after a failure only if it is the expiry check (when the
 * install succeeded) or the summary.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { planRotation, RotationSettings } from "../../domain/rotationSchedule";
import { projectRoot } from "../../tools/projectRoot";
import { readTenant } from "./fakeAzuread/tenant";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { EngineWorkspace, requireEngine, RunResult } from "./workspace";

const ROOT = projectRoot();
const DAY = 86_400_000;
const STACK = "prod";
/** stacks/Pulumi.prod.yaml sets neither: Pulumi.yaml's defaults. */
const SETTINGS: RotationSettings = { rotationDays: 90, overlapDays: 14 };
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"] as string;
/** The resource that writes dbt Cloud's record (the secret handover). */
const DBT_RECORD = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";

type Step = "install" | "recover" | "preview" | "up" | "expiry" | "drift" | "summary";
const JOBS: Record<string, Step[]> = {
    deploy: ["install", "recover", "preview", "up", "summary"],
    rotate: ["install", "recover", "preview", "up", "expiry", "summary"],
    drift: ["install", "drift", "summary"],
};

/** A copy of the repository's files (what `git` tracks or would), prepared by `.ci/step setup`. */
function preparedCheckout(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-checkout-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const file of files) {
        const from = path.join(ROOT, file);
        if (!fs.existsSync(from)) continue;
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(from, path.join(dir, file));
        fs.chmodSync(path.join(dir, file), fs.statSync(from).mode);
    }
    const setup = spawnSync(path.join(dir, ".ci", "step"), ["setup"], { cwd: dir, encoding: "utf8", timeout: 15 * 60_000 });
    if (setup.status !== 0) {
        throw new Error(`.ci/step setup failed in ${dir}:\n${setup.stdout.slice(-3000)}\n${setup.stderr.slice(-3000)}`);
    }
    return dir;
}

/** A GitHub-release-shaped server whose linux-x64 archive holds this engine's binaries. */
async function fakeRelease(bin: string, dir: string): Promise<{ url: string; sha256: string; server: http.Server }> {
    const content = path.join(dir, "release", "pulumi");
    fs.mkdirSync(content, { recursive: true });
    for (const tool of fs.readdirSync(bin)) {
        fs.symlinkSync(path.join(bin, tool), path.join(content, tool));
    }
    const archive = path.join(dir, `pulumi-v${VERSION}-linux-x64.tar.gz`);
    execFileSync("tar", ["-czf", archive, "-C", path.join(dir, "release"), "pulumi"]);
    const data = fs.readFileSync(archive);
    const sha256 = createHash("sha256").update(data).digest("hex");
    const server = http.createServer((req, res) => {
        if (req.url === `/v${VERSION}/${path.basename(archive)}`) {
            res.end(data);
        } else if (req.url === `/v${VERSION}/pulumi-${VERSION}-checksums.txt`) {
            res.end(`${sha256}  ${path.basename(archive)}\n`);
        } else {
            res.statusCode = 404;
            res.end("Not Found");
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sha256, server };
}

describe("engine: the shared CI steps, job by job", function () {
    this.timeout(40 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    let checkout = "";
    let scratch = "";
    let release: { url: string; sha256: string; server: http.Server };
    let pins = "";
    let jobCount = 0;

    before(async function () {
        const bin = requireEngine(this, true);
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ci-steps-"));
        release = await fakeRelease(bin, scratch);
        pins = path.join(scratch, "pins.sha256");
        fs.writeFileSync(pins, `${release.sha256}  pulumi-v${VERSION}-linux-x64.tar.gz\n`);
        checkout = preparedCheckout();
        ({ clouds, ws } = await startEngineStack(this, {
            stack: STACK,
            stackFile: fs.readFileSync(path.join(checkout, "stacks", `Pulumi.${STACK}.yaml`), "utf8"),
            programRoot: checkout,
            clouds: { projects: ["Data Platform", "Analytics"] },
            needsFaketime: true,
        }));
    });

    // A failed test must not leave a fault injected for the next one.
    afterEach(() => {
        clouds?.dbt.server.reset();
        clouds?.ado.server.reset();
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
        release?.server.close();
        for (const dir of [checkout, scratch]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** What a job's steps share: the test switch (outside CI only), the fake release and pins, its own temporary folder. */
    function jobEnv(out: string, extra: Record<string, string> = {}): Record<string, string> {
        return {
            DBT_ADO_TEST_OVERRIDES: "1",
            PULUMI_RELEASES_URL: release.url,
            PULUMI_CLI_PINS: pins,
            PULUMI_INSTALL_DIR: path.join(out, "pulumi-bin"),
            DBT_ADO_CI_OUT: out,
            ...extra,
        };
    }

    function step(name: Step, mode: string, out: string, at: Date, extra: Record<string, string> = {}): Promise<RunResult> {
        return ws.run(path.join(ws.projectDir, ".ci", "step"), [name, "--stack", STACK, "--mode", mode], { env: jobEnv(out, extra), at, allowFailure: true });
    }

    interface Job {
        out: string;
        results: Partial<Record<Step, RunResult>>;
        record(step: Step): { outcome: string; lines: string[]; facts: Record<string, unknown> } | undefined;
        summary(): string;
    }

    /** One stack's job, its steps in order, skipping as the YAML's conditions do. */
    async function job(mode: keyof typeof JOBS, at: Date, options: { extra?: Record<string, string>; before?: Partial<Record<Step, () => void>> } = {}): Promise<Job> {
        const out = path.join(scratch, `job-${++jobCount}-${mode}`);
        const results: Partial<Record<Step, RunResult>> = {};
        let failed = false;
        for (const name of JOBS[mode]) {
            const runs = name === "summary" || (name === "expiry" ? results.install?.code === 0 : !failed);
            if (!runs) continue;
            options.before?.[name]?.();
            results[name] = await step(name, mode, out, at, options.extra);
            failed = failed || results[name]!.code !== 0;
        }
        return {
            out,
            results,
            record: (name) => {
                const file = path.join(out, STACK, `${name}.json`);
                return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
            },
            summary: () => fs.readFileSync(path.join(out, STACK, "summary.md"), "utf8"),
        };
    }

    function assertAllSucceeded(j: Job): void {
        for (const [name, result] of Object.entries(j.results)) {
            assert.strictEqual(result!.code, 0, `${name} exited ${result!.code}\n${result!.stdout.slice(-4000)}\n${result!.stderr.slice(-3000)}`);
        }
    }

    function passwords() {
        return readTenant(ws.tenantFile).applications[0].passwords;
    }

    function newest() {
        return [...passwords()].sort((a, b) => a.endDate.localeCompare(b.endDate)).pop()!;
    }

    async function state(): Promise<{ resources: Array<{ type: string; urn: string }>; pending_operations?: Array<{ type: string; resource: { urn: string; type: string } }> }> {
        return JSON.parse((await ws.pulumi(["stack", "export"])).stdout).deployment;
    }

    function lockFiles(): string[] {
        const dir = path.join(ws.root, "backend", ".pulumi", "locks");
        const found: string[] = [];
        const walk = (d: string) => fs.existsSync(d) && fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".json") && found.push(e.name)));
        walk(dir);
        return found;
    }

    function nextBoundary(after: Date): Date {
        return new Date(planRotation(after, SETTINGS).current.periodStart.getTime() + SETTINGS.rotationDays * DAY);
    }

    const start = new Date();
    let clock = start;

    it("a clean deploy, then a scheduled rotation across a period boundary, then a day inside the period that changes nothing", async () => {
        const deploy = await job("deploy", clock);
        assertAllSucceeded(deploy);
        assert.strictEqual(deploy.record("install")?.facts.pinned, true, "the pinned CLI");
        assert.match(deploy.record("preview")!.lines[0], /^every policy passed; /);
        assert.strictEqual(clouds.dbtSecret(), newest().value, "dbt Cloud holds the newest secret");
        assert.match(deploy.summary(), /^### ✓ `prod`: deploy succeeded$/m);

        clock = new Date(nextBoundary(clock).getTime() + DAY);
        const before = passwords().map((p) => p.keyId);
        const rotate = await job("rotate", clock);
        assertAllSucceeded(rotate);
        const minted = passwords().filter((p) => !before.includes(p.keyId));
        assert.strictEqual(minted.length, 1, "one new secret");
        assert.strictEqual(passwords().length, 2, "the oldest was retired");
        assert.strictEqual(clouds.dbtSecret(), minted[0].value, "dbt Cloud holds the new secret");
        assert.strictEqual(rotate.record("expiry")?.facts.status, "fresh");
        assert.match(rotate.summary(), /^### ✓ `prod`: scheduled rotation succeeded$/m);
        assert.match(rotate.summary(), /^\| Recover from a killed run \| ✓ nothing to recover \|$/m);

        const writes = () => readTenant(ws.tenantFile).calls.filter((c) => ["create", "update", "delete"].includes(c.op)).length;
        const writesBefore = writes();
        const quiet = await job("rotate", new Date(clock.getTime() + 10 * DAY));
        assertAllSucceeded(quiet);
        assert.match(quiet.record("up")!.lines[0], /^\d+ unchanged$/);
        assert.strictEqual(writes(), writesBefore, "no write to the tenant");
    });

    it("drift: none after the rotation; a redirect URI added in the portal fails the job and names the change, a deploy leaves it, and the command the summary gives puts it back", async () => {
        const auditAvailable = fs.existsSync(path.join(checkout, "dist", "tools", "audit", "cli.js"));
        const clean = await job("drift", clock);
        assert.ok(clean.record("drift")!.lines.includes("`pulumi preview --refresh`: the clouds match the program."), clean.results.drift!.stdout.slice(-3000));
        if (auditAvailable) {
            assert.strictEqual(clean.results.drift!.code, 0, `${clean.record("drift")!.lines.join("\n")}\n${clean.results.drift!.stdout.slice(-3000)}\n${clean.results.drift!.stderr.slice(-3000)}`);
        } else {
            // Not on main yet: the step says the audit half did not run, and fails rather than pass half-checked.
            assert.strictEqual(clean.results.drift!.code, 1);
            assert.ok(clean.record("drift")!.lines.some((l) => /Graph audit of the app \(tools\/audit\) is not in this checkout/.test(l)));
        }

        ws.updateTenant((t) => {
            t.applications[0].web.redirectUris.push("https://portal-edit.example/complete/azure_active_directory");
        });
        const drifted = await job("drift", clock);
        assert.strictEqual(drifted.results.drift!.code, 1);
        assert.strictEqual(drifted.record("drift")!.facts.drifted, true);
        assert.ok(drifted.record("drift")!.lines.some((l) => /^`pulumi preview --refresh` found drift: .*update/.test(l)), drifted.record("drift")!.lines.join("\n"));
        assert.match(drifted.results.drift!.stdout, /^error: Drift on stack prod/m, "an error annotation (plain outside a runner)");
        assert.match(drifted.summary(), /^### ✗ `prod`: drift audit failed$/m);
        assert.match(drifted.summary(), /portal-edit\.example/, "the summary's preview output shows what changed");

        const portalEdit = () => readTenant(ws.tenantFile).applications[0].web.redirectUris.some((u) => u.includes("portal-edit"));
        const deploy = await job("deploy", clock);
        assertAllSucceeded(deploy);
        assert.ok(portalEdit(), "a deploy does not refresh: the edit stays");
        const command = /put it back from a trusted machine with `pulumi (up --refresh [^`]+)`/.exec(drifted.record("drift")!.lines.join("\n"))?.[1];
        assert.ok(command, "the summary gives the command");
        await ws.pulumi([...command.split(" "), "--yes", "--skip-preview"], { at: clock });
        assert.ok(!portalEdit(), "put back");
    });

    it("a missing CLI pin: the install fails naming the command that pins it, nothing runs pulumi, and the summary says how long dbt Cloud's secret lasts at worst", async () => {
        const empty = path.join(scratch, "no-pins.sha256");
        fs.writeFileSync(empty, "# nothing pinned\n");
        const callsBefore = readTenant(ws.tenantFile).calls.length;
        const at = new Date(clock.getTime() + 2 * DAY);
        const unpinned = await job("rotate", at, { extra: { PULUMI_CLI_PINS: empty } });
        assert.strictEqual(unpinned.results.install!.code, 1);
        assert.ok(unpinned.results.install!.stderr.includes(`npm run pin-pulumi-cli -- ${VERSION}`), unpinned.results.install!.stderr);
        assert.deepStrictEqual(Object.keys(unpinned.results), ["install", "summary"], "nothing else ran, not even the expiry check");
        // Called anyway (a YAML that forgot its condition), the steps refuse: no pulumi stands in for the verified one.
        const anyway = await step("up", "rotate", unpinned.out, at);
        assert.strictEqual(anyway.code, 1);
        assert.match(anyway.stdout, /could not be installed in this job/);
        assert.strictEqual(readTenant(ws.tenantFile).calls.length, callsBefore, "the tenant saw no call");

        const summary = unpinned.summary();
        assert.match(summary, /\*\*This job could not install the pinned Pulumi CLI\*\*.*nothing was changed and the client secret was not rotated/);
        assert.match(summary, new RegExp(`npm run pin-pulumi-cli -- ${VERSION.replace(/\./g, "\\.")}`));
        const worst = planRotation(at, SETTINGS).previous.endDate.slice(0, 10);
        assert.match(summary, new RegExp(`lasts, at worst:\\*\\* until ${worst} `));
        // True of the secret dbt Cloud holds right now: it is valid at least that long.
        assert.ok(newest().endDate.slice(0, 10) >= worst, `dbt Cloud's secret (${newest().endDate}) lasts at least until ${worst}`);
    });

    it("a boundary with a failing up: the expiry check still runs, passes while the previous secret lasts, and fails when it nears its end", async () => {
        const boundary = nextBoundary(clock);
        const held = clouds.dbtSecret();
        const heldEnd = passwords().find((p) => p.value === held)!.endDate;
        const failDbt = () => clouds.dbt.server.inject((r) => r.method === "POST" && /azure-ad-applications\/\d+\/$/.test(r.path), { kind: "status", status: 503, body: { status: { code: 503, user_message: "Service Unavailable" } } }, 1000);

        clock = new Date(boundary.getTime() + DAY);
        const failing = await job("rotate", clock, { before: { up: failDbt } });
        assert.notStrictEqual(failing.results.up!.code, 0, "the up fails");
        assert.strictEqual(failing.results.expiry!.code, 0, "the expiry check ran after it, and passes");
        assert.strictEqual(clouds.dbtSecret(), held, "dbt Cloud keeps the secret it had");
        assert.match(failing.summary(), /^\| pulumi up \| ✗ failed/m);
        assert.match(failing.summary(), /^\| Expiry check \| ✓ dbt Cloud's secret expires/m);

        // Still failing a week before that secret's end: the check fails the job, saying so.
        const late = new Date(Date.parse(heldEnd) - 7 * DAY);
        const stalled = await job("rotate", late, { before: { up: failDbt } });
        assert.notStrictEqual(stalled.results.up!.code, 0);
        assert.strictEqual(stalled.results.expiry!.code, 1);
        assert.match(stalled.results.expiry!.stdout, new RegExp(`^error: The client secret dbt Cloud holds expires at ${heldEnd}, in 7\\.0 days \\(threshold 14\\)`, "m"));
        assert.strictEqual(stalled.record("expiry")!.facts.status, "expiring");

        // dbt Cloud answers again: the next run completes the rotation.
        clouds.dbt.server.reset();
        clock = new Date(late.getTime() + DAY);
        const recovered = await job("rotate", clock);
        assertAllSucceeded(recovered);
        assert.strictEqual(clouds.dbtSecret(), newest().value);
        assert.strictEqual(passwords().length, 2);
    });

    it("a killed run (SIGKILL to the CLI and its plugins mid-rotation): its lock and pending update are cleared by recover, and the next job converges", async () => {
        clock = new Date(nextBoundary(clock).getTime() + DAY);
        const out = path.join(scratch, `job-${++jobCount}-killed`);
        for (const name of ["install", "recover", "preview"] as const) {
            const result = await step(name, "rotate", out, clock);
            assert.strictEqual(result.code, 0, `${name}: ${result.stdout.slice(-2000)}`);
        }
        let arrived!: () => void;
        const dbtWrite = new Promise<void>((resolve) => (arrived = resolve));
        clouds.dbt.server.inject((r) => r.method === "POST" && /azure-ad-applications\/\d+\/$/.test(r.path), { kind: "hang" }, 1000);
        const previous = clouds.dbt.server.onRequest;
        clouds.dbt.server.onRequest = (r) => {
            previous?.(r);
            if (r.method === "POST") arrived();
        };
        const up = ws.start(path.join(ws.projectDir, ".ci", "step"), ["up", "--stack", STACK, "--mode", "rotate"], { env: jobEnv(out), at: clock, allowFailure: true });
        try {
            await dbtWrite;
            // While it runs, recover (here, outside CI) refuses to touch a lock whose process lives.
            const meanwhile = await step("recover", "rotate", path.join(scratch, "meanwhile"), clock);
            assert.strictEqual(meanwhile.code, 1);
            assert.match(meanwhile.stdout, /The stack is locked by .*\(pid \d+\).*which may be a pulumi command still running/);
        } finally {
            await up.kill();
            clouds.dbt.server.onRequest = previous;
            clouds.dbt.server.reset();
        }
        assert.strictEqual(lockFiles().length, 1, "the killed run's lock is left behind");
        const pending = (await state()).pending_operations ?? [];
        assert.deepStrictEqual(pending.map((p) => [p.type, p.resource.type]), [["updating", DBT_RECORD]], "the dbt write was in flight");
        const blocked = await ws.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true, at: clock });
        assert.match(blocked.stderr + blocked.stdout, /the stack is currently locked by 1 lock\(s\)/, "a plain up is stuck");

        const next = await job("rotate", new Date(clock.getTime() + 60 * 60_000));
        assertAllSucceeded(next);
        const recovered = next.record("recover")!;
        assert.strictEqual(recovered.lines[0], "recovered a killed run");
        assert.strictEqual(recovered.facts.locksRemoved, true);
        assert.deepStrictEqual((recovered.facts.pendingCleared as Array<{ operation: string; type: string }>).map((p) => [p.operation, p.type]), [["updating", DBT_RECORD]]);
        assert.match(next.results.recover!.stdout, /^warning: A previous run on stack prod was killed: its lock was removed/m);
        assert.deepStrictEqual(lockFiles(), []);
        assert.deepStrictEqual((await state()).pending_operations ?? [], []);
        assert.strictEqual(clouds.dbtSecret(), newest().value, "dbt Cloud holds the newest secret");
        assert.strictEqual(passwords().length, 2, "two slots");
        assert.match(next.summary(), /^\| Recover from a killed run \| ✓ recovered a killed run \|$/m);
    });

    it("a killed run with a pending create (a project added): recover clears it and says what may exist unmanaged; the next up creates it", async () => {
        const stackFile = ws.stackFile(STACK);
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("    - Data Platform\n", "    - Data Platform\n    - Analytics\n"));
        const out = path.join(scratch, `job-${++jobCount}-killed-create`);
        for (const name of ["install", "recover", "preview"] as const) {
            const result = await step(name, "deploy", out, clock);
            assert.strictEqual(result.code, 0, `${name}: ${result.stdout.slice(-2000)}`);
        }
        let arrived!: () => void;
        const projectCreate = new Promise<void>((resolve) => (arrived = resolve));
        // The new ProjectPermissions' create starts by listing the organization's projects.
        const listing = (r: { method: string; path: string }) => r.method === "GET" && /\/_apis\/projects$/.test(r.path);
        clouds.ado.server.inject(listing, { kind: "hang" }, 1000);
        const previous = clouds.ado.server.onRequest;
        clouds.ado.server.onRequest = (r) => {
            previous?.(r);
            if (listing(r)) arrived();
        };
        const up = ws.start(path.join(ws.projectDir, ".ci", "step"), ["up", "--stack", STACK, "--mode", "deploy"], { env: jobEnv(out), at: clock, allowFailure: true });
        try {
            await projectCreate;
        } finally {
            await up.kill();
            clouds.ado.server.onRequest = previous;
            clouds.ado.server.reset();
        }
        const pending = (await state()).pending_operations ?? [];
        assert.deepStrictEqual(pending.map((p) => [p.type, p.resource.urn.split("::").pop()]), [["creating", "dbt-azure-devops-ado-project-analytics"]]);

        const next = await job("deploy", clock);
        assertAllSucceeded(next);
        const cleared = next.record("recover")!.facts.pendingCleared as Array<{ operation: string; urn: string }>;
        assert.deepStrictEqual(cleared.map((p) => [p.operation, p.urn.split("::").pop()]), [["creating", "dbt-azure-devops-ado-project-analytics"]]);
        assert.match(next.results.recover!.stdout, /^warning: A killed run was creating pulumi-nodejs:dynamic\/azuredevops:ProjectPermissions dbt-azure-devops-ado-project-analytics .*may exist unmanaged/m);
        assert.ok(next.summary().includes("- Cleared a pending create of pulumi-nodejs:dynamic/azuredevops:ProjectPermissions dbt-azure-devops-ado-project-analytics"));
        const after = await state();
        assert.deepStrictEqual(after.pending_operations ?? [], []);
        assert.strictEqual(after.resources.filter((r) => r.urn.endsWith("::dbt-azure-devops-ado-project-analytics")).length, 1, "created once, in state");
        assert.deepStrictEqual(lockFiles(), []);
        const quiet = await job("deploy", clock);
        assertAllSucceeded(quiet);
        assert.match(quiet.record("up")!.lines[0], /^\d+ unchanged$/, "converged: nothing left to do");
    });
});
