/**
 * The command-line flags of the plan and the expiry check, read alike: `--name value` or
 * `--name=value`, switches without a value, `--help`/`-h`. A flag given twice is refused rather
 * than letting the last one silently win (a pipeline that appends `--at` to a command already
 * holding one would otherwise plan at an instant nobody reads in its log).
 */
export type FlagKinds = Record<string, "value" | "switch">;

export interface ParsedFlags {
    /** `--name` (without dashes) to its value, or `true` for a switch. */
    values: Record<string, string | true>;
    help: boolean;
    problems: string[];
}

export function parseFlags(argv: string[], kinds: FlagKinds): ParsedFlags {
    const parsed: ParsedFlags = { values: {}, help: false, problems: [] };
    for (let i = 0; i < argv.length; i++) {
        const argument = argv[i];
        if (argument === "--help" || argument === "-h") {
            parsed.help = true;
            continue;
        }
        const match = /^--([a-z][a-z-]*)(?:=([\s\S]*))?$/.exec(argument);
        const name = match?.[1];
        const kind = name !== undefined && Object.prototype.hasOwnProperty.call(kinds, name) ? kinds[name] : undefined;
        if (match === null || name === undefined || kind === undefined) {
            parsed.problems.push(`unknown argument "${shortened(argument)}".`);
            continue;
        }
        let value: string | true = true;
        if (kind === "switch") {
            if (match[2] !== undefined) {
                parsed.problems.push(`--${name} takes no value.`);
                continue;
            }
        } else if (match[2] !== undefined) {
            value = match[2];
        } else if (argv[i + 1] === undefined || argv[i + 1].startsWith("--")) {
            parsed.problems.push(`--${name} needs a value.`);
            continue;
        } else {
            value = argv[++i];
        }
        if (name in parsed.values) {
            parsed.problems.push(`--${name} is given more than once; give it once.`);
            continue;
        }
        parsed.values[name] = value;
    }
    return parsed;
}

/** An argument echoed in an error, cut to a readable length. */
function shortened(text: string): string {
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
