import { closestName } from "../config/closestName";

/**
 * The command-line flags of the plan and the expiry check, read alike: `--name value` or
 * `--name=value`, a one-letter alias where Pulumi has one (`-s value`, `-s=value`), switches
 * without a value, `--help`/`-h`. A flag given twice is refused rather than letting the last one
 * silently win (a pipeline that appends `--at` to a command already holding one would otherwise
 * plan at an instant nobody reads in its log); a mistyped flag gets a did-you-mean.
 */
export type FlagKinds = Record<string, "value" | "switch">;

export interface FlagOptions {
    /** One-letter aliases: `{ s: "stack" }` makes `-s dev` mean `--stack dev`. */
    short?: Record<string, string>;
    /**
     * The environment, to notice flags npm took for itself: `npm start --stack emea` (no `--`)
     * hands the script only `emea` and sets `npm_config_stack`. Absent: not checked.
     */
    env?: NodeJS.ProcessEnv;
}

export interface ParsedFlags {
    /** `--name` (without dashes) to its value, or `true` for a switch. */
    values: Record<string, string | true>;
    help: boolean;
    problems: string[];
    /** Arguments that are no flag's value (each is also a problem). */
    positionals: string[];
    /**
     * Run by npm without `--` before the flags: which flags npm kept for itself and how to type the
     * command (`specific`), or, when npm left no trace of them but passed stray arguments on, the
     * general rule. Not among `problems`: the caller may know a better hint for a stray argument.
     */
    npmHint?: { specific: boolean; text: string };
}

export function parseFlags(argv: string[], kinds: FlagKinds, options: FlagOptions = {}): ParsedFlags {
    const parsed: ParsedFlags = { values: {}, help: false, problems: [], positionals: [] };
    const short = options.short ?? {};
    const stray = parsed.positionals;
    for (let i = 0; i < argv.length; i++) {
        const argument = argv[i];
        if (argument === "--help" || argument === "-h") {
            parsed.help = true;
            continue;
        }
        // `--name`, `--name=value`; `-s`, `-s=value` (a one-letter alias); `-name` is a typo of `--name`.
        const long = /^--?([a-zA-Z][a-zA-Z-]*)(?:=([\s\S]*))?$/.exec(argument);
        const abbreviated = long && !argument.startsWith("--") && long[1].length === 1 ? long : null;
        const name = abbreviated ? short[abbreviated[1]] : long && argument.startsWith("--") ? long[1] : undefined;
        const given = long ? argument.split("=")[0] : argument;
        const inline = long?.[2];
        const kind = name !== undefined && Object.prototype.hasOwnProperty.call(kinds, name) ? kinds[name] : undefined;
        if (name === undefined || kind === undefined) {
            if (!long) {
                stray.push(argument);
                parsed.problems.push(`unexpected argument "${shortened(argument)}".`);
                continue;
            }
            const typed = long[1];
            // Too short a name says nothing about which flag was meant (`-x` is not a typo of --at).
            const suggestion = typed.length >= 3 ? closestName(typed, Object.keys(kinds)) : undefined;
            parsed.problems.push(`unknown flag ${shortened(given)}${suggestion ? ` (did you mean --${suggestion}?)` : ""}.`);
            // `--stak dev`: the value belongs to the mistyped flag, not a second problem.
            if (suggestion && kinds[suggestion] === "value" && inline === undefined && argv[i + 1] !== undefined && !argv[i + 1].startsWith("-")) {
                i++;
            }
            continue;
        }
        let value: string | true = true;
        if (kind === "switch") {
            if (inline !== undefined) {
                parsed.problems.push(`${given} takes no value.`);
                continue;
            }
        } else if (inline !== undefined) {
            value = inline;
        } else if (argv[i + 1] === undefined || argv[i + 1].startsWith("-")) {
            parsed.problems.push(`${given} needs a value.`);
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
    if (options.env) {
        const hint = npmTookFlags(options.env, kinds, stray);
        if (hint) parsed.npmHint = hint;
    }
    return parsed;
}

/**
 * Flags npm kept for itself because the command had no `--` before them: npm turns most `--name`
 * it does not know into `npm_config_name=true` (or the value after `=`) and passes what followed
 * on as plain arguments (npm 11: `npm start --stack emea` runs the script with `emea` and
 * `npm_config_stack=true`). Some names npm expands into its own settings instead (`--days` becomes
 * `npm_config_all`), leaving only the stray arguments. Only looked for when npm runs the script.
 */
export function npmTookFlags(env: NodeJS.ProcessEnv, kinds: FlagKinds, stray: string[]): { specific: boolean; text: string } | undefined {
    const script = env.npm_lifecycle_event;
    if (!script) {
        return undefined;
    }
    const command = script === "start" ? "npm start" : `npm run ${script}`;
    const taken: { flag: string; value?: string }[] = [];
    for (const [variable, value] of Object.entries(env)) {
        const match = /^npm_config_([a-z][a-z_]*)$/.exec(variable);
        if (!match || value === undefined) {
            continue;
        }
        const typed = match[1].replace(/_/g, "-");
        // npm sets many npm_config_ variables of its own (cache, yes, audit...): only a flag of
        // this command, or one typo away from it (--stak), counts.
        const flag = Object.prototype.hasOwnProperty.call(kinds, typed) ? typed : typed.length >= 4 ? closestName(typed, Object.keys(kinds), 1) : undefined;
        if (flag === undefined) {
            continue;
        }
        taken.push({ flag, ...(kinds[flag] === "value" && value !== "true" && value !== "" ? { value } : {}) });
    }
    if (taken.length === 0) {
        const example = Object.keys(kinds).find((flag) => kinds[flag] === "value");
        return stray.length === 0
            ? undefined
            : { specific: false, text: `npm passes on only what comes after --, and keeps flags before it for itself: ${command} -- ${example ? `--${example} <${example}>` : "<flags>"}` };
    }
    taken.sort((a, b) => a.flag.localeCompare(b.flag));
    // One value flag and one stray argument: that argument was its value.
    const needsValue = taken.filter((t) => kinds[t.flag] === "value" && t.value === undefined);
    if (needsValue.length === 1 && stray.length === 1) {
        needsValue[0].value = stray[0];
    }
    const flags = taken.map((t) => (kinds[t.flag] === "value" ? `--${t.flag} ${t.value ?? `<${t.flag}>`}` : `--${t.flag}`)).join(" ");
    return { specific: true, text: `npm kept ${taken.map((t) => `--${t.flag}`).join(", ")} for itself: flags for this command go after --, as in: ${command} -- ${flags}` };
}

/** An argument echoed in an error, cut to a readable length. */
function shortened(text: string): string {
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
