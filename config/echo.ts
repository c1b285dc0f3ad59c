/**
 * Config values echoed back in messages and in the plan: a pasted URL may carry credentials
 * (`https://user:password@host/...`) and a pasted blob may be kilobytes long. Both are cut down
 * before anything is printed.
 */

/** Longest value echoed in full; longer ones keep their start and say how long they were. */
export const MAX_ECHOED_LENGTH = 80;
const KEPT_LENGTH = 60;
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s"]*@/gi;

/** One value as it may be shown: no `user:password@`, at most {@link MAX_ECHOED_LENGTH} characters. */
export function echoValue(value: string): string {
    const stripped = value.replace(USERINFO, "$1");
    return stripped.length > MAX_ECHOED_LENGTH ? `${stripped.slice(0, KEPT_LENGTH)}... (${stripped.length} characters)` : stripped;
}

/** A message with every quoted value in it echoed as {@link echoValue} shows it, credentials stripped everywhere. */
export function echoValuesIn(message: string): string {
    return message.replace(/"((?:[^"\\]|\\.)*)"/g, (_, quoted: string) => `"${echoValue(quoted)}"`).replace(USERINFO, "$1");
}
