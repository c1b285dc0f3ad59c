/**
 * GUIDs, as Entra writes its object, client (application) and tenant ids: 8-4-4-4-12 hex
 * digits, either case. The one definition the stack config and the providers' checks share.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: unknown): value is string {
    return typeof value === "string" && GUID.test(value);
}

/** GUIDs are case-insensitive: compare them canonically, so a change of case alone changes nothing. */
export function sameGuid(a: string, b: string): boolean {
    return a.toLowerCase() === b.toLowerCase();
}

/** Why `value` (named `what` in the message) is not a GUID; undefined when it is one. */
export function guidProblem(what: string, value: unknown): string | undefined {
    return isGuid(value) ? undefined : `${what} must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47; got "${String(value)}".`;
}
