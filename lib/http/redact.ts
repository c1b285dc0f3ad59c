/**
 * Removes credentials from any text before it becomes an error message or a log line.
 * Known secret values are replaced wherever they appear (also in the base64 forms an
 * Authorization header would carry), and any Authorization-style scheme + credential
 * pair is masked even when the value was never registered.
 */
export type Redact = (text: string) => string;

const MASK = "[REDACTED]";

/** Values shorter than this are not treated as secrets: masking them would shred ordinary text. */
const MIN_SECRET_LENGTH = 6;

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The spellings under which a secret can leak: itself, and the base64 a Basic header would contain. */
function leakedForms(secret: string): string[] {
    return [
        secret,
        Buffer.from(secret, "utf8").toString("base64"),
        Buffer.from(`:${secret}`, "utf8").toString("base64"),
        encodeURIComponent(secret),
    ];
}

export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redact {
    const forms = new Set<string>();
    for (const secret of secrets) {
        if (typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH) {
            for (const form of leakedForms(secret)) {
                forms.add(form);
            }
        }
    }
    // Longest first, so a secret that contains another is masked whole.
    const ordered = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    const knownValues = ordered.length > 0 ? new RegExp(ordered.join("|"), "g") : undefined;
    const schemeCredential = /\b(Basic|Bearer|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}/g;
    const authorizationHeader = /(authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi;

    return (text: string): string => {
        let result = String(text);
        if (knownValues) {
            result = result.replace(knownValues, MASK);
        }
        result = result.replace(authorizationHeader, `$1${MASK}`);
        result = result.replace(schemeCredential, `$1$2${MASK}`);
        return result;
    };
}

/** Query parameters whose values are credentials by convention; masked in URLs shown to people. */
const SECRET_QUERY_KEYS = /^(access_token|token_secret|client_secret|secret|password|sig|signature|code|key|api[-_]?key)$/i;

/** The URL as it may appear in a message: no user-info, credential-like query values masked. */
export function describeUrl(url: string): string {
    try {
        const parsed = new URL(url);
        parsed.username = "";
        parsed.password = "";
        for (const key of [...parsed.searchParams.keys()]) {
            if (SECRET_QUERY_KEYS.test(key)) {
                parsed.searchParams.set(key, MASK);
            }
        }
        return parsed.toString();
    } catch {
        return url;
    }
}
