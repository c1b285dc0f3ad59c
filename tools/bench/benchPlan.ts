import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../projectRoot";

/**
 * Times `npm start` as a user types it (npm, the freshness check, the plan of `dev` at the current
 * instant) and the offline plan alone, against the floor every command pays (loading
 * @pulumi/pulumi), interleaved in one run on one machine so all see the same load, and prints the
 * ratio of medians of each; then the real engine's no-change preview (test/engine/benchPreview.ts).
 * Usage: npm run bench -- [--runs N] [--target R] [--start-target R] [--engine-runs N]
 */
const TARGET_RATIO = 1.3;
const START_TARGET_RATIO = 1.5;

function option(name: string, fallback: number): number {
    const index = process.argv.indexOf(name);
    const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) {
        throw new Error(`${name} needs a positive number.`);
    }
    return value;
}

function timeOnce(args: string[], cwd: string, command: string = process.execPath): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr?.toString()}`);
    }
    return elapsed;
}

function stats(label: string, times: number[]): string {
    return `${label.padEnd(28)} median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(): void {
    const runs = option("--runs", 15);
    const target = option("--target", TARGET_RATIO);
    const startTarget = option("--start-target", START_TARGET_RATIO);
    const root = projectRoot();
    const plan = [path.join(root, "dist", "tools", "plan", "cli.js"), "--stack", "dev", "--at", "2026-11-27T09:00:00Z"];
    const floor = ["-e", "require('@pulumi/pulumi')"];
    // As typed: npm from PATH, run in the project folder (a warm start: sources already built).
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";

    timeOnce(["start"], root, npm); // builds if a source changed, and warms the file cache for all
    timeOnce(plan, root);
    timeOnce(floor, root);
    const startTimes: number[] = [];
    const planTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
        startTimes.push(timeOnce(["start"], root, npm));
        planTimes.push(timeOnce(plan, root));
        floorTimes.push(timeOnce(floor, root));
    }
    const startRatio = median(startTimes) / median(floorTimes);
    const ratio = median(planTimes) / median(floorTimes);
    console.log(`runs: ${runs} each, interleaved`);
    console.log(stats("npm start (warm):", startTimes));
    console.log(stats("offline plan of dev alone:", planTimes));
    console.log(stats("require('@pulumi/pulumi'):", floorTimes));
    console.log(`npm start / floor: ${startRatio.toFixed(2)} (target <= ${startTarget})`);
    console.log(`plan alone / floor: ${ratio.toFixed(2)} (target <= ${target})`);
    if (startRatio > startTarget || ratio > target) {
        console.log("over target");
        process.exitCode = 1;
    }

    // The real engine's no-change preview, on the engine tests' fakes: a separate process, so the
    // plan's tools never load test code. It says so and passes when no engine is built.
    const enginePreview = path.join(root, "dist", "test", "engine", "benchPreview.js");
    const engine = spawnSync(process.execPath, [enginePreview, "--runs", String(option("--engine-runs", 5))], { cwd: root, stdio: "inherit" });
    if (engine.status !== 0) {
        process.exitCode = 1;
    }
}

main();
