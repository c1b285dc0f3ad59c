/**
 * Reading resource properties the way every engine hands them over: plain data in the offline plan
 * and the tests; in the policy pack, @pulumi/policy's proxy, which throws on a value not known yet
 * (during preview). A rule reads such a value through {@link read} and decides what an unknown
 * means for it, instead of the whole policy turning into the pack's "can't run during preview"
 * advisory.
 */

/** A value not known yet: an output of a resource not created, during preview. */
export const UNKNOWN: unique symbol = Symbol("unknown until the resource exists");
export type Read = unknown | typeof UNKNOWN;

/** `container[key]`, or {@link UNKNOWN} when the engine does not know it (or the container) yet. */
export function read(container: unknown, key: string | number): Read {
    if (container === UNKNOWN) {
        return UNKNOWN;
    }
    if (container === null || typeof container !== "object") {
        return undefined;
    }
    try {
        return (container as Record<string | number, unknown>)[key];
    } catch (error) {
        if (isUnknownValueError(error)) {
            return UNKNOWN;
        }
        throw error;
    }
}

/** @pulumi/policy's UnknownValueError (proxy.ts), which it does not export from its index. */
function isUnknownValueError(error: unknown): boolean {
    return error instanceof Error && (error.constructor?.name === "UnknownValueError" || /can't be known during preview/.test(error.message));
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** The items of an array property, each read as {@link read} does (an unknown item stays {@link UNKNOWN}). */
export function readItems(container: unknown, key: string): Read[] | typeof UNKNOWN {
    const value = read(container, key);
    if (value === UNKNOWN) {
        return UNKNOWN;
    }
    // Index by index: iterating a proxied array (map, for-of) reads every item through the proxy at once.
    const items: Read[] = [];
    for (let index = 0; index < asArray(value).length; index++) {
        items.push(read(value, index));
    }
    return items;
}

/**
 * Whether a property left at this value says nothing: unset, null, false, empty text, an empty list
 * or an object of such values. A provider's Check may fill these in for properties the program does
 * not set (terraform-provider-azuread's `prevent_duplicate_names` defaults to false).
 */
export function isEmptyValue(value: Read): boolean {
    if (value === UNKNOWN) {
        return false;
    }
    if (value === undefined || value === null || value === false || value === "") {
        return true;
    }
    if (Array.isArray(value)) {
        return value.length === 0;
    }
    if (typeof value === "object") {
        return Object.keys(value).every((key) => isEmptyValue(read(value, key)));
    }
    return false;
}

/** Text of `values` lower-cased, for comparing ids, hosts and names without case. */
export function lowerCased(values: readonly unknown[]): string[] {
    return values.filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
}

/** Whether two ids or host names are the same, whatever their case (the pack's own comparison: see wellKnownIds.ts on why it imports nothing of the program's). */
export function sameText(a: string, b: string): boolean {
    return a.toLowerCase() === b.toLowerCase();
}
