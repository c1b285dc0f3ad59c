/**
 * Stand-in for pulumi/actions (test/workflows): what the workflows rely on, and nothing else.
 *
 * Does, as upstream v7.0.0 does (src/main.ts, src/config.ts, src/login.ts, src/libs/pulumi-cli.ts):
 * checks that the `pulumi` on PATH reports exactly `pulumi-version` (upstream then downloads
 * nothing), runs `pulumi --non-interactive --cwd <work-dir> login <cloud-url>` (a failure is a
 * warning), selects the stack (creating it with `secrets-provider` when `upsert` is true and it
 * does not exist), and runs the command through @pulumi/pulumi's Automation API with the inputs
 * the workflows pass (`diff`, `refresh`, `expect-no-changes`, `policyPacks`,
 * `policyPackConfigs`): so `up` runs `pulumi up --yes --skip-preview`, exactly as upstream.
 * The Automation API is this repository's @pulumi/pulumi (upstream bundles its own 3.x).
 * Does not: download a CLI (a missing or different version fails the step, saying so), log in
 * to Pulumi Cloud, post or edit the pull-request comment (`comment-on-pr`: that needs
 * api.github.com; the log says what would have been posted where), or set step outputs (upstream
 * sets `output` and every stack output; the step fails if the workflow reads one).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { announce, booleanInput, info, input, multilineInput, refuseReadOutputs, refuseUnimplementedInputs, runStandIn, warning } from "../standin";

const COMMANDS = ["up", "update", "refresh", "destroy", "preview", "output"] as const;
type Command = (typeof COMMANDS)[number];

/** `a;b` and one-per-line both give several values, as upstream's parseSemicolorToArray. */
function listInput(name: string): string[] {
    return multilineInput(name).flatMap((line) => line.split(";")).map((v) => v.trim()).filter((v) => v !== "");
}

function installedPulumiVersion(): string | undefined {
    try {
        const out = execFileSync("pulumi", ["version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        return out.startsWith("v") ? out.slice(1) : undefined;
    } catch {
        return undefined;
    }
}

export function run(): void {
    runStandIn("pulumi-actions", async () => {
        announce("pulumi/actions", "runs the Pulumi command through the Automation API with the CLI already on PATH, as upstream does when the versions match.", [
            "no CLI is downloaded and Pulumi Cloud is never contacted",
            "no pull-request comment is posted or edited (that needs api.github.com); the log says so when comment-on-pr asks for one",
            "no step outputs are set",
        ]);
        refuseUnimplementedInputs(
            ["command", "stack-name", "pulumi-version", "work-dir", "comment-on-pr", "github-token", "cloud-url", "secrets-provider", "expect-no-changes", "diff", "policyPacks", "policyPackConfigs", "refresh", "upsert", "edit-pr-comment", "color"],
            Object.fromEntries(["comment-on-summary", "remove", "exclude-protected", "suppress-outputs", "suppress-progress", "always-include-summary", "continue-on-error", "log-flow", "debug", "target-dependents", "exclude-dependents"].map((name) => [name, ["false"]])),
        );
        refuseReadOutputs();
        const command = input("command") as Command;
        if (!COMMANDS.includes(command)) {
            throw new Error(`command must be one of ${COMMANDS.join(", ")}; got '${input("command")}'`);
        }
        const stackName = input("stack-name");
        if (!stackName) {
            throw new Error("Input required and not supplied: stack-name");
        }
        const range = input("pulumi-version");
        if (!/^\d+\.\d+\.\d+$/.test(range)) {
            throw new Error(`pulumi-version '${range}': the stand-in compares exact versions (x.y.z) only.`);
        }
        const installed = installedPulumiVersion();
        if (installed !== range) {
            throw new Error(`Pulumi ${range} is not on PATH (found ${installed ? `v${installed}` : "none"}): the real action would now download it from get.pulumi.com, checking no checksum; the stand-in downloads nothing.`);
        }
        info(`Pulumi version ${installed} is already installed on this machine. Skipping download`);

        const workDir = path.resolve(process.env.GITHUB_WORKSPACE ?? "", input("work-dir"));
        const cloudUrl = input("cloud-url");
        if (!cloudUrl) {
            throw new Error("cloud-url is empty: the real action would log in to Pulumi Cloud, which needs the internet and a PULUMI_ACCESS_TOKEN.");
        }
        info(`Logging into ${cloudUrl}`);
        try {
            execFileSync("pulumi", ["--non-interactive", "--cwd", workDir, "login", cloudUrl], { stdio: ["ignore", "inherit", "pipe"] });
        } catch (error) {
            warning(`Failed to login to Pulumi service: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
        }
        const secretsProvider = input("secrets-provider");
        const opts = secretsProvider ? { secretsProvider } : {};
        if (command === "output") {
            throw new Error("command output is not implemented by the stand-in.");
        }
        const args = { stackName, workDir };
        const stack: Stack = booleanInput("upsert") ? await LocalWorkspace.createOrSelectStack(args, opts) : await LocalWorkspace.selectStack(args, opts);

        const onOutput = (msg: string) => process.stdout.write(msg);
        const options = {
            onOutput,
            expectNoChanges: booleanInput("expect-no-changes"),
            diff: booleanInput("diff"),
            refresh: booleanInput("refresh"),
            policyPacks: listInput("policyPacks"),
            policyPackConfigs: listInput("policyPackConfigs"),
            color: input("color") as "always" | "never" | "raw" | "auto",
            userAgent: "pulumi/actions@v6",
        };
        info(`pulumi ${command} on ${stackName}`);
        const runCommand = async (): Promise<{ stderr: string }> => {
            switch (command) {
                case "up":
                case "update":
                    return stack.up(options);
                case "refresh":
                    return stack.refresh(options);
                case "destroy":
                    return stack.destroy(options);
                case "preview": {
                    const { onOutput: _streamed, ...previewOptions } = options;
                    const result = await stack.preview(previewOptions);
                    onOutput(`${result.stdout}\n${result.stderr}\n`);
                    return result;
                }
            }
        };
        const { stderr } = await runCommand();
        if (stderr !== "") {
            warning(stderr.trim().split("\n")[0]);
        }
        const event = JSON.parse(fs.readFileSync(process.env.GITHUB_EVENT_PATH ?? "", "utf8")) as { pull_request?: { number?: number } };
        if (booleanInput("comment-on-pr") && event.pull_request !== undefined) {
            if (!input("github-token")) {
                throw new Error("Invariant failed: github-token is missing.");
            }
            const how = booleanInput("edit-pr-comment") ? "edit the action's earlier comment (or create one)" : "create a comment";
            info(`stand-in: comment-on-pr: NOT POSTED. The real action would now ${how} on pull request #${event.pull_request.number} with the ${command} output above, through api.github.com, which needs the internet.`);
        }
    });
}
