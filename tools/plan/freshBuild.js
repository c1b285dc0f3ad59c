// Builds one of the project's command-line tools only when a source changed, type-checked and
// incrementally, then hands over to it in the same process. Used by `npm start` (the offline plan,
// tools/plan/start.js) and `npm run check-expiry` (tools/expiry/start.js). Plain JavaScript on
// purpose: it must run before anything is compiled.
//
// Fresh means: the stamp written after the last successful build is newer than every source file
// that build compiled (the file list tsc records in its build info), than tsconfig.json, the
// tool's own tsconfig and package-lock.json, and the tool's entry point exists. A new file only
// enters the build through an import edited into a listed file, so it is caught too. When not
// fresh, tsc builds the tool's tsconfig incrementally, with the type check: a type error stops the
// tool before it runs (exit 1), and the stamp is not written, so every later run reports it too
// until it is fixed.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

/** The tools this launcher builds: their tsconfig (relative to the project) and entry point (in dist). */
const TOOLS = {
    plan: { tsconfig: "tsconfig.plan.json", entry: ["tools", "plan", "cli.js"], what: "the offline plan" },
    expiry: { tsconfig: path.join("tools", "expiry", "tsconfig.json"), entry: ["tools", "expiry", "cli.js"], what: "the expiry check" },
};

/** Where `tool`'s build lives under `root`. */
function layout(root, tool = "plan") {
    const spec = TOOLS[tool];
    if (!spec) {
        throw new Error(`unknown tool ${tool}`);
    }
    const dist = path.join(root, "dist");
    return {
        dist,
        tsconfig: path.join(root, spec.tsconfig),
        buildInfo: path.join(dist, `.tsbuildinfo-${tool}`),
        stamp: path.join(dist, `.${tool}-build-stamp`),
        entry: path.join(dist, ...spec.entry),
        what: spec.what,
    };
}

function mtime(file) {
    try {
        return fs.statSync(file).mtimeMs;
    } catch {
        return Infinity;
    }
}

/** Whether the last build of `tool` in `root` is newer than every input it was built from. */
function isFresh(root, tool = "plan") {
    const { dist, tsconfig, buildInfo, stamp, entry } = layout(root, tool);
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
    const inputs = [...sources.map((f) => path.resolve(dist, f)), tsconfig, ...["tsconfig.json", "package-lock.json"].map((f) => path.join(root, f))];
    return sources.length > 0 && inputs.every((file) => mtime(file) < built);
}

/**
 * Type-checks and builds `tool` (incrementally). Returns true when it built; on a type error tsc's
 * report goes to standard error (standard output stays the tool's own, e.g. the plan's JSON).
 */
function build(root, tool = "plan", stderr = (text) => process.stderr.write(text)) {
    const { stamp, tsconfig, what } = layout(root, tool);
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    const started = Date.now();
    const result = spawnSync(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], { cwd: root, encoding: "utf8" });
    if (result.status !== 0) {
        stderr(`${result.stdout ?? ""}${result.stderr ?? ""}`);
        stderr(
            result.status === 1 || result.status === 2
                ? `The code does not type-check (tsc, above), so ${what} did not run: fix it and run again (npm test and CI type-check the same code).\n`
                : `Building ${what} failed (tsc exit ${result.status ?? result.signal}).\n`,
        );
        return false;
    }
    // Dated when the build started: an edit made during the build is caught by the next run.
    fs.writeFileSync(stamp, "");
    fs.utimesSync(stamp, new Date(started), new Date(started));
    return true;
}

/** Builds `tool` when it is not fresh, then returns its entry module; exits 1 when it does not type-check. */
function freshTool(root, tool) {
    if (!isFresh(root, tool) && !build(root, tool)) {
        process.exit(1);
    }
    return require(layout(root, tool).entry);
}

module.exports = { isFresh, layout, build, freshTool };
