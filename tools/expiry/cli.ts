import { parseInstant } from "../../domain/instant";
import { FlagKinds, parseFlags } from "../cliFlags";
import { readStdin } from "../stdin";
import { checkSecretExpiry } from "./secretExpiry";

/**
 * `pulumi stack output --json | npm run -s check-expiry -- [--days N] [--now ISO]`, or the offline plan's JSON
 * Exit 0: fresh. Exit 1: expiring within N days (default 14) or expired. Exit 2: missing or
 * malformed output, or bad flags.
 */
const USAGE = "Usage: pulumi stack output --json | npm run -s check-expiry -- [--days N] [--now ISO-8601]   (--name=value works too; --help)";
const HELP = `${USAGE}

Reads the stack outputs as JSON on standard input (\`pulumi stack output --json\`, or the offline
plan's \`npm start -s -- --json\`, whose "outputs" it reads) and checks clientSecretExpiresAt only:
no --show-secrets needed, and it never echoes its input.

  --days N       fail when the secret dbt Cloud holds expires within N days (default 14)
  --now INSTANT  check as of this instant: 2027-03-01 or 2027-03-01T09:30:00Z (default: now)

Exit status: 0 fresh, 1 expiring or expired, 2 missing or malformed input, or a bad flag.
`;

export const EXPIRY_FLAGS: FlagKinds = { days: "value", now: "value" };

export interface ExpiryIo {
    stdin: string;
    /** For flags npm kept for itself (`npm run check-expiry --days 3` without `--`); default: none checked. */
    env?: NodeJS.ProcessEnv;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    now: () => Date;
}

export function runExpiryCommand(argv: string[], io: ExpiryIo): number {
    const { values, help, problems, npmHint } = parseFlags(argv, EXPIRY_FLAGS, { env: io.env });
    if (npmHint) {
        problems.push(npmHint.text);
    }
    if (help) {
        io.stdout(HELP);
        return 0;
    }
    let days = 14;
    let now = io.now();
    if (typeof values.days === "string") {
        if (/^\d{1,4}$/.test(values.days)) {
            days = Number(values.days);
        } else {
            problems.push(`--days "${values.days}" is not a whole number of days (0-9999).`);
        }
    }
    if (typeof values.now === "string") {
        const parsed = parseInstant(values.now);
        if (parsed.ok) {
            now = parsed.value;
        } else {
            problems.push(`--now ${parsed.problem}`);
        }
    }
    if (problems.length > 0) {
        io.stderr(`${[...problems, USAGE].join("\n")}\n`);
        return 2;
    }
    const verdict = checkSecretExpiry(io.stdin, now, days);
    if (verdict.status === "fresh") {
        io.stdout(`${verdict.message}\n`);
        return 0;
    }
    io.stderr(`${verdict.message}\n`);
    return verdict.status === "invalid" ? 2 : 1;
}

/** Run from a terminal with nothing piped in: say how to use it instead of waiting for input. */
export function usageForTerminal(argv: string[], stdinIsTerminal: boolean): { text: string; code: number } | undefined {
    if (!stdinIsTerminal || parseFlags(argv, EXPIRY_FLAGS).help) {
        return undefined;
    }
    return { text: `Nothing is piped in: standard input is a terminal.\n${HELP}`, code: 2 };
}

/** The check as a process: `node dist/tools/expiry/cli.js`, or `npm run check-expiry` through tools/expiry/start.js. */
export function main(argv: string[]): void {
    const terminal = usageForTerminal(argv, process.stdin.isTTY === true);
    if (terminal) {
        process.stderr.write(terminal.text);
        process.exit(terminal.code);
    }
    readStdin().then((stdin) => {
        process.exitCode = runExpiryCommand(argv, {
            stdin,
            env: process.env,
            stdout: (t) => process.stdout.write(t),
            stderr: (t) => process.stderr.write(t),
            now: () => new Date(),
        });
    });
}

if (require.main === module) {
    main(process.argv.slice(2));
}
