import * as pulumi from "@pulumi/pulumi";
import { SECRET_PLACEHOLDER } from "./stackFiles";

/** A value resolved twice: `shown` with every secret replaced, `actual` for assertions in tests. */
export interface Revealed {
    shown: unknown;
    actual: unknown;
}

/**
 * Names an Output whose value is unknown until `pulumi up` (the plan runs as a preview): from the
 * resources it comes from and the key it appears under. See {@link unknownPlaceholder}.
 */
export type UnknownLabel = (resources: string[], key: string | undefined) => string;

/** `<key of resource>`, the plan's placeholder for a value only the cloud will know. */
export const unknownPlaceholder: UnknownLabel = (resources, key) => `<${key ?? "value"} of ${resources.join(", ") || "a resource"}>`;

interface OutputInternals {
    isKnown: Promise<boolean>;
    allResources?: () => Promise<Set<pulumi.Resource>>;
}

/**
 * Resolves Inputs (Outputs, promises, nested objects) while keeping track of secrecy per leaf, so a
 * secret deep inside a resource's inputs prints as `[secret]` and nothing else does. An Output
 * that stays unknown in a preview (a value the cloud assigns when the resource is created) shows
 * as a labelled placeholder and is `undefined` in `actual`.
 */
export async function reveal(value: unknown, label: UnknownLabel = unknownPlaceholder, key?: string): Promise<Revealed> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        const internals = output as unknown as OutputInternals;
        const [secret, known] = await Promise.all([pulumi.isSecret(output), internals.isKnown]);
        if (!known) {
            const resources = internals.allResources ? [...(await internals.allResources())] : [];
            const names = [...new Set(resources.filter((r) => pulumi.CustomResource.isInstance(r)).map(nameOf))].sort();
            return { shown: secret ? SECRET_PLACEHOLDER : label(names, key), actual: undefined };
        }
        const resolved = await reveal(await outputValue(output), label, key);
        return secret ? { shown: SECRET_PLACEHOLDER, actual: resolved.actual } : resolved;
    }
    if (value instanceof Promise) {
        return reveal(await value, label, key);
    }
    if (Array.isArray(value)) {
        const items = await Promise.all(value.map((item) => reveal(item, label, key)));
        return { shown: items.map((i) => i.shown), actual: items.map((i) => i.actual) };
    }
    if (pulumi.Resource.isInstance(value)) {
        return { shown: `<resource ${nameOf(value)}>`, actual: value };
    }
    if (value !== null && typeof value === "object") {
        const shown: Record<string, unknown> = {};
        const actual: Record<string, unknown> = {};
        for (const property of Object.keys(value).sort()) {
            const item = await reveal((value as Record<string, unknown>)[property], label, property);
            if (item.actual !== undefined || item.shown !== undefined) {
                shown[property] = item.shown;
                if (item.actual !== undefined) actual[property] = item.actual;
            }
        }
        return { shown, actual };
    }
    return { shown: value, actual: value };
}

function nameOf(resource: unknown): string {
    return String((resource as { __name?: string }).__name);
}

function outputValue(output: pulumi.Output<unknown>): Promise<unknown> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}
