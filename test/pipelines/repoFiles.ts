import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root: the nearest ancestor holding package.json (tests run from dist/). */
export const REPO_ROOT = findUp(__dirname, "package.json");

/** Shared data that sits beside the repository (CI clones it next to `shared/`). */
export const AZURE_PIPELINES_SCHEMA = path.resolve(REPO_ROOT, "..", "shared", "azure-pipelines", "service-schema.json");

export function readRepoFile(relative: string): string {
    return fs.readFileSync(path.join(REPO_ROOT, relative), "utf8");
}

export function workflowFiles(): string[] {
    const dir = path.join(REPO_ROOT, ".github", "workflows");
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(".github", "workflows", f));
}

function findUp(start: string, marker: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, marker))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no ${marker} above ${start}`);
        }
    }
}
