/**
 * Which stack the offline plan plans when no `--stack` is given: the one the Pulumi CLI would use,
 * read offline and cheaply, as Pulumi 3.276 resolves it (pkg/backend/state/stacks.go
 * getCurrentStackName, pkg/workspace/workspace.go, pkg/workspace/creds.go GetCurrentCloudURL):
 *
 * 1. `PULUMI_STACK`, which overrides any selection;
 * 2. what `pulumi stack select` stored for this project folder in
 *    `$PULUMI_HOME/workspaces/<project>-<sha1 of Pulumi.yaml's real path>-workspace.json`
 *    (PULUMI_HOME defaults to ~/.pulumi): `{"stacks": {"<backend URL>": "<org>/<project>/<stack>"}}`,
 *    picked for the current backend (`PULUMI_BACKEND_URL`, else Pulumi.yaml's `backend.url`, else
 *    `current` in `$PULUMI_HOME/credentials.json`), or the older `{"stack": "..."}` form;
 * 3. else `dev`, the example stack.
 *
 * A stack is named as the CLI accepts it: `dev`, `<org>/dev` or `<org>/<project>/dev`; the plan
 * reads `stacks/Pulumi.dev.yaml` for all three, and refuses another project's stack.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const DEFAULT_STACK = "dev";

/** Pulumi's stack (and organization, project) names: letters, digits, `-`, `_` and `.` (sdk/go/common/tokens). */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

export class StackChoiceError extends Error {}

export interface ChosenStack {
    /** The stack's own name: what its settings file is called after. */
    name: string;
    /** How it was chosen, for the plan's header; absent for `--stack`. */
    source?: string;
}

/**
 * The stack named by `reference` (`dev`, `acme/dev`, `acme/<project>/dev`) in `project`;
 * `given` says where the reference came from, for the error.
 */
export function stackInProject(reference: string, project: string, given: string): string {
    const parts = reference.split("/");
    const name = parts[parts.length - 1];
    if (parts.length > 3 || !parts.every((part) => STACK_NAME.test(part) && part !== "." && part !== "..")) {
        throw new StackChoiceError(
            `${given} "${reference}" is not a stack name: give the stack (dev), or <organization>/<project>/<stack> as ` +
                "pulumi stack ls shows it; a stack name has letters, digits, -, _ and . only.",
        );
    }
    if (parts.length === 3 && parts[1] !== project) {
        throw new StackChoiceError(
            `${given} "${reference}" is a stack of project ${parts[1]}, but this folder holds project ${project} (Pulumi.yaml): ` +
                `give --stack ${name}, or ${parts[0]}/${project}/${name}.`,
        );
    }
    return name;
}

/** The stack the CLI would use in the project at `root` when none is given on the command line. */
export function currentStack(root: string, project: string, env: NodeJS.ProcessEnv, backendUrlInProject?: string): ChosenStack {
    const fromEnv = env.PULUMI_STACK;
    if (fromEnv !== undefined && fromEnv !== "") {
        return { name: stackInProject(fromEnv, project, "PULUMI_STACK"), source: "PULUMI_STACK" };
    }
    const selected = selectedStack(root, project, env, backendUrlInProject);
    if (selected !== undefined) {
        return { name: stackInProject(selected, project, "The stack chosen with pulumi stack select,"), source: "pulumi stack select" };
    }
    return { name: DEFAULT_STACK };
}

/** What `pulumi stack select` stored for the project at `root`; undefined when nothing was. */
function selectedStack(root: string, project: string, env: NodeJS.ProcessEnv, backendUrlInProject?: string): string | undefined {
    const home = pulumiHome(env);
    const projectFile = path.join(root, "Pulumi.yaml");
    // The CLI hashes Pulumi.yaml's path with symlinks resolved, and reads the unresolved one's too.
    const candidates = [realPath(projectFile), projectFile].map((file) => path.join(home, "workspaces", `${project}-${sha1(file)}-workspace.json`));
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (file === undefined) {
        return undefined;
    }
    let settings: { stack?: unknown; stacks?: unknown };
    try {
        settings = JSON.parse(fs.readFileSync(file, "utf8")) as typeof settings;
    } catch (error) {
        throw new StackChoiceError(`${file} (where pulumi stack select keeps its choice) is not valid JSON (${(error as Error).message}); give --stack, or run pulumi stack select again.`);
    }
    const stacks = settings.stacks !== null && typeof settings.stacks === "object" ? (settings.stacks as Record<string, unknown>) : {};
    const entries = Object.entries(stacks).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "");
    if (entries.length === 0) {
        return typeof settings.stack === "string" && settings.stack !== "" ? settings.stack : undefined;
    }
    const backend = currentBackend(home, env, backendUrlInProject);
    const forBackend = entries.find(([url]) => url === backend);
    if (forBackend) {
        return forBackend[1];
    }
    if (backend === undefined && entries.length === 1) {
        return entries[0][1];
    }
    if (backend !== undefined) {
        // Selected for other backends only: the CLI would ask for a stack here too.
        return undefined;
    }
    throw new StackChoiceError(
        `pulumi stack select chose a stack for each of several backends (${entries.map(([url, stack]) => `${stack} on ${url}`).join(", ")}), ` +
            "and which backend you are logged in to cannot be told offline: give --stack.",
    );
}

/** The backend the CLI would use: PULUMI_BACKEND_URL, Pulumi.yaml's backend.url, then the last `pulumi login`. */
function currentBackend(home: string, env: NodeJS.ProcessEnv, backendUrlInProject?: string): string | undefined {
    if (env.PULUMI_BACKEND_URL) {
        return env.PULUMI_BACKEND_URL;
    }
    if (backendUrlInProject) {
        return backendUrlInProject;
    }
    try {
        const credentials = JSON.parse(fs.readFileSync(path.join(home, "credentials.json"), "utf8")) as { current?: unknown };
        return typeof credentials.current === "string" && credentials.current !== "" ? credentials.current : undefined;
    } catch {
        return undefined; // not logged in, or a credentials store the plan does not read
    }
}

function pulumiHome(env: NodeJS.ProcessEnv): string {
    return env.PULUMI_HOME || path.join(env.HOME || os.homedir(), ".pulumi");
}

function realPath(file: string): string {
    try {
        return fs.realpathSync(file);
    } catch {
        return file;
    }
}

function sha1(text: string): string {
    return createHash("sha1").update(text).digest("hex");
}
