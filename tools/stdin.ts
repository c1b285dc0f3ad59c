/** Everything piped into the command, as UTF-8 (the CLIs that read `pulumi stack output` or `pulumi stack export`). */
export async function readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}
