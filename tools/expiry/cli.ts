import { checkSecretExpiry } from "./secretExpiry";

/**
 * `pulumi stack output --json | npm run -s check-expiry -- [--days N] [--now ISO]`
 * Exit 0: fresh. Exit 1: expiring within N days (default 14) or expired. Exit 2: missing or
 * malformed output, or bad flags.
 */
const USAGE = "Usage: pulumi stack output --json | npm run -s check-expiry -- [--days N] [--now ISO-8601]";

export interface ExpiryIo {
    stdin: string;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    now: () => Date;
}

export function runExpiryCommand(argv: string[], io: ExpiryIo): number {
    let days = 14;
    let now = io.now();
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = argv[i + 1];
        if (flag === "--days" && value !== undefined && /^\d+$/.test(value)) {
            days = Number(value);
            i++;
        } else if (flag === "--now" && value !== undefined && !Number.isNaN(Date.parse(value))) {
            now = new Date(value);
            i++;
        } else {
            io.stderr(`Bad argument "${flag}"${value !== undefined ? ` ${value}` : ""}.\n${USAGE}\n`);
            return 2;
        }
    }
    const verdict = checkSecretExpiry(io.stdin, now, days);
    if (verdict.status === "fresh") {
        io.stdout(`${verdict.message}\n`);
        return 0;
    }
    io.stderr(`${verdict.message}\n`);
    return verdict.status === "invalid" ? 2 : 1;
}

async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}

if (require.main === module) {
    readStdin().then((stdin) => {
        process.exitCode = runExpiryCommand(process.argv.slice(2), {
            stdin,
            stdout: (t) => process.stdout.write(t),
            stderr: (t) => process.stderr.write(t),
            now: () => new Date(),
        });
    });
}
