/** The outcome of reading one config value: the value, or a message saying how to fix it. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

export const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
export const fail = <T = never>(problem: string): ParseResult<T> => ({ ok: false, problem });
