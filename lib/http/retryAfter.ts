/**
 * Parses an HTTP Retry-After header (delta-seconds or HTTP-date, RFC 9110 section 10.2.3)
 * into milliseconds to wait, capped so a server cannot park the deployment indefinitely.
 * Returns undefined when the header is absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfterMs(header: string | null | undefined, capMs: number, nowMs: number = Date.now()): number | undefined {
    if (header === null || header === undefined) {
        return undefined;
    }
    const trimmed = header.trim();
    if (trimmed === "") {
        return undefined;
    }
    let waitMs: number;
    if (/^\d+$/.test(trimmed)) {
        waitMs = Number(trimmed) * 1000;
    } else {
        const at = Date.parse(trimmed);
        if (Number.isNaN(at)) {
            return undefined;
        }
        waitMs = Math.max(0, at - nowMs);
    }
    return Math.min(waitMs, capMs);
}
