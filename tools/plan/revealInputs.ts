import * as pulumi from "@pulumi/pulumi";
import { SECRET_PLACEHOLDER } from "./stackFiles";

/** A value resolved twice: `shown` with every secret replaced, `actual` for assertions in tests. */
export interface Revealed {
    shown: unknown;
    actual: unknown;
}

/**
 * Resolves Inputs (Outputs, promises, nested objects) while keeping track of secrecy per leaf, so a
 * secret deep inside a resource's inputs prints as `[secret]` and nothing else does.
 */
export async function reveal(value: unknown): Promise<Revealed> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        const [secret, inner] = await Promise.all([pulumi.isSecret(output), outputValue(output)]);
        const resolved = await reveal(inner);
        return secret ? { shown: SECRET_PLACEHOLDER, actual: resolved.actual } : resolved;
    }
    if (value instanceof Promise) {
        return reveal(await value);
    }
    if (Array.isArray(value)) {
        const items = await Promise.all(value.map(reveal));
        return { shown: items.map((i) => i.shown), actual: items.map((i) => i.actual) };
    }
    if (pulumi.Resource.isInstance(value)) {
        const name = (value as unknown as { __name?: string }).__name;
        return { shown: `<resource ${name}>`, actual: value };
    }
    if (value !== null && typeof value === "object") {
        const shown: Record<string, unknown> = {};
        const actual: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
            const item = await reveal((value as Record<string, unknown>)[key]);
            if (item.actual !== undefined) {
                shown[key] = item.shown;
                actual[key] = item.actual;
            }
        }
        return { shown, actual };
    }
    return { shown: value, actual: value };
}

function outputValue(output: pulumi.Output<unknown>): Promise<unknown> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}
