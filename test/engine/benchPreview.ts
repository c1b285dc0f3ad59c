/**
 * `npm run bench`'s engine part: the wall time of a no-change `pulumi preview` of `dev` against
 * the preview of a minimal one-output TypeScript program on the same engine (target: at most 2x),
 * interleaved in one run, as ratios of medians; and the REST calls the fakes answered during one
 * preview of `dev` (target: no writes, and only the reads the directory check needs). Lives
 * beside the engine tests because it runs on their fakes.
 *
 * The minimal program is what `pulumi new typescript` starts from (Pulumi.yaml, package.json,
 * tsconfig.json, one `export const`), run twice: as generated (ts-node type-checks it), and with
 * the transpile-only setting this project's tsconfig.json carries, so both comparisons are shown.
 * Usage: node dist/test/engine/benchPreview.js [--runs N] [--target R]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { median, option } from "../../tools/bench/measure";
import { projectRoot } from "../../tools/projectRoot";
import { countByMethod, FakeClouds, TENANT } from "./fakeClouds";
import { engineBin, EngineWorkspace } from "./workspace";

const TARGET_RATIO = 2;

/** Wall time of one run, and (where Linux says) the CPU time of the CLI and every process it waited for. */
interface Timing {
    wallMs: number;
    cpuMs?: number;
}

async function timed(action: () => Promise<unknown>): Promise<Timing> {
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    await action();
    const wallMs = performance.now() - started;
    const cpuAfter = childrenCpuMs();
    return { wallMs, ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}) };
}

/**
 * User and system CPU of this process's waited-for children, theirs included (cutime and cstime
 * of /proc/self/stat, in clock ticks of 10 ms): the engine, its plugins and the program, however
 * loaded the machine is. Undefined where there is no /proc.
 */
function childrenCpuMs(): number | undefined {
    try {
        const stat = fs.readFileSync("/proc/self/stat", "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // Fields after the command name start at field 3 (state): cutime is field 16, cstime 17.
        return (Number(fields[16 - 3]) + Number(fields[17 - 3])) * 10;
    } catch {
        return undefined;
    }
}

/**
 * A minimal one-output TypeScript program, as `pulumi new typescript` lays it out, using this
 * repository's installed @pulumi/pulumi (its node_modules linked). `transpileOnly` adds the
 * ts-node setting this project's tsconfig.json has.
 */
function minimalProgram(transpileOnly: boolean): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-ado-bench-minimal-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: minimal\ndescription: one output\nruntime:\n  name: nodejs\n  options:\n    packagemanager: npm\n");
    fs.writeFileSync(path.join(dir, "index.ts"), 'export const answer = "42";\n');
    fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: "minimal", main: "index.ts", devDependencies: { "@types/node": "^20", typescript: "~5.9.3" }, dependencies: { "@pulumi/pulumi": "3.276.0" } }, null, 2)}\n`);
    const tsconfig = {
        compilerOptions: {
            strict: true, outDir: "bin", target: "es2020", module: "commonjs", moduleResolution: "node", sourceMap: true,
            experimentalDecorators: true, pretty: true, noFallthroughCasesInSwitch: true, noImplicitReturns: true, forceConsistentCasingInFileNames: true,
        },
        files: ["index.ts"],
        ...(transpileOnly ? { "ts-node": { transpileOnly: true } } : {}),
    };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
    fs.symlinkSync(path.join(projectRoot(), "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

async function main(): Promise<void> {
    const runs = option("--runs", 5);
    const target = option("--target", TARGET_RATIO);
    const bin = engineBin();
    if (!bin) {
        console.log("engine preview: skipped (no engine; run `npm run engine`, or set PULUMI_ENGINE_BIN)");
        return;
    }
    const clouds = new FakeClouds();
    const env = await clouds.start();
    const programs = [minimalProgram(false), minimalProgram(true)];
    const workspaces: EngineWorkspace[] = [];
    try {
        const ws = await EngineWorkspace.create({ bin, stack: "dev", env, tenant: { tenantId: TENANT } });
        workspaces.push(ws);
        // Entra's token endpoint and Graph over the same tenant: the rotation lists and mints there.
        ws.addEnv(await clouds.startEntra(ws.tenantFile));
        for (const programRoot of programs) {
            workspaces.push(await EngineWorkspace.create({ bin, stack: "dev", stackFile: "config: {}\n", programRoot }));
        }
        const [, asGenerated, transpiled] = workspaces;
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        for (const minimal of [asGenerated, transpiled]) {
            await minimal.pulumi(["up", "--yes", "--skip-preview"]);
        }
        const preview = (w: EngineWorkspace) => () => w.pulumi(["preview", "--expect-no-changes"]);
        // Warm every cache once (file cache, Go and Node start-up).
        for (const w of workspaces) {
            await preview(w)();
        }

        clouds.forget();
        const callsBefore = ws.tenant().calls.length;
        const devTimes: Timing[] = [await timed(preview(ws))];
        const ado = countByMethod(clouds.ado.server.requests);
        const dbt = countByMethod(clouds.dbt.server.requests);
        const azuread = ws.tenant().calls.slice(callsBefore);
        const generatedTimes: Timing[] = [await timed(preview(asGenerated))];
        const transpiledTimes: Timing[] = [await timed(preview(transpiled))];
        for (let i = 1; i < runs; i++) {
            devTimes.push(await timed(preview(ws)));
            generatedTimes.push(await timed(preview(asGenerated)));
            transpiledTimes.push(await timed(preview(transpiled)));
        }
        const wall = (timings: Timing[]) => timings.map((t) => t.wallMs);
        const cpu = (timings: Timing[]) => (timings.every((t) => t.cpuMs !== undefined) ? median(timings.map((t) => t.cpuMs!)) : undefined);
        const ratio = median(wall(devTimes)) / median(wall(generatedTimes));
        const likeForLike = median(wall(devTimes)) / median(wall(transpiledTimes));
        const restWrites = [...Object.entries(ado), ...Object.entries(dbt)].filter(([method]) => method !== "GET" && method !== "HEAD").reduce((n, [, count]) => n + count, 0);
        // Reads, invokes, token requests and Graph GETs are not writes.
        const writes = restWrites + azuread.filter((c) => !["read", "invoke", "token", "graph:get"].includes(c.op)).length;
        const line = (label: string, timings: Timing[]) => {
            const times = wall(timings);
            const cpuMs = cpu(timings);
            return `${label.padEnd(52)} median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})` +
                (cpuMs !== undefined ? `; CPU median ${cpuMs.toFixed(0)} ms` : "");
        };
        console.log(`engine: runs ${runs} each, interleaved`);
        console.log(line("no-change pulumi preview of dev:", devTimes));
        console.log(line("pulumi preview, minimal program as generated:", generatedTimes));
        console.log(line("pulumi preview, minimal program transpile-only:", transpiledTimes));
        console.log(`dev preview / minimal program's preview: ${ratio.toFixed(2)} (target <= ${target})`);
        console.log(`dev preview / minimal program's preview, both transpile-only: ${likeForLike.toFixed(2)}`);
        const [devCpu, generatedCpu, transpiledCpu] = [cpu(devTimes), cpu(generatedTimes), cpu(transpiledTimes)];
        if (devCpu !== undefined && generatedCpu !== undefined && transpiledCpu !== undefined) {
            console.log(`CPU, whatever the load: dev / minimal as generated ${(devCpu / generatedCpu).toFixed(2)}, dev / minimal transpile-only ${(devCpu / transpiledCpu).toFixed(2)}`);
        }
        console.log(`REST calls during one preview: Azure DevOps ${JSON.stringify(ado)}, dbt Cloud ${JSON.stringify(dbt)}, azuread plugin ${azuread.length} (${azuread.map((c) => c.op).join(", ")}); writes: ${writes}`);
        if (writes > 0 || ratio > target) {
            console.log(writes > 0 ? "a no-change preview wrote to a cloud" : "over target");
            process.exitCode = 1;
        }
    } finally {
        for (const w of workspaces) {
            w.dispose();
        }
        for (const dir of programs) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        await clouds.stop();
    }
}

main().catch((error) => {
    console.error(`engine bench failed: ${(error as Error).message}`);
    process.exitCode = 1;
});
