#!/usr/bin/env node
// `npm start`: builds what the offline plan needs, only when a source changed, then plans in
// this same process. Plain JavaScript on purpose: it must run before anything is compiled.
//
// Fresh means: the stamp written after the last successful build is newer than every source file
// that build compiled (the file list tsc records in dist/.tsbuildinfo-plan), than both tsconfigs
// and than package-lock.json, and the plan's entry point exists. A new file only enters the plan
// through an import edited into a listed file, so it is caught too. When not fresh, tsc builds
// tsconfig.plan.json incrementally (only the program and tools/plan, not the tests).
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const ROOT = path.resolve(__dirname, "..", "..");

/** Where the plan's build lives under `root`. */
function layout(root) {
    const dist = path.join(root, "dist");
    return {
        dist,
        buildInfo: path.join(dist, ".tsbuildinfo-plan"),
        stamp: path.join(dist, ".plan-build-stamp"),
        entry: path.join(dist, "tools", "plan", "cli.js"),
    };
}

function mtime(file) {
    try {
        return fs.statSync(file).mtimeMs;
    } catch {
        return Infinity;
    }
}

/** Whether the last build of `root`'s plan is newer than every input it was built from. */
function isFresh(root) {
    const { dist, buildInfo, stamp, entry } = layout(root);
    const built = fs.existsSync(entry) ? mtime(stamp) : Infinity;
    if (!Number.isFinite(built)) {
        return false;
    }
    let sources;
    try {
        sources = JSON.parse(fs.readFileSync(buildInfo, "utf8")).fileNames.filter((f) => !f.includes("node_modules/"));
    } catch {
        return false;
    }
    const inputs = [...sources.map((f) => path.resolve(dist, f)), ...["tsconfig.json", "tsconfig.plan.json", "package-lock.json"].map((f) => path.join(root, f))];
    return sources.length > 0 && inputs.every((file) => mtime(file) < built);
}

function build(root) {
    const { stamp } = layout(root);
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    const started = Date.now();
    const result = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.plan.json")], { cwd: root, stdio: "inherit" });
    if (result.status !== 0) {
        process.stderr.write(`Building the plan failed (tsc exit ${result.status}).\n`);
        process.exit(1);
    }
    // Dated when the build started: an edit made during the build is caught by the next run.
    fs.writeFileSync(stamp, "");
    fs.utimesSync(stamp, new Date(started), new Date(started));
}

module.exports = { isFresh, layout };

if (require.main === module) {
    if (!isFresh(ROOT)) {
        build(ROOT);
    }
    require(layout(ROOT).entry).main(process.argv.slice(2));
}
