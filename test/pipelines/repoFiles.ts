import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../tools/projectRoot";

/** The repository root (tests run from dist/). */
export const REPO_ROOT = projectRoot(__dirname);

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
