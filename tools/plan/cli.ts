import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/configError";
import { projectRoot } from "../projectRoot";
import { offlinePlan } from "./offlinePlan";
import { renderJson, renderText } from "./renderPlan";
import { StackFileError } from "./stackFiles";

const USAGE = "Usage: npm start -- [--stack NAME] [--json] [--at ISO-8601-instant]";
// A date, or a date-time with seconds optional and an explicit zone: no guessing at local time.
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export class UsageError extends Error {}

export interface PlanArguments {
    stack: string;
    json: boolean;
    at: Date;
}

export function parseArguments(argv: string[], now: () => Date = () => new Date()): PlanArguments {
    const parsed: PlanArguments = { stack: "dev", json: false, at: now() };
    const problems: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--json") {
            parsed.json = true;
        } else if (flag === "--stack" || flag === "--at") {
            const value = argv[++i];
            if (value === undefined || value.startsWith("--")) {
                problems.push(`${flag} needs a value.`);
            } else if (flag === "--stack") {
                parsed.stack = value;
            } else if (!INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
                problems.push(`--at "${value}" is not an ISO-8601 instant; use e.g. 2027-03-01 or 2027-03-01T09:30:00Z.`);
            } else {
                parsed.at = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
            }
        } else {
            problems.push(`unknown argument "${flag}".`);
        }
    }
    if (problems.length > 0) {
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
}

/** The plan command: 0 on success, 2 on bad input (config, flags, stack files), 1 otherwise. */
export async function runPlanCommand(argv: string[], io: PlanIo): Promise<number> {
    try {
        const args = parseArguments(argv);
        const root = fs.existsSync(path.join(io.cwd, "Pulumi.yaml")) ? io.cwd : projectRoot();
        const { document } = await offlinePlan(root, args.stack, args.at, io.serializeProviders ?? true);
        io.stdout(args.json ? renderJson(document) : renderText(document));
        return 0;
    } catch (error) {
        if (error instanceof ConfigError || error instanceof UsageError || error instanceof StackFileError) {
            io.stderr(`${error.message}\n`);
            return 2;
        }
        io.stderr(`Offline plan failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        return 1;
    }
}

if (require.main === module) {
    runPlanCommand(process.argv.slice(2), {
        cwd: process.cwd(),
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        serializeProviders: false,
    }).then((code) => {
        process.exitCode = code;
    });
}
