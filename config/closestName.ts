/**
 * The candidate nearest to a mistyped name, when it is near enough to be a typo: at most
 * `maxDistance` edits (default: 2, or a quarter of the name's length when that is more), case ignored.
 */
export function closestName(typed: string, candidates: readonly string[], maxDistance = Math.max(2, Math.floor(typed.length / 4))): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const name of candidates) {
        const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
        if (!best || distance < best.distance) {
            best = { name, distance };
        }
    }
    return best && best.distance <= maxDistance ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length];
}
