/**
 * Guards at the edge of every dynamic-provider method: whatever escapes to Pulumi (error
 * message, stack, log line) has passed through the redactor first.
 */
import * as pulumi from "@pulumi/pulumi";
import { createRedactor } from "../lib/http/redact";

/** The SDK's stand-in for a value not known during preview, as a provider's check sees it. */
const UNKNOWN_DURING_PREVIEW = pulumi.runtime.unknownValue;

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN_DURING_PREVIEW;
}

/**
 * Shape Pulumi's dynamic-provider host understands as "created, but failed to finish":
 * the engine records `id` and `properties` in state, so the next `up` calls update and
 * `destroy` calls delete with exactly what was done so far.
 */
export interface PartialFailure extends Error {
    id?: string;
    properties?: Record<string, unknown>;
    reasons?: string[];
}

/** Runs a provider method; rethrows any failure with message and stack stripped of secrets. */
export async function withRedaction<T>(secrets: () => ReadonlyArray<string | undefined>, action: () => Promise<T>): Promise<T> {
    try {
        return await action();
    } catch (error) {
        throw redactedError(error, secrets());
    }
}

export function redactedError(error: unknown, secrets: ReadonlyArray<string | undefined>): Error {
    const redact = createRedactor(secrets);
    const original = error as PartialFailure;
    const message = redact(String(original?.message ?? error));
    const safe = new Error(message) as PartialFailure;
    // Keep the first stack frame lines for debugging, but only after redaction.
    safe.stack = `Error: ${message}`;
    if (original && typeof original === "object") {
        if (original.id !== undefined) {
            safe.id = original.id;
            safe.properties = original.properties;
            safe.reasons = (original.reasons ?? [message]).map(redact);
        }
        for (const field of ["kind", "status", "endpoint", "isHttpError"] as const) {
            const value = (original as unknown as Record<string, unknown>)[field];
            if (value !== undefined) {
                (safe as unknown as Record<string, unknown>)[field] = value;
            }
        }
    }
    return safe;
}

/**
 * Dynamic providers have no engine connection for structured logs; since Pulumi 3.146
 * (pulumi/pulumi#18253) their stdout is passed through to the `pulumi up` output.
 */
export function providerLog(message: string, secrets: ReadonlyArray<string | undefined> = []): void {
    console.log(createRedactor(secrets)(message));
}

/** The engine property holding the serialized provider; it must survive into partial state or delete cannot run. */
const PROVIDER_PROPERTY = "__provider";

/** Builds the PartialFailure error for a create/update that did some work before failing. */
export function partialFailure(cause: unknown, id: string, properties: Record<string, unknown>, inputs: Record<string, unknown>): PartialFailure {
    const message = String((cause as Error)?.message ?? cause);
    const error = new Error(message) as PartialFailure;
    error.id = id;
    error.properties = { ...properties, [PROVIDER_PROPERTY]: inputs[PROVIDER_PROPERTY] };
    error.reasons = [message];
    return error;
}
