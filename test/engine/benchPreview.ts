/**
 * `npm run bench`'s engine part: the wall time of a no-change `pulumi preview` of `dev` against
 * `pulumi version` (the CLI's own floor), interleaved in one run, as a ratio of medians; and the
 * REST calls the fakes answered during one such preview (target: no writes, and only the reads
 * the directory check needs). Lives beside the engine tests because it runs on their fakes.
 * Usage: node dist/test/engine/benchPreview.js [--runs N]
 */
import { performance } from "perf_hooks";
import { countByMethod, FakeClouds, TENANT } from "./fakeClouds";
import { engineBin, EngineWorkspace } from "./workspace";

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
    const started = performance.now();
    await action();
    return performance.now() - started;
}

async function main(): Promise<void> {
    const index = process.argv.indexOf("--runs");
    const runs = index >= 0 ? Number(process.argv[index + 1]) : 5;
    if (!Number.isInteger(runs) || runs < 1) {
        throw new Error("--runs needs a positive whole number.");
    }
    const bin = engineBin();
    if (!bin) {
        console.log("engine preview: skipped (no engine; run `npm run engine`, or set PULUMI_ENGINE_BIN)");
        return;
    }
    const clouds = new FakeClouds();
    const env = await clouds.start();
    const ws = await EngineWorkspace.create({ bin, stack: "dev", env, tenant: { tenantId: TENANT } });
    try {
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const preview = () => ws.pulumi(["preview", "--expect-no-changes"]);
        const version = () => ws.pulumi(["version"]);
        await preview(); // warm caches for both
        await version();

        clouds.forget();
        const callsBefore = ws.tenant().calls.length;
        const previewTimes = [await timed(preview)];
        const ado = countByMethod(clouds.ado.server.requests);
        const dbt = countByMethod(clouds.dbt.server.requests);
        const azuread = ws.tenant().calls.slice(callsBefore);
        const versionTimes = [await timed(version)];
        for (let i = 1; i < runs; i++) {
            previewTimes.push(await timed(preview));
            versionTimes.push(await timed(version));
        }
        const ratio = median(previewTimes) / median(versionTimes);
        const restWrites = [...Object.entries(ado), ...Object.entries(dbt)].filter(([method]) => method !== "GET" && method !== "HEAD").reduce((n, [, count]) => n + count, 0);
        const writes = restWrites + azuread.filter((c) => c.op !== "read" && c.op !== "invoke").length;
        console.log(`engine: runs ${runs} each, interleaved`);
        console.log(`no-change pulumi preview of dev: median ${median(previewTimes).toFixed(0)} ms (min ${Math.min(...previewTimes).toFixed(0)}, max ${Math.max(...previewTimes).toFixed(0)})`);
        console.log(`pulumi version:                  median ${median(versionTimes).toFixed(0)} ms`);
        console.log(`ratio of medians: ${ratio.toFixed(1)}`);
        console.log(`REST calls during one preview: Azure DevOps ${JSON.stringify(ado)}, dbt Cloud ${JSON.stringify(dbt)}, azuread plugin ${azuread.length} (${azuread.map((c) => c.op).join(", ")}); writes: ${writes}`);
        if (writes > 0) {
            process.exitCode = 1;
        }
    } finally {
        ws.dispose();
        await clouds.stop();
    }
}

main().catch((error) => {
    console.error(`engine bench failed: ${(error as Error).message}`);
    process.exitCode = 1;
});
