/**
 * The one error shape every REST failure takes. A plain Error with fields (not a subclass)
 * because Pulumi serializes the provider's closure, and plain functions serialize most reliably.
 */
export type HttpFailureKind = "status" | "timeout" | "network" | "malformed-json" | "credentials";

export interface HttpErrorFields {
    readonly isHttpError: true;
    readonly kind: HttpFailureKind;
    /** HTTP status, when the server answered. */
    readonly status?: number;
    /** "METHOD url" with credentials removed; safe to show. */
    readonly endpoint: string;
    /** Parsed JSON error body when there was one (already free of our secrets: never echoed raw). */
    readonly responseBody?: unknown;
    /** The error response's text, redacted and cut at 64 KiB, for callers that search it (JSON or not). */
    readonly responseText?: string;
}

export type HttpError = Error & HttpErrorFields;

export function makeHttpError(message: string, fields: Omit<HttpErrorFields, "isHttpError">): HttpError {
    const error = new Error(message) as Error & Partial<HttpErrorFields>;
    Object.assign(error, { isHttpError: true, ...fields });
    return error as HttpError;
}

export function isHttpError(value: unknown): value is HttpError {
    return typeof value === "object" && value !== null && (value as { isHttpError?: unknown }).isHttpError === true;
}
