import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../projectRoot";

/**
 * Times the offline plan of `dev` against the floor every command pays (loading @pulumi/pulumi),
 * interleaved in one run on one machine so both see the same load, and prints the ratio of medians.
 * Usage: npm run bench -- [--runs N] [--target R]
 */
const TARGET_RATIO = 1.3;

function option(name: string, fallback: number): number {
    const index = process.argv.indexOf(name);
    const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) {
        throw new Error(`${name} needs a positive number.`);
    }
    return value;
}

function timeOnce(args: string[], cwd: string): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
        throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
    }
    return elapsed;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(): void {
    const runs = option("--runs", 15);
    const target = option("--target", TARGET_RATIO);
    const root = projectRoot();
    const plan = [path.join(root, "dist", "tools", "plan", "cli.js"), "--stack", "dev", "--at", "2026-11-27T09:00:00Z"];
    const floor = ["-e", "require('@pulumi/pulumi')"];

    timeOnce(plan, root); // warm the file cache for both
    timeOnce(floor, root);
    const planTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
        planTimes.push(timeOnce(plan, root));
        floorTimes.push(timeOnce(floor, root));
    }
    const ratio = median(planTimes) / median(floorTimes);
    console.log(`runs: ${runs} each, interleaved`);
    console.log(`offline plan of dev:        median ${median(planTimes).toFixed(0)} ms (min ${Math.min(...planTimes).toFixed(0)}, max ${Math.max(...planTimes).toFixed(0)})`);
    console.log(`require('@pulumi/pulumi'): median ${median(floorTimes).toFixed(0)} ms (min ${Math.min(...floorTimes).toFixed(0)}, max ${Math.max(...floorTimes).toFixed(0)})`);
    console.log(`ratio of medians: ${ratio.toFixed(2)} (target <= ${target})`);
    if (ratio > target) {
        console.log("over target");
        process.exitCode = 1;
    }
}

main();
