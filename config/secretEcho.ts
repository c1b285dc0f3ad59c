/**
 * A stack setting stored as a secret (`pulumi config set --secret`, `secure:` in the stack file) is
 * never echoed in a config error, even when its value is invalid: a problem about it names the key
 * and the rule it broke, with every trace of the value taken out. A problem across keys whose
 * verdict depends on a secret setting hides its values, quoted text and numbers alike (a sum such
 * as `2 x rotation + overlap = 374` would give the secret away).
 */
import * as pulumiConfig from "@pulumi/pulumi/runtime/config";

export const SECRET_SHOWN_AS = "[secret]";
/** Stands in while hiding, so a secret that contains the word "secret" does not hide the stand-in itself. */
const HIDDEN = "\u0000";
const shown = (text: string) => text.split(HIDDEN).join(SECRET_SHOWN_AS);

/**
 * The keys of `project` (without namespace) that the CLI passed as secrets. The Node SDK keeps
 * their names in PULUMI_CONFIG_SECRET_KEYS, set by the language host (and by `setAllConfig` under
 * mocks); `isConfigSecret` reads them, but is not in the SDK's published typings.
 */
export function secretConfigKeys(project: string, keys: readonly string[]): Set<string> {
    const isConfigSecret = (pulumiConfig as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    if (typeof isConfigSecret !== "function") {
        // An SDK without it: treat every value as secret rather than risk echoing one.
        return new Set(keys);
    }
    return new Set(keys.filter((key) => isConfigSecret(`${project}:${key}`)));
}

/** A problem about the secret value `value` of its own key, with the value in any form it may take there hidden. */
export function withoutSecretValue(problem: string, value: string): string {
    return `(a secret: its value is not shown) ${shown(hideWords(hideForms(problem, [value]), [value]))}`;
}

/** A problem across keys that depends on the secret values `values`: values, quoted text and numbers hidden. */
export function withoutSecretValues(problem: string, values: readonly string[]): string {
    const hidden = hideWords(hideForms(problem, values), values)
        .replace(/"(?:[^"\\]|\\.)*"/g, `"${HIDDEN}"`)
        .replace(/\b\d+(\.\d+)?\b/g, HIDDEN);
    return `${shown(hidden)} (a secret setting is involved: values are not shown)`;
}

/**
 * The forms a config value takes in a parser's message: as given, trimmed, lower-cased, and each
 * item of a JSON list (so `item 0 "alice@contoso.com"` hides the item), longest first.
 */
function hideForms(problem: string, values: readonly string[]): string {
    const forms = new Set<string>();
    for (const value of values) {
        for (const form of [value, ...listItems(value)]) {
            for (const variant of [form, form.trim()]) {
                if (variant !== "") {
                    forms.add(variant);
                }
            }
        }
    }
    let result = problem;
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
        result = result.replace(new RegExp(escapeRegExp(form), "gi"), HIDDEN);
    }
    return result;
}

/**
 * Every word (a run of letters or digits) of the message that is a word of a secret value, compared
 * without case and, for numbers, without leading zeros: what a parser derives from the value, such
 * as the organization name inside a pasted URL or a project's slug, is made of its words.
 */
function hideWords(problem: string, values: readonly string[]): string {
    const secretWords = new Set(values.flatMap((value) => [...value.matchAll(WORD)].map((m) => normalized(m[0]))));
    return problem.replace(WORD, (word) => (secretWords.has(normalized(word)) ? HIDDEN : word));
}

const WORD = /[\p{L}\p{N}]+/gu;

function normalized(word: string): string {
    return /^\d+$/.test(word) ? word.replace(/^0+(?=\d)/, "") : word.toLowerCase();
}

function listItems(value: string): string[] {
    try {
        const parsed: unknown = JSON.parse(value);
        return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
    } catch {
        return [];
    }
}

/**
 * The secret keys whose values a rule across keys depends on: those without which (absent, as a key
 * that did not parse is) it gives another verdict. Rules are pure functions of the parsed values.
 */
export function secretKeysAffecting<T extends object>(rule: (values: Partial<T>) => unknown, values: Partial<T>, secretKeys: ReadonlySet<string>): string[] {
    const verdict = JSON.stringify(rule(values) ?? null);
    return Object.keys(values).filter((key) => {
        if (!secretKeys.has(key)) {
            return false;
        }
        const without: Partial<T> = { ...values };
        delete (without as Record<string, unknown>)[key];
        return JSON.stringify(rule(without) ?? null) !== verdict;
    });
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
