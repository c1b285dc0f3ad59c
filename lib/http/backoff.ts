/**
 * Exponential backoff with full jitter: a random wait in [0, min(max, base * 2^attempt)].
 * Jitter keeps parallel Pulumi resources from retrying against a throttled API in lockstep.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
    const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
    return Math.floor(random() * ceiling);
}
