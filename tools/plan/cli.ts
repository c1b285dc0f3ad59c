// First, before anything loads @pulumi/pulumi: see lazyTypeScript.ts.
import "./lazyTypeScript";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/configError";
import { parseInstant } from "../../domain/instant";
import { ROTATION_EPOCH } from "../../domain/rotationSchedule";
import { FlagKinds, parseFlags } from "../cliFlags";
import { projectRoot } from "../projectRoot";
import { offlinePlan } from "./offlinePlan";
import { planSummary, renderJson, renderText } from "./renderPlan";
import { readProjectFile, StackFileError } from "./stackFiles";
import { currentStack, DEFAULT_STACK, StackChoiceError, stackInProject } from "./stackSelection";

const USAGE = "Usage: npm start -- [--stack NAME] [--json] [--at ISO-8601-instant] [--aliases]   (-s NAME, --name=value work too; --help)";
const HELP = `${USAGE}

Plans a stack offline: the real program under Pulumi's mock runtime, run as a preview, with
stacks/Pulumi.<NAME>.yaml and Pulumi.yaml's defaults. No Pulumi CLI, no credentials, no network.

  -s, --stack NAME  the stack to plan: dev, or <organization>/<project>/dev as Pulumi names it.
                    Default: the stack PULUMI_STACK names, else the one \`pulumi stack select\`
                    chose for this folder, else ${DEFAULT_STACK}
  --json            print the plan as JSON (the summary line then goes to standard error)
  --at INSTANT      evaluate at this instant (rotation is time-based): 2027-03-01 or 2027-03-01T09:30:00Z,
                    not before ${ROTATION_EPOCH.toISOString().slice(0, 10)} (the rotation schedule's epoch)
  --aliases         also print where resources were before the project's own refactors (their
                    aliases); the JSON always has them

Flags go after --: npm start -- --stack emea (without it npm keeps them for itself).
Exit status: 0 planned, 1 unexpected error (or the code does not type-check), 2 bad input, 3 a mandatory policy fails.
`;

export class UsageError extends Error {}

export interface PlanArguments {
    /** As given (`dev`, `acme/dbt-azure-devops/dev`); absent: the CLI's current stack, else dev. */
    stack?: string;
    json: boolean;
    at: Date;
    aliases: boolean;
    help?: boolean;
}

/** The plan's flags and their one-letter aliases (test/docs/shellBlocks.test.ts checks the docs' commands against them). */
export const PLAN_FLAGS: FlagKinds = { stack: "value", json: "switch", at: "value", aliases: "switch" };
export const PLAN_SHORT_FLAGS: Record<string, string> = { s: "stack" };

export function parseArguments(argv: string[], now: () => Date = () => new Date(), env?: NodeJS.ProcessEnv): PlanArguments {
    const { values, help, problems, positionals, npmHint } = parseFlags(argv, PLAN_FLAGS, { short: PLAN_SHORT_FLAGS, env });
    const parsed: PlanArguments = { json: values.json === true, aliases: values.aliases === true, at: now(), ...(help ? { help } : {}) };
    if (typeof values.stack === "string") {
        parsed.stack = values.stack;
    }
    if (npmHint?.specific) {
        problems.push(npmHint.text);
    } else if (positionals.length === 1 && parsed.stack === undefined) {
        problems.push(`to plan stack "${positionals[0]}", name it with --stack: npm start -- --stack ${positionals[0]}`);
    } else if (npmHint) {
        problems.push(npmHint.text);
    }
    if (typeof values.at === "string") {
        const at = parseInstant(values.at);
        if (!at.ok) {
            problems.push(`--at ${at.problem}`);
        } else if (at.value.getTime() < ROTATION_EPOCH.getTime()) {
            problems.push(`--at ${values.at} is before ${ROTATION_EPOCH.toISOString().slice(0, 10)}, where the rotation schedule starts; plan a later instant.`);
        } else {
            parsed.at = at.value;
        }
    }
    if (problems.length > 0 && !help) {
        throw new UsageError([...problems, USAGE].join("\n"));
    }
    return parsed;
}

export interface PlanIo {
    /** Where the stack files are: the working directory when it holds a Pulumi.yaml. */
    cwd: string;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    /** False only in a process that plans once and exits: see offlinePlan. */
    serializeProviders?: boolean;
    /**
     * The environment: PULUMI_STACK, PULUMI_HOME (where `pulumi stack select` keeps its choice),
     * PULUMI_BACKEND_URL, and npm's npm_config_* (flags npm kept). Default: the process's.
     */
    env?: NodeJS.ProcessEnv;
}

/**
 * The plan command, a gate: 0 planned, 2 bad input (config, flags, stack files), 3 a mandatory
 * policy fails (as `pulumi preview --policy-pack policy` would fail), 1 anything else.
 */
export async function runPlanCommand(argv: string[], io: PlanIo): Promise<number> {
    const env = io.env ?? process.env;
    try {
        const args = parseArguments(argv, undefined, env);
        if (args.help) {
            io.stdout(HELP);
            return 0;
        }
        const root = planRoot(io.cwd);
        const { project, backendUrl } = readProjectFile(root);
        const chosen = args.stack !== undefined ? { name: stackInProject(args.stack, project, "--stack") } : currentStack(root, project, env, backendUrl);
        const { document } = await offlinePlan(root, chosen.name, args.at, io.serializeProviders ?? true, chosen.source);
        const summary = planSummary(document);
        io.stdout(args.json ? renderJson(document) : `${renderText(document, { aliases: args.aliases })}\n${summary.line}\n`);
        if (args.json) {
            io.stderr(`${summary.line}\n`);
        }
        return summary.mandatoryViolations > 0 ? 3 : 0;
    } catch (error) {
        if (error instanceof ConfigError || error instanceof UsageError || error instanceof StackFileError || error instanceof StackChoiceError) {
            io.stderr(`${error.message}\n`);
            return 2;
        }
        // An unexpected error: its message, and the stack trace only when asked for (DEBUG set).
        const detail = error instanceof Error ? (env.DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
        io.stderr(`Offline plan failed: ${detail}\n${env.DEBUG ? "" : "(set DEBUG=1 for the stack trace)\n"}`);
        return 1;
    }
}

/** The working directory when it holds a Pulumi.yaml, else the project the plan was built in. */
function planRoot(cwd: string): string {
    if (fs.existsSync(path.join(cwd, "Pulumi.yaml"))) {
        return cwd;
    }
    try {
        return projectRoot();
    } catch {
        throw new StackFileError(`No Pulumi.yaml in ${cwd} or above the plan (${__dirname}): run the plan from the project's folder.`);
    }
}

/** The plan as a process: `node dist/tools/plan/cli.js`, or `npm start` through tools/plan/start.js. */
export function main(argv: string[]): void {
    runPlanCommand(argv, {
        cwd: process.cwd(),
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        serializeProviders: false,
    }).then((code) => {
        process.exitCode = code;
    });
}

if (require.main === module) {
    main(process.argv.slice(2));
}
