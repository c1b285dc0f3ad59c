import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../projectRoot";
import { median, option } from "./measure";

/**
 * Times `npm start` as a user types it (npm, the freshness check, the plan of the selected stack at
 * the current instant), the offline plan of `dev` alone and `npm run -s check-expiry` as a pipeline
 * types it (the plan's outputs piped in), against the floor every command of this project pays
 * (loading @pulumi/pulumi), interleaved in one run on one machine so all see the same load, and
 * prints the ratio of medians of each; then the real engine's no-change preview of `dev` against a
 * minimal program's (test/engine/benchPreview.ts).
 * Usage: npm run bench -- [--runs N] [--target R] [--start-target R] [--expiry-target R] [--engine-runs N] [--engine-target R]
 */
const TARGET_RATIO = 1.3;
const START_TARGET_RATIO = 1.5;
const EXPIRY_TARGET_RATIO = 1.5;

function timeOnce(args: string[], cwd: string, command: string = process.execPath, input?: string): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, input, stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr?.toString()}`);
    }
    return elapsed;
}

function stats(label: string, times: number[]): string {
    return `${label.padEnd(32)} median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`;
}

function main(): void {
    const runs = option("--runs", 15);
    const target = option("--target", TARGET_RATIO);
    const startTarget = option("--start-target", START_TARGET_RATIO);
    const expiryTarget = option("--expiry-target", EXPIRY_TARGET_RATIO);
    const root = projectRoot();
    const plan = [path.join(root, "dist", "tools", "plan", "cli.js"), "--stack", "dev", "--at", "2026-11-27T09:00:00Z"];
    const floor = ["-e", "require('@pulumi/pulumi')"];
    // As typed: npm from PATH, run in the project folder (a warm start: sources already built).
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";

    // What a pipeline pipes into the expiry check: stack outputs (here the plan's, same shape).
    const outputs = JSON.stringify({ clientSecretExpiresAt: "2099-01-01T00:00:00Z" });
    const expiry = ["run", "-s", "check-expiry", "--", "--days", "14"];

    timeOnce(["start"], root, npm); // builds if a source changed, and warms the file cache for all
    timeOnce(expiry, root, npm, outputs); // the same for the expiry check's own build
    timeOnce(plan, root);
    timeOnce(floor, root);
    const startTimes: number[] = [];
    const planTimes: number[] = [];
    const expiryTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
        startTimes.push(timeOnce(["start"], root, npm));
        planTimes.push(timeOnce(plan, root));
        expiryTimes.push(timeOnce(expiry, root, npm, outputs));
        floorTimes.push(timeOnce(floor, root));
    }
    const startRatio = median(startTimes) / median(floorTimes);
    const ratio = median(planTimes) / median(floorTimes);
    const expiryRatio = median(expiryTimes) / median(floorTimes);
    console.log(`runs: ${runs} each, interleaved`);
    console.log(stats("npm start (warm):", startTimes));
    console.log(stats("offline plan of dev alone:", planTimes));
    console.log(stats("npm run -s check-expiry (warm):", expiryTimes));
    console.log(stats("require('@pulumi/pulumi'):", floorTimes));
    console.log(`npm start / floor: ${startRatio.toFixed(2)} (target <= ${startTarget})`);
    console.log(`plan alone / floor: ${ratio.toFixed(2)} (target <= ${target})`);
    console.log(`check-expiry / floor: ${expiryRatio.toFixed(2)} (target <= ${expiryTarget})`);
    if (startRatio > startTarget || ratio > target || expiryRatio > expiryTarget) {
        console.log("over target");
        process.exitCode = 1;
    }

    // The real engine's no-change preview, on the engine tests' fakes: a separate process, so the
    // plan's tools never load test code. It says so and passes when no engine is built.
    const enginePreview = path.join(root, "dist", "test", "engine", "benchPreview.js");
    const engineArgs = ["--runs", String(option("--engine-runs", 5)), ...(process.argv.includes("--engine-target") ? ["--target", String(option("--engine-target", 2))] : [])];
    const engine = spawnSync(process.execPath, [enginePreview, ...engineArgs], { cwd: root, stdio: "inherit" });
    if (engine.status !== 0) {
        process.exitCode = 1;
    }
}

main();
