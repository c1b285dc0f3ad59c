/**
 * Runs the Pulumi CLI for a CI step: the binary `.ci/step install` verified and installed in this
 * job (never whatever `pulumi` the runner image has, which would otherwise run with the job's
 * credentials), with the prepared environment, its output shown live and kept.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Env, onRealRunner } from "./ciEnvironment";
import { readRecord } from "./stepRecords";

export interface PulumiRun {
    code: number;
    stdout: string;
    stderr: string;
}

export interface PulumiCli {
    /** The `pulumi` binary to run. */
    binary: string;
    /** Where it came from, for the log. */
    origin: string;
    run(args: string[], options?: { stdin?: string; quiet?: boolean }): Promise<PulumiRun>;
}

export class NoVerifiedCliError extends Error {}

/**
 * The CLI this job installed (its folder is in the install step's record). When this job's
 * install failed, nothing: no other pulumi stands in for it. Outside a real CI runner, with no
 * install step in this run at all (a workstation, the recovery crash tests), `pulumi` from PATH.
 */
export function pulumiCli(stack: string, projectDir: string, env: Env): PulumiCli {
    const install = readRecord(env, stack, "install");
    let binary: string;
    let origin: string;
    const installed = install?.outcome === "succeeded" && typeof install.facts.installDir === "string" ? path.join(install.facts.installDir, "pulumi") : undefined;
    if (installed !== undefined && fs.existsSync(installed)) {
        binary = installed;
        origin = `Pulumi CLI v${String(install?.facts.version)} installed and verified by .ci/step install`;
    } else if (install !== undefined) {
        // This job tried to install the CLI and failed: no other pulumi stands in for it, anywhere.
        throw new NoVerifiedCliError(
            installed !== undefined
                ? `The install step recorded ${installed}, which no longer exists.`
                : "The Pulumi CLI could not be installed in this job (see the install step), so no pulumi command runs with this job's credentials.",
        );
    } else if (onRealRunner(env)) {
        throw new NoVerifiedCliError("No `.ci/step install` ran in this job, so no pulumi command runs with this job's credentials: the runner's own pulumi is not verified.");
    } else {
        binary = "pulumi";
        origin = "pulumi from PATH (no .ci/step install in this run; allowed outside CI runners only)";
    }
    const childEnv: Env = { ...env };
    if (binary !== "pulumi") {
        // Its language host and plugins sit beside it.
        childEnv.PATH = `${path.dirname(binary)}${path.delimiter}${env.PATH ?? ""}`;
    }
    return {
        binary,
        origin,
        run: (args, options = {}) => runCommand(binary, args, projectDir, childEnv, options),
    };
}

/** Runs a command in `cwd`, echoing its output unless `quiet`, and resolves with what it printed. */
export function runCommand(command: string, args: string[], cwd: string, env: Env, options: { stdin?: string; quiet?: boolean } = {}): Promise<PulumiRun> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
            if (!options.quiet) process.stdout.write(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            if (!options.quiet) process.stderr.write(chunk);
        });
        child.on("error", (error) => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}\n` }));
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
        child.stdin.end(options.stdin ?? "");
    });
}
