/** What both halves of `npm run bench` share: their numeric options and the median they report. */

/** `--name N` from the command line, a positive number, or `fallback`. */
export function option(name: string, fallback: number, argv: string[] = process.argv): number {
    const index = argv.indexOf(name);
    const value = index >= 0 ? Number(argv[index + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) {
        throw new Error(`${name} needs a positive number.`);
    }
    return value;
}

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
