/**
 * What every stand-in action (test/workflows/actions/<name>/) shares: talking to the runner the
 * way `@actions/core` does, saying in the run's log that it is a stand-in, refusing inputs it does
 * not implement, and leaving a record of its environment for the trust checks.
 *
 * The runner protocol, from actions/toolkit packages/core/src (core.ts, file-command.ts):
 * - an input `client-id` arrives as the variable `INPUT_CLIENT-ID` (spaces become `_`, upper case);
 * - outputs and exported variables are appended to the files `GITHUB_OUTPUT` and `GITHUB_ENV` as
 *   `name<<delimiter`, the value, `delimiter`; a PATH entry is a line in `GITHUB_PATH`;
 * - `::add-mask::value` makes the runner mask the value in every later log line;
 * - `getBooleanInput` accepts only the YAML 1.2 core schema's true/True/TRUE/false/False/FALSE.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The variable naming the folder where stand-ins and the runner's bash shim record environments. */
export const ENV_DUMPS_VAR = "WORKFLOW_TEST_ENV_DUMPS";
/** The variable naming the workflow file the run executes (act runs one file at a time here). */
export const WORKFLOW_FILE_VAR = "WORKFLOW_TEST_WORKFLOW_FILE";

export function inputVariable(name: string): string {
    return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

export function input(name: string, env: NodeJS.ProcessEnv = process.env): string {
    return (env[inputVariable(name)] ?? "").trim();
}

export function booleanInput(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
    const value = input(name, env);
    if (["true", "True", "TRUE"].includes(value)) {
        return true;
    }
    if (["false", "False", "FALSE"].includes(value)) {
        return false;
    }
    throw new Error(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\nSupport boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}

/** Lines of a multi-line input, as `getMultilineInput`: empty lines dropped, each trimmed. */
export function multilineInput(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
    return (env[inputVariable(name)] ?? "").split("\n").map((line) => line.trim()).filter((line) => line !== "");
}

/**
 * Fails when the step passes an input this stand-in does not implement (or implements only at
 * its default), naming each one, so that a workflow never relies on something only pretended.
 * `implemented` lists the inputs the stand-in honours; `inert` maps others to the one value it
 * accepts because at that value the real action does nothing the workflow could notice.
 */
export function refuseUnimplementedInputs(implemented: string[], inert: Record<string, string[]> = {}, env: NodeJS.ProcessEnv = process.env): void {
    const known = new Set(implemented.map(inputVariable));
    const problems: string[] = [];
    for (const [variable, value] of Object.entries(env)) {
        if (!variable.startsWith("INPUT_") || known.has(variable) || (value ?? "").trim() === "") {
            continue;
        }
        const name = Object.keys(inert).find((n) => inputVariable(n) === variable);
        if (name !== undefined && inert[name].includes((value ?? "").trim())) {
            continue;
        }
        problems.push(`input '${variable.slice("INPUT_".length).toLowerCase()}' = '${(value ?? "").trim()}' is not implemented by this stand-in`);
    }
    if (problems.length > 0) {
        throw new Error(`${problems.join("; ")}. Implement it in test/workflows/actions, or change the workflow.`);
    }
}

/**
 * Fails when the running workflow reads this step's outputs (`steps.<id>.outputs`): stand-ins set
 * none, so such a workflow would see empty values here where the real action gives some.
 */
export function refuseReadOutputs(env: NodeJS.ProcessEnv = process.env): void {
    const file = env[WORKFLOW_FILE_VAR];
    const id = env.GITHUB_ACTION ?? "";
    if (!file || !fs.existsSync(file) || !/^[A-Za-z_][\w-]*$/.test(id)) {
        return;
    }
    const reads = new RegExp(`steps\\.${id.replace(/-/g, "\\-")}\\.outputs\\b`);
    if (reads.test(fs.readFileSync(file, "utf8"))) {
        throw new Error(`The workflow reads steps.${id}.outputs, which this stand-in does not set. Implement the outputs in test/workflows/actions first.`);
    }
}

function appendFileCommand(variable: "GITHUB_OUTPUT" | "GITHUB_ENV", name: string, value: string): void {
    const file = process.env[variable];
    if (!file) {
        throw new Error(`${variable} is not set: not running under a GitHub Actions runner`);
    }
    const delimiter = `ghadelimiter_${crypto.randomUUID()}`;
    fs.appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

export function setOutput(name: string, value: string): void {
    appendFileCommand("GITHUB_OUTPUT", name, value);
}

/** Sets a variable for the job's later steps (and for this process). */
export function exportVariable(name: string, value: string): void {
    appendFileCommand("GITHUB_ENV", name, value);
    process.env[name] = value;
}

/** Puts `dir` first on PATH for the job's later steps (and for this process). */
export function addPath(dir: string): void {
    const file = process.env.GITHUB_PATH;
    if (!file) {
        throw new Error("GITHUB_PATH is not set: not running under a GitHub Actions runner");
    }
    fs.appendFileSync(file, `${dir}\n`);
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ""}`;
}

export function setSecret(value: string): void {
    if (value) {
        process.stdout.write(`::add-mask::${value}\n`);
    }
}

export function info(message: string): void {
    process.stdout.write(`${message}\n`);
}

export function warning(message: string): void {
    process.stdout.write(`::warning::${message}\n`);
}

/**
 * The first lines of every stand-in's log: which pinned action it replaces, what it does and
 * what it does not. `replaces` is the `uses:` owner/name; the ref is the one the step pinned.
 */
export function announce(replaces: string, does: string, doesNot: string[]): void {
    const ref = process.env.GITHUB_ACTION_REF ? `@${process.env.GITHUB_ACTION_REF}` : "";
    info(`stand-in: ${replaces}${ref} is replaced by a local stand-in (test/workflows/actions): ${does}`);
    for (const line of doesNot) {
        info(`stand-in: not done here: ${line}`);
    }
}

/**
 * Writes this process's environment into the folder `WORKFLOW_TEST_ENV_DUMPS` names, when set, so
 * that the tests can tell which step saw which credential (values stay on this machine, in the
 * test's own temporary folder, which the test removes).
 */
export function recordEnvironment(kind: string, env: NodeJS.ProcessEnv = process.env): void {
    const dir = env[ENV_DUMPS_VAR];
    if (!dir || !fs.existsSync(dir)) {
        return;
    }
    const file = path.join(dir, `${kind}--${process.pid}-${crypto.randomUUID()}.env`);
    const body = Object.entries(env).map(([k, v]) => `${k}=${v ?? ""}`).join("\0");
    fs.writeFileSync(file, body, { mode: 0o600 });
}

/** Runs a stand-in's main: records its environment, and fails the step with the error's message (never a stack trace). */
export function runStandIn(kind: string, main: () => Promise<void>): void {
    recordEnvironment(kind);
    main().catch((error: unknown) => {
        const lines = (error instanceof Error ? error.message : String(error)).split(/\r?\n/);
        process.stdout.write(`::error::${lines[0]}\n`);
        lines.slice(1).forEach((line) => info(line));
        process.exitCode = 1;
    });
}
