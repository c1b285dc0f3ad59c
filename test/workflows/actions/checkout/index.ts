/**
 * Stand-in for actions/checkout (test/workflows): what the workflows rely on, and nothing else.
 *
 * Does: puts the repository's files at the run's commit (`GITHUB_SHA`, or the `ref` input) into
 * `$GITHUB_WORKSPACE/<path>`, cloned from the runner's local copy of the remote
 * (`WORKFLOW_CHECKOUT_REMOTE`, a git repository the test harness prepares), `fetch-depth` commits
 * deep, after emptying the folder when `clean` is true.
 * Does not: fetch from GitHub, use the token, or write any credential into `.git/config` (with
 * `persist-credentials: true` the real action would; the log says so); submodules, LFS, sparse
 * checkout and SSH keys are refused as unimplemented inputs.
 * Upstream behaviour read from actions/checkout at v7.0.1 (action.yml, src/input-helper.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { announce, booleanInput, info, input, refuseReadOutputs, refuseUnimplementedInputs, runStandIn } from "../standin";

/** The step: the harness's generated index.js calls this. */
export function run(): void {
    runStandIn("checkout", async () => {
        announce("actions/checkout", "clones this repository at the run's commit from the runner's local copy of the remote (WORKFLOW_CHECKOUT_REMOTE).", [
            "nothing is fetched from GitHub and the token is not used",
            "no credential is written to .git/config, whatever persist-credentials says",
        ]);
        refuseUnimplementedInputs(["repository", "ref", "token", "persist-credentials", "path", "clean", "fetch-depth"]);
        refuseReadOutputs();
        const env = process.env;
        const remote = env.WORKFLOW_CHECKOUT_REMOTE;
        if (!remote || !fs.existsSync(remote)) {
            throw new Error("WORKFLOW_CHECKOUT_REMOTE does not name a git repository: the harness (test/workflows/harness) sets it to its copy of the remote.");
        }
        const thisRepository = env.GITHUB_REPOSITORY ?? "";
        const repository = input("repository") || thisRepository;
        if (repository.toLowerCase() !== thisRepository.toLowerCase()) {
            throw new Error(`The stand-in checks out only this repository (${thisRepository}); the step asks for ${repository}.`);
        }
        const workspace = env.GITHUB_WORKSPACE ?? "";
        const target = path.resolve(workspace, input("path"));
        if (path.relative(workspace, target).startsWith("..")) {
            throw new Error(`Repository path '${input("path")}' is not under '${workspace}'`);
        }
        const ref = input("ref") || env.GITHUB_SHA || "";
        const depth = Number(input("fetch-depth"));
        if (!Number.isInteger(depth) || depth < 0) {
            throw new Error(`fetch-depth must be a whole number; got '${input("fetch-depth")}'`);
        }
        if (booleanInput("persist-credentials")) {
            info("stand-in: persist-credentials is true: the real action would keep the job's GITHUB_TOKEN in .git/config for later steps; nothing is stored here.");
        }

        fs.mkdirSync(target, { recursive: true });
        if (booleanInput("clean")) {
            for (const entry of fs.readdirSync(target)) {
                fs.rmSync(path.join(target, entry), { recursive: true, force: true });
            }
        }
        const git = (...args: string[]) => execFileSync("git", args, { cwd: target, stdio: ["ignore", "inherit", "inherit"] });
        git("-c", "init.defaultBranch=main", "init", "--quiet");
        git("fetch", "--quiet", "--no-tags", ...(depth > 0 ? [`--depth=${depth}`] : []), remote, ref);
        git("checkout", "--quiet", "--detach", "FETCH_HEAD");
        const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: target, encoding: "utf8" }).trim();
        info(`Checked out ${repository}@${commit} into ${target}`);
    });
}
