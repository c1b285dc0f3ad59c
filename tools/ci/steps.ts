/**
 * The CI steps that run the Pulumi CLI: install, the policy preview, up, the expiry check and the
 * drift audit. Each returns its exit code and what the summary says about it; cli.ts records it.
 */
import * as fs from "fs";
import * as path from "path";
import { checkSecretExpiry } from "../expiry/secretExpiry";
import { annotation, Env } from "./ciEnvironment";
import { CiSettings } from "./ciSettings";
import { PulumiCli, runCommand } from "./pulumiCli";
import { recoverStack } from "./recover";
import { Mode, Outcome, outDir, readRecord, writeOutput } from "./stepRecords";

export interface StepContext {
    stack: string;
    mode: Mode | undefined;
    /** The folder `pulumi` runs in: Pulumi.yaml, stacks/, policy/. */
    projectDir: string;
    /** The repository the scripts come from (the same folder in CI). */
    repoDir: string;
    env: Env;
    settings: CiSettings;
    /** Resolved lazily: the install step runs before there is a CLI. */
    cli: () => PulumiCli;
    now: () => Date;
    log: (line: string) => void;
}

export interface StepResult {
    exitCode: number;
    outcome?: Outcome;
    lines: string[];
    facts?: Record<string, unknown>;
}

/** Every `pulumi preview` and `up` of CI judges the stack with the policy pack and the pack's own config. */
export const POLICY_ARGS = ["--policy-pack", "policy", "--policy-pack-config", "policy/config.json"];
const PLAIN_OUTPUT = ["--color", "never", "--suppress-progress"];
/** What `pulumi preview --expect-no-changes` prints when it found changes (pkg/cmd/pulumi/operations/preview.go). */
const CHANGES_PROPOSED = "no changes were expected but changes were proposed";

// ---------------------------------------------------------------------------------------------

export async function install(ctx: StepContext): Promise<StepResult> {
    // The first step of every job: nothing recorded before it belongs to this job.
    fs.rmSync(outDir(ctx.env, ctx.stack), { recursive: true, force: true });
    const version = sdkVersion(ctx.projectDir);
    if (!version.ok) {
        return { exitCode: 1, lines: [version.problem] };
    }
    const pinRequired = ctx.mode !== "preview";
    const env: Env = { ...ctx.env };
    if (pinRequired) {
        env.PULUMI_REQUIRE_PIN = "1";
    } else {
        delete env.PULUMI_REQUIRE_PIN;
    }
    const installDir = env.PULUMI_INSTALL_DIR || path.join(env.HOME ?? "", ".pulumi", "bin");
    env.PULUMI_INSTALL_DIR = installDir;
    const run = await runCommand("bash", [path.join(ctx.repoDir, ".ci", "install-pulumi-cli.sh"), version.value], ctx.projectDir, env);
    const output = run.stdout + run.stderr;
    const sha256 = /\(sha256 ([0-9a-f]{64})\)/.exec(run.stdout)?.[1];
    const unpinned = /No pinned checksum/.test(output);
    if (run.code !== 0) {
        const lines = [`could not install Pulumi CLI v${version.value}`];
        if (unpinned && pinRequired) {
            lines.push(`${".ci/pulumi-cli.sha256"} pins no checksum for v${version.value}, and this job holds deploy credentials. Pin it on a trusted machine: \`npm run pin-pulumi-cli -- ${version.value}\`, commit the line in its own pull request, and run this job again.`);
        } else {
            lines.push(`The installer said: ${lastLines(run.stderr, 2)}`);
        }
        return { exitCode: run.code, lines, facts: { version: version.value, pinRequired } };
    }
    if (ctx.env.TF_BUILD) {
        // Azure Pipelines' later conditions ask for this (GitHub reads the step's outcome instead).
        ctx.log("##vso[task.setvariable variable=pulumiCliVerified]true");
    }
    return {
        exitCode: 0,
        lines: [`v${version.value}${unpinned ? " (no pin: checked against the release's checksums file only)" : ", checksum pinned"}`],
        facts: { version: version.value, installDir, sha256, pinned: !unpinned, pinRequired },
    };
}

/** The CLI version CI installs: @pulumi/pulumi's in package.json, the one home of that version. */
export function sdkVersion(projectDir: string): { ok: true; value: string } | { ok: false; problem: string } {
    const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    const version = manifest.dependencies?.["@pulumi/pulumi"] ?? "";
    if (!/^\d+\.\d+\.\d+$/.test(version)) {
        return { ok: false, problem: `package.json's @pulumi/pulumi is "${version}", not an exact version: CI installs the CLI of exactly the SDK's version.` };
    }
    return { ok: true, value: version };
}

// ---------------------------------------------------------------------------------------------

export async function recover(ctx: StepContext): Promise<StepResult> {
    const report = await recoverStack({ cli: ctx.cli(), stack: ctx.stack, project: projectName(ctx.projectDir), backendUrl: ctx.env.PULUMI_BACKEND_URL ?? "", env: ctx.env });
    for (const warning of report.warnings) {
        ctx.log(annotation("warning", warning, ctx.env));
    }
    for (const line of [...report.lines, ...report.problems]) {
        ctx.log(line);
    }
    const facts = { stackExists: report.stackExists, locks: report.locksFound, locksUnknown: report.locksUnknown, locksRemoved: report.locksRemoved, pendingCleared: report.pendingCleared };
    if (report.problems.length > 0) {
        return { exitCode: 1, lines: ["stopped", ...report.problems], facts };
    }
    const found = report.locksRemoved || report.pendingCleared.length > 0;
    return { exitCode: 0, lines: [found ? "recovered a killed run" : "nothing to recover", ...(found ? report.lines : [])], facts };
}

// ---------------------------------------------------------------------------------------------

export async function preview(ctx: StepContext): Promise<StepResult> {
    const cli = ctx.cli();
    const exists = await stackExists(cli, ctx.stack);
    if (!exists.ok) {
        return { exitCode: 1, lines: [`could not read the stack: ${exists.problem}`] };
    }
    const lines: string[] = [];
    if (!exists.value) {
        if (ctx.mode !== "deploy") {
            return { exitCode: 1, lines: [`stack ${ctx.stack} does not exist in ${ctx.env.PULUMI_BACKEND_URL} yet: the first deploy from main creates it.`] };
        }
        const created = await cli.run(["stack", "init", ctx.stack, "--secrets-provider", ctx.settings.secretsProvider]);
        if (created.code !== 0) {
            return { exitCode: created.code, lines: [`could not create stack ${ctx.stack}: ${lastLines(created.stderr, 1)}`] };
        }
        lines.push(`First deploy: created stack ${ctx.stack}, its secrets encrypted by ${ctx.settings.secretsProvider}.`);
    }
    const run = await cli.run(["preview", "--stack", ctx.stack, "--diff", ...POLICY_ARGS, ...PLAIN_OUTPUT]);
    writeOutput(ctx.env, ctx.stack, "preview.txt", run.stdout + (run.stderr ? `\n${run.stderr}` : ""));
    if (run.code !== 0) {
        const policy = /mandatory/i.test(run.stdout + run.stderr);
        return { exitCode: run.code, lines: [policy ? "a mandatory policy failed: see the output" : "failed: see the output", ...errorLines(run), ...lines] };
    }
    return { exitCode: 0, lines: [`every policy passed; ${changes(run.stdout)}`, ...lines] };
}

export async function up(ctx: StepContext): Promise<StepResult> {
    const previewed = readRecord(ctx.env, ctx.stack, "preview");
    if (previewed?.outcome !== "succeeded") {
        return {
            exitCode: 1,
            outcome: "refused",
            lines: ["not run: `pulumi up` runs only after this job's policy preview (`.ci/step preview`) passed"],
        };
    }
    // No --skip-preview: the CLI previews again right before it applies, so a stack policy is
    // judged on exactly what is applied, even when the schedule moved on since the step above.
    const run = await ctx.cli().run(["up", "--stack", ctx.stack, "--yes", "--diff", ...POLICY_ARGS, ...PLAIN_OUTPUT]);
    if (run.code !== 0) {
        return { exitCode: run.code, lines: ["failed", ...errorLines(run)] };
    }
    return { exitCode: 0, lines: [changes(run.stdout, true)] };
}

// ---------------------------------------------------------------------------------------------

export async function expiry(ctx: StepContext): Promise<StepResult> {
    const days = ctx.settings.expiryWarningDays;
    const outputs = await ctx.cli().run(["stack", "output", "--stack", ctx.stack, "--json"], { quiet: true });
    if (outputs.code !== 0) {
        return { exitCode: 2, lines: [`could not read the stack's outputs: ${lastLines(outputs.stderr, 1)}`] };
    }
    const verdict = checkSecretExpiry(outputs.stdout, ctx.now(), days);
    ctx.log(verdict.message);
    const expiresAt = (() => {
        try {
            return (JSON.parse(outputs.stdout) as { clientSecretExpiresAt?: string }).clientSecretExpiresAt;
        } catch {
            return undefined;
        }
    })();
    if (verdict.status === "fresh") {
        return { exitCode: 0, lines: [`dbt Cloud's secret expires ${expiresAt}, more than ${days} days away`], facts: { expiresAt, status: verdict.status } };
    }
    if (verdict.status !== "invalid") {
        ctx.log(annotation("error", verdict.message, ctx.env));
    }
    return { exitCode: verdict.status === "invalid" ? 2 : 1, lines: [verdict.status, verdict.message], facts: { expiresAt, status: verdict.status } };
}

// ---------------------------------------------------------------------------------------------

/** `pulumi stack export | node dist/tools/audit/cli.js`: 0 the app matches, 1 drift (summary on stdout), 2 bad input. */
export const AUDIT_CLI = path.join("dist", "tools", "audit", "cli.js");

export async function drift(ctx: StepContext): Promise<StepResult> {
    const cli = ctx.cli();
    const lines: string[] = [];
    let drifted = false;
    let failed = false;

    // 1. What Pulumi sees: refresh every resource from its provider, then diff the program against it.
    const refreshed = await cli.run(["preview", "--stack", ctx.stack, "--refresh", "--expect-no-changes", "--diff", ...POLICY_ARGS, ...PLAIN_OUTPUT]);
    writeOutput(ctx.env, ctx.stack, "preview.txt", refreshed.stdout + (refreshed.stderr ? `\n${refreshed.stderr}` : ""));
    if (refreshed.code === 0) {
        lines.push("`pulumi preview --refresh`: the clouds match the program.");
    } else if ((refreshed.stdout + refreshed.stderr).includes(CHANGES_PROPOSED)) {
        drifted = true;
        lines.push(`\`pulumi preview --refresh\` found drift: ${changes(refreshed.stdout)}. Someone changed what the program declares outside it (the output below shows what). The next deploy or rotation puts it back; if the change was wanted, make it in the program instead.`);
    } else {
        failed = true;
        lines.push(`\`pulumi preview --refresh\` failed: ${errorLines(refreshed).join(" ") || "see the log"}`);
    }

    // 2. What only Microsoft Graph shows: credentials, owners, assignments, the property lock.
    const audit = path.join(ctx.repoDir, AUDIT_CLI);
    if (!fs.existsSync(audit)) {
        failed = true;
        lines.push(fs.existsSync(path.join(ctx.repoDir, "tools", "audit", "cli.ts"))
            ? `The Graph audit is not built (${AUDIT_CLI}): run \`.ci/step setup\` first.`
            : "The Graph audit of the app (tools/audit) is not in this checkout, so only the refresh above ran: credentials, owners and app-role assignments added in the portal were not checked.");
    } else {
        const state = await cli.run(["stack", "export", "--stack", ctx.stack], { quiet: true });
        if (state.code !== 0) {
            failed = true;
            lines.push(`Graph audit not run: pulumi stack export failed: ${lastLines(state.stderr, 1)}`);
        } else {
            const audited = await runCommand(process.execPath, [audit], ctx.projectDir, ctx.env, { stdin: state.stdout });
            if (audited.code === 0) {
                lines.push("Graph audit: the app matches what is declared.");
            } else if (audited.code === 1) {
                drifted = true;
                lines.push(`Graph audit found drift: ${audited.stdout.trim().split("\n").slice(0, 12).join(" / ")}`);
            } else {
                failed = true;
                lines.push(`Graph audit failed (exit ${audited.code}): ${lastLines(audited.stderr || audited.stdout, 2)}`);
            }
        }
    }
    const head = failed ? "failed" : drifted ? "drift found" : "no drift";
    if (drifted) {
        ctx.log(annotation("error", `Drift on stack ${ctx.stack}: ${lines.filter((l) => /drift/.test(l)).join(" ")}`, ctx.env));
    }
    return { exitCode: failed || drifted ? 1 : 0, lines: [head, ...lines], facts: { drifted, failed } };
}

// ---------------------------------------------------------------------------------------------

async function stackExists(cli: PulumiCli, stack: string): Promise<{ ok: true; value: boolean } | { ok: false; problem: string }> {
    const listed = await cli.run(["stack", "ls", "--json"], { quiet: true });
    if (listed.code !== 0) {
        return { ok: false, problem: lastLines(listed.stderr, 1) };
    }
    try {
        const stacks = JSON.parse(listed.stdout) as Array<{ name?: string }>;
        return { ok: true, value: stacks.some((s) => s.name === stack || s.name?.endsWith(`/${stack}`)) };
    } catch {
        return { ok: false, problem: "pulumi stack ls --json printed something that is not JSON" };
    }
}

function projectName(projectDir: string): string {
    const match = /^name:\s*(\S+)\s*$/m.exec(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
    return match?.[1] ?? "";
}

/** "1 to update, 14 unchanged" from the Resources block a preview or up prints. */
function changes(stdout: string, applied = false): string {
    const block = /\nResources:\n((?: {4}.*\n?)+)/.exec(stdout)?.[1] ?? "";
    const items = block.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => l.replace(/^[+~\-±]+\s*|^\+-\s*/, ""));
    if (items.length === 0) {
        return applied ? "applied" : "no resource summary printed";
    }
    return items.join(", ");
}

function errorLines(run: { stdout: string; stderr: string }): string[] {
    const found = `${run.stdout}\n${run.stderr}`.split("\n").map((l) => l.trim()).filter((l) => /^error:/.test(l));
    return [...new Set(found)].slice(0, 5);
}

function lastLines(text: string, count: number): string {
    return text.trim().split("\n").filter(Boolean).slice(-count).join(" ") || "(no output)";
}
