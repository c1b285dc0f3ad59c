/**
 * Dynamic resources carry their provider's code, serialized by Pulumi's closure serializer, as a
 * hidden input. The offline plan never shows that input, and serializing the four providers costs
 * more than the rest of the plan together, so the plan command can skip it. Pulumi caches the
 * result per provider object for the life of the process, so skipping is for a process that plans
 * once and exits; everything else, the tests included, serializes for real, and constructing every
 * dynamic resource inside the real program is what catches a provider that does not serialize.
 */
type SerializeFunction = (...args: unknown[]) => Promise<{ text: string; exportName: string; containsSecrets: boolean }>;

// Pulumi's dynamic.Resource looks this module's export up at each call, so replacing it takes effect.
const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure") as { serializeFunction: SerializeFunction };

export const SKIPPED_PROVIDER_TEXT = "/* not serialized by the offline plan */";

export async function withProviderSerialization<T>(serialize: boolean, work: () => Promise<T>): Promise<T> {
    if (serialize) {
        return work();
    }
    const real = closure.serializeFunction;
    closure.serializeFunction = async () => ({ text: SKIPPED_PROVIDER_TEXT, exportName: "handler", containsSecrets: false });
    try {
        return await work();
    } finally {
        closure.serializeFunction = real;
    }
}
