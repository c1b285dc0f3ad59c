/**
 * Stand-in for actions/setup-node (test/workflows): what the workflows rely on, and nothing else.
 *
 * Does: finds the Node.js version `node-version` asks for in the runner's tool cache
 * (`$RUNNER_TOOL_CACHE/node/<version>/<arch>`, complete when `<arch>.complete` exists beside it:
 * where upstream looks first, through @actions/tool-cache `find`) and puts its `bin` first on PATH
 * for the job's later steps. The highest cached version that matches wins, as upstream.
 * Does not: download Node.js (a version the cache lacks fails the step, saying so), restore or
 * save the npm cache (`cache: npm` only makes `npm ci` faster; the Actions cache service needs
 * GitHub), or set up a registry. Upstream read at v7.0.0 (action.yml, src/main.ts,
 * src/distributions/base-distribution.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { addPath, announce, booleanInput, info, input, refuseReadOutputs, refuseUnimplementedInputs, runStandIn } from "../standin";

/** Whether version `v` (x.y.z) satisfies `spec`: `22`, `22.x`, `22.23`, `22.23.x` or `22.23.3`. */
export function matchesSpec(v: string, spec: string): boolean {
    const wanted = spec.replace(/^v/, "").split(".");
    const have = v.split(".");
    if (wanted.length === 0 || wanted.length > 3 || wanted.some((part, i) => !/^\d+$/.test(part) && !(part === "x" && i > 0))) {
        throw new Error(`node-version '${spec}' is not a version the stand-in understands (use 22, 22.x, 22.23 or 22.23.3); aliases such as lts/* need the internet.`);
    }
    return wanted.every((part, i) => part === "x" || part === have[i]);
}

function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/** The step: the harness's generated index.js calls this. */
export function run(): void {
    runStandIn("setup-node", async () => {
        announce("actions/setup-node", "puts the runner's cached Node.js for node-version first on PATH.", [
            "no Node.js is downloaded: a version the runner's tool cache lacks fails this step",
            "the npm cache is neither restored nor saved (cache: npm only makes npm ci faster; the Actions cache service needs GitHub)",
        ]);
        refuseUnimplementedInputs(["node-version", "architecture", "token", "cache", "package-manager-cache"], { "check-latest": ["false"] });
        refuseReadOutputs();
        const spec = input("node-version");
        if (!spec) {
            throw new Error("node-version is empty: the stand-in does not read node-version-file or fall back to the runner's own Node.js.");
        }
        const arch = input("architecture") || (process.arch === "arm64" ? "arm64" : "x64");
        const cacheRoot = path.join(process.env.RUNNER_TOOL_CACHE ?? "", "node");
        const cached = fs.existsSync(cacheRoot) ? fs.readdirSync(cacheRoot).filter((v) => /^\d+\.\d+\.\d+$/.test(v) && fs.existsSync(path.join(cacheRoot, v, `${arch}.complete`))) : [];
        const version = cached.filter((v) => matchesSpec(v, spec)).sort(compareVersions).pop();
        if (!version) {
            throw new Error(`Node.js ${spec} (${arch}) is not in the runner's tool cache (${cacheRoot} holds ${cached.join(", ") || "nothing"}); the stand-in downloads nothing.`);
        }
        const bin = path.join(cacheRoot, version, arch, "bin");
        info(`Found in cache @ ${path.dirname(bin)}`);
        addPath(bin);
        info(`node ${execFileSync(path.join(bin, "node"), ["--version"], { encoding: "utf8" }).trim()}`);
        const cache = input("cache");
        if (cache !== "" && !["npm", "yarn", "pnpm"].includes(cache)) {
            throw new Error(`Caching for '${cache}' is not supported`);
        }
        if (cache !== "") {
            info(`stand-in: cache: ${cache} was asked for; nothing restored (the real action restores the ${cache} cache from the Actions cache service and saves it after the job).`);
        } else if (booleanInput("package-manager-cache")) {
            info("stand-in: package-manager-cache is on; it caches only when package.json names npm as its packageManager, and nothing is cached here either way.");
        }
    });
}
