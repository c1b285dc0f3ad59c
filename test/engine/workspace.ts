/**
 * A throw-away Pulumi workspace for the engine tests: the real CLI built by `npm run engine`, a
 * file backend and a PULUMI_HOME of its own, a passphrase secrets provider, the fake `azuread`
 * plugin installed where the engine looks for azuread 6.9.1, and this repository's program as a
 * user has it (every top-level entry linked, except `Pulumi.yaml` and `stacks/`, which are the
 * workspace's own so that tests can write stack files and `pulumi config set` freely).
 *
 * The program's clock can be moved: every `node` the engine starts goes through a shim that, when
 * a run asks for it, preloads libfaketime (Debian `faketime`). The engine itself is Go and keeps
 * real time (Go does not read the clock through libc), which is what a real scheduled run sees.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../tools/projectRoot";

import { installFakeAzuread } from "./fakeAzuread/install";
import { createTenantFile, NewTenantOptions, readTenant, Tenant, TENANT_FILE_ENV, updateTenant } from "./fakeAzuread/tenant";

const ROOT = projectRoot();

export const PASSPHRASE = "engine-tests-passphrase";
const AZUREAD_VERSION = "6.9.1";

/** Where libfaketime may be; Debian's `faketime` package installs the first. */
const LIBFAKETIME = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1"];

export function libfaketime(): string | undefined {
    return LIBFAKETIME.find((file) => fs.existsSync(file));
}

/**
 * The folder holding `pulumi` and its language host: PULUMI_ENGINE_BIN, else what
 * `npm run engine` built. Undefined when neither exists.
 */
export function engineBin(): string | undefined {
    const fromEnv = process.env.PULUMI_ENGINE_BIN;
    if (fromEnv) {
        return fs.existsSync(path.join(fromEnv, "pulumi")) ? fromEnv : undefined;
    }
    const engines = path.join(ROOT, ".engine");
    if (!fs.existsSync(engines)) {
        return undefined;
    }
    const built = fs.readdirSync(engines).map((d) => path.join(engines, d, "bin")).filter((d) => fs.existsSync(path.join(d, "pulumi")) && fs.existsSync(path.join(d, "pulumi-language-nodejs")));
    return built.sort().pop();
}

/** Skips the suite with a reason outside CI; in CI a missing engine or libfaketime is a failure. */
export function requireEngine(context: Mocha.Context, needsFaketime = false): string {
    const bin = engineBin();
    skipOrFailWhenMissing(context, "Engine tests",
        !bin ? "no Pulumi engine: run `npm run engine` (needs Go), or set PULUMI_ENGINE_BIN to a folder holding pulumi and pulumi-language-nodejs"
            : needsFaketime && !libfaketime() ? "no libfaketime: `apt-get install faketime` (Debian) to move the program's clock"
                : undefined);
    return bin!;
}

/** When something a suite needs is `missing`: outside CI the suite is skipped, saying why; in CI (CI set) it fails. */
export function skipOrFailWhenMissing(context: Mocha.Context, suites: string, missing: string | undefined): void {
    if (missing) {
        if (process.env.CI) {
            throw new Error(`${suites} cannot run: ${missing}.`);
        }
        console.log(`      skipped: ${missing}`);
        context.skip();
    }
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** A command started by `EngineWorkspace.start`. */
export interface RunningCommand {
    /** Settles when the command ends; after `kill()` it resolves (exit code 137) instead of rejecting. */
    result: Promise<RunResult>;
    /** What it printed so far. */
    output(): { stdout: string; stderr: string };
    /** SIGKILL to the command and every process it started; resolves once they are gone. */
    kill(): Promise<RunResult>;
}

export interface RunOptions {
    /** Run the program (and the providers) as if the clock read this instant. */
    at?: Date;
    env?: Record<string, string>;
    /** Expect a non-zero exit instead of failing. */
    allowFailure?: boolean;
    /** Kill the command (and everything it started) after this long; default 5 minutes. */
    timeoutMs?: number;
    stdin?: string;
}

export class EngineWorkspace {
    public readonly projectDir: string;
    public readonly tenantFile: string;
    private readonly env: NodeJS.ProcessEnv;
    private readonly running = new Set<ChildProcess>();

    private constructor(public readonly root: string, public readonly bin: string, env: Record<string, string>) {
        this.projectDir = path.join(root, "project");
        this.tenantFile = path.join(root, "tenant.json");
        this.env = { ...process.env, ...env };
    }

    /**
     * A workspace with `stack` initialised from `stackFile` (a Pulumi.<stack>.yaml body, or the
     * repository's stacks/Pulumi.<stack>.yaml when omitted) and a fresh fake tenant.
     */
    public static async create(options: {
        bin: string;
        stack: string;
        stackFile?: string;
        tenant?: NewTenantOptions;
        env?: Record<string, string>;
        /** The program to run: this repository (default), or another tree of it (an older commit). */
        programRoot?: string;
    }): Promise<EngineWorkspace> {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-ado-engine-"));
        const shims = path.join(root, "shims");
        const home = path.join(root, "home");
        const backend = path.join(root, "backend");
        for (const dir of [shims, home, backend]) {
            fs.mkdirSync(dir);
        }
        const node = path.join(shims, "node");
        fs.writeFileSync(node, nodeShim(process.execPath), { mode: 0o755 });

        const env: Record<string, string> = {
            PATH: `${options.bin}${path.delimiter}${shims}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_HOME: home,
            PULUMI_BACKEND_URL: `file://${backend}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            NO_COLOR: "1",
            ...options.env,
        };
        const workspace = new EngineWorkspace(root, options.bin, env);
        try {
            workspace.env[TENANT_FILE_ENV] = workspace.tenantFile;
            createTenantFile(workspace.tenantFile, options.tenant);
            installFakeAzuread(home, AZUREAD_VERSION, { node, tenantFile: workspace.tenantFile });
            workspace.useProgram(options.programRoot ?? ROOT);

            await workspace.pulumi(["stack", "init", options.stack]);
            const stackFile = options.stackFile ?? fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${options.stack}.yaml`), "utf8");
            // `stack init` wrote the passphrase salt into the stack file: keep it, add the config.
            const file = workspace.stackFile(options.stack);
            const salt = fs.readFileSync(file, "utf8").split("\n").filter((line) => line.startsWith("encryptionsalt:"));
            fs.writeFileSync(file, `${salt.join("\n")}\n${stackFile}`);
        } catch (error) {
            workspace.dispose();
            throw error;
        }
        return workspace;
    }

    /** The stack settings file, where the project's `stackConfigDir` (if any) puts it. */
    public stackFile(stack: string): string {
        const project = fs.readFileSync(path.join(this.projectDir, "Pulumi.yaml"), "utf8");
        const dir = /^stackConfigDir:\s*(\S+)\s*$/m.exec(project)?.[1] ?? ".";
        return path.join(this.projectDir, dir, `Pulumi.${stack}.yaml`);
    }

    /** Runs the Pulumi CLI in the project; rejects on a non-zero exit unless allowed. */
    public async pulumi(args: string[], options: RunOptions = {}): Promise<RunResult> {
        return this.run(path.join(this.bin, "pulumi"), [...args, "--non-interactive"], options);
    }

    /** Runs any command in the project directory with the workspace's environment. */
    public async run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
        return this.start(command, args, options).result;
    }

    /**
     * Starts `pulumi` like `pulumi()` does, without waiting: `kill()` sends SIGKILL to the CLI and
     * every process it started (its own process group), as a runner that loses its machine would.
     */
    public startPulumi(args: string[], options: RunOptions = {}): RunningCommand {
        return this.start(path.join(this.bin, "pulumi"), [...args, "--non-interactive"], options);
    }

    /** Starts any command like `run()` does; `result` settles as `run()` would, `kill()` ends its whole process group. */
    public start(command: string, args: string[], options: RunOptions = {}): RunningCommand {
        const env: NodeJS.ProcessEnv = { ...this.env, ...options.env, ...(options.at ? faketimeEnv(options.at) : {}) };
        // Its own process group, so a timeout or dispose() ends the engine and every plugin it started.
        const child = spawn(command, args, { cwd: this.projectDir, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
        this.running.add(child);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.stdin.end(options.stdin ?? "");
        const timeoutMs = options.timeoutMs ?? 5 * 60_000;
        let timedOut = false;
        let killed = false;
        const timer = setTimeout(() => {
            timedOut = true;
            killGroup(child);
        }, timeoutMs);
        const result = new Promise<number>((resolve, reject) => {
            child.on("error", reject);
            // A SIGKILLed child reports no status: 137, as a shell would.
            child.on("close", (status, signal) => resolve(status ?? (signal === "SIGKILL" ? 137 : 1)));
        }).finally(() => {
            clearTimeout(timer);
            this.running.delete(child);
        }).then((code) => {
            if (timedOut) {
                throw new Error(`${path.basename(command)} ${args.join(" ")} did not finish in ${timeoutMs / 1000} s and was killed\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-2000)}`);
            }
            if (code !== 0 && !options.allowFailure && !killed) {
                throw new Error(`${path.basename(command)} ${args.join(" ")} exited ${code}\n--- stdout\n${stdout.slice(-6000)}\n--- stderr\n${stderr.slice(-4000)}`);
            }
            return { code, stdout, stderr };
        });
        return {
            result,
            output: () => ({ stdout, stderr }),
            kill: () => {
                killed = true;
                killGroup(child);
                return result;
            },
        };
    }

    /** Adds variables to every later command's environment (e.g. a fake started once the tenant file exists). */
    public addEnv(vars: Record<string, string>): void {
        Object.assign(this.env, vars);
    }

    public tenant(): Tenant {
        return readTenant(this.tenantFile);
    }

    public updateTenant<T>(fn: (tenant: Tenant) => T): T {
        return updateTenant(this.tenantFile, fn);
    }

    /** Every file under the workspace's backend and PULUMI_HOME, concatenated (for leak checks). */
    public backendText(): string {
        return readTree(path.join(this.root, "backend")) + readTree(path.join(this.root, "home"));
    }

    /** Ends anything still running and removes the workspace, tenant file and state included. */
    public dispose(): void {
        for (const child of this.running) {
            killGroup(child);
        }
        fs.rmSync(this.root, { recursive: true, force: true });
    }

    /**
     * Lays `programRoot`'s program into the project (every top-level entry linked, `Pulumi.yaml`
     * copied), keeping the stack files, which move to where the new `Pulumi.yaml` wants them. The
     * backend and PULUMI_HOME stay: this is how a test runs a newer program over older state.
     */
    public useProgram(programRoot: string): void {
        const stackFiles = new Map<string, string>();
        if (fs.existsSync(path.join(this.projectDir, "Pulumi.yaml"))) {
            for (const dir of [this.projectDir, path.join(this.projectDir, "stacks")]) {
                for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
                    const m = /^Pulumi\.(.+)\.yaml$/.exec(entry);
                    if (m && fs.lstatSync(path.join(dir, entry)).isFile()) {
                        stackFiles.set(m[1], fs.readFileSync(path.join(dir, entry), "utf8"));
                    }
                }
            }
            fs.rmSync(this.projectDir, { recursive: true, force: true });
        }
        fs.mkdirSync(this.projectDir, { recursive: true });
        fs.copyFileSync(path.join(programRoot, "Pulumi.yaml"), path.join(this.projectDir, "Pulumi.yaml"));
        const configDir = path.dirname(path.relative(this.projectDir, this.stackFile("any")));
        const own = new Set(["Pulumi.yaml", configDir, ".git", ".engine", "dist"]);
        for (const entry of fs.readdirSync(programRoot)) {
            if (!own.has(entry) && !/^Pulumi\..+\.yaml$/.test(entry)) {
                fs.symlinkSync(path.join(programRoot, entry), path.join(this.projectDir, entry));
            }
        }
        fs.mkdirSync(path.join(this.projectDir, configDir), { recursive: true });
        for (const [stack, text] of stackFiles) {
            fs.writeFileSync(this.stackFile(stack), text);
        }
    }
}

/** What makes `nodeShim`'s node run as if the clock read `at` (its clock then advances normally). */
export function faketimeEnv(at: Date): Record<string, string> {
    return { ENGINE_TEST_FAKETIME: `@${at.toISOString().replace("T", " ").replace(/\.\d+Z$/, "")}`, ENGINE_TEST_LIBFAKETIME: libfaketime() ?? "" };
}

/** `node` as the engine starts it, with libfaketime preloaded only when a run asks for it. */
export function nodeShim(realNode: string): string {
    return [
        "#!/bin/sh",
        "# Engine-test shim (test/engine/workspace.ts): moves the Node program's clock when asked.",
        'if [ -n "$ENGINE_TEST_FAKETIME" ] && [ -n "$ENGINE_TEST_LIBFAKETIME" ]; then',
        '  LD_PRELOAD="$ENGINE_TEST_LIBFAKETIME" FAKETIME="$ENGINE_TEST_FAKETIME" FAKETIME_DONT_FAKE_MONOTONIC=1 \\',
        `    exec '${realNode}' "$@"`,
        "fi",
        `exec '${realNode}' "$@"`,
        "",
    ].join("\n");
}

/**
 * SIGKILL to everything the command started. Its process group is not enough: the Pulumi CLI
 * starts each plugin (language host, providers, analyzers) in a process group of its own
 * (`Setpgid`), so a group kill leaves them running. They all stay in the command's session
 * (`detached: true` made the command a session leader), so every process of that session is
 * killed, found in /proc, until none is left.
 */
function killGroup(child: ChildProcess): void {
    const session = child.pid!;
    try {
        process.kill(-session, "SIGKILL");
    } catch {
        // already gone
    }
    for (let round = 0; round < 5; round++) {
        const members = sessionMembers(session);
        if (members.length === 0) {
            return;
        }
        for (const pid of members) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
    }
}

/** Live processes in session `sid` (none where /proc is missing). */
function sessionMembers(sid: number): number[] {
    let entries: string[];
    try {
        entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
    } catch {
        return [];
    }
    const members: number[] = [];
    for (const entry of entries) {
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses.
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (Number(fields[3]) === sid && fields[0] !== "Z") {
                members.push(Number(entry));
            }
        } catch {
            // the process ended while being read
        }
    }
    return members;
}

function readTree(dir: string): string {
    let text = "";
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        text += entry.isDirectory() ? readTree(file) : `\n${file}\n${fs.readFileSync(file, "utf8")}`;
    }
    return text;
}
