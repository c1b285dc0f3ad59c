/**
 * Stand-in for actions/github-script (test/workflows).
 *
 * Upstream (v8.0.0, action.yml, src/main.ts) runs the step's `script` as an async function with an
 * authenticated Octokit client (`github`) and the run's `context`; this repository's workflows use
 * it for one thing, the pull-request comment, which is nothing but calls to api.github.com.
 * A run here has no GitHub API, so the stand-in does NOT run the script, and says so in the log:
 * which GitHub API calls the script makes (`github.rest.<area>.<method>`, `github.paginate`), and
 * which files the step's environment hands it (the comment's body), so the log shows what would
 * have been posted. The step then succeeds: the comment is the only thing lost, and the log says
 * it was not posted. The script's own logic is tested without GitHub by test/pipelines/prCommentScript.test.ts.
 */
import * as fs from "fs";
import YAML from "yaml";
import { announce, info, input, refuseReadOutputs, refuseUnimplementedInputs, runStandIn, WORKFLOW_FILE_VAR } from "../standin";

/** The GitHub API calls a script makes, as written in it. */
export function githubCalls(script: string): string[] {
    const calls = [...script.matchAll(/\bgithub\.rest\.(\w+)\.(\w+)/g)].map((m) => `${m[1]}.${m[2]}`);
    if (/\bgithub\.(paginate|graphql|request)\b/.test(script)) {
        calls.push(...[...script.matchAll(/\bgithub\.(paginate|graphql|request)\b/g)].map((m) => m[1]));
    }
    return [...new Set(calls)];
}

/** The names in the running step's own `env:` (act names a step without an id by its index). */
function stepEnvNames(env: NodeJS.ProcessEnv): string[] {
    const file = env[WORKFLOW_FILE_VAR];
    if (!file || !fs.existsSync(file)) {
        return [];
    }
    const workflow = YAML.parse(fs.readFileSync(file, "utf8")) as { jobs?: Record<string, { steps?: Array<{ id?: string; env?: Record<string, unknown> }> }> };
    const steps = workflow.jobs?.[env.GITHUB_JOB ?? ""]?.steps ?? [];
    const id = env.GITHUB_ACTION ?? "";
    const step = steps.find((s) => s.id === id) ?? (/^\d+$/.test(id) ? steps[Number(id)] : undefined);
    return Object.keys(step?.env ?? {});
}

export function run(): void {
    runStandIn("github-script", async () => {
        announce("actions/github-script", "does NOT run the script: it needs GitHub's API, which a run here cannot reach.", ["no request reaches api.github.com; the step succeeds so that the job's other results stand"]);
        refuseUnimplementedInputs(["script", "github-token", "debug", "user-agent", "result-encoding", "retries", "retry-exempt-status-codes"]);
        refuseReadOutputs();
        const script = input("script");
        if (!script) {
            throw new Error("Input required and not supplied: script");
        }
        const calls = githubCalls(script);
        info(`stand-in: NOT RUN: the script would call api.github.com (${calls.join(", ") || "no GitHub API call found in its text"}), which needs the internet. Nothing was posted.`);
        for (const name of stepEnvNames(process.env)) {
            const value = process.env[name] ?? "";
            if (value.startsWith("/") && fs.existsSync(value) && fs.statSync(value).isFile()) {
                info(`stand-in: the file the step's ${name} names (${value}) holds what the script would have posted:`);
                info(fs.readFileSync(value, "utf8"));
            }
        }
    });
}
