import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../tools/projectRoot";

/**
 * The repository root (tests run from dist/), or DBT_ADO_REPO_ROOT: a copy of it, which is how
 * sharedSteps.test.ts runs these tests with one CI system's files deleted.
 */
export const REPO_ROOT = process.env.DBT_ADO_REPO_ROOT || projectRoot(__dirname);

/**
 * Microsoft's Azure Pipelines schema: shared data that sits beside the repository (CI clones it
 * next to `shared/`), or wherever AZURE_PIPELINES_SCHEMA_PATH says (a working copy elsewhere).
 */
export const AZURE_PIPELINES_SCHEMA = process.env.AZURE_PIPELINES_SCHEMA_PATH || path.resolve(REPO_ROOT, "..", "shared", "azure-pipelines", "service-schema.json");

export function readRepoFile(relative: string): string {
    return fs.readFileSync(path.join(REPO_ROOT, relative), "utf8");
}

/** The GitHub workflows, none when `.github/` was deleted (an Azure DevOps-only team may). */
export function workflowFiles(): string[] {
    const dir = path.join(REPO_ROOT, ".github", "workflows");
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(".github", "workflows", f));
}

export function repoFileExists(relative: string): boolean {
    return fs.existsSync(path.join(REPO_ROOT, relative));
}

/** azure-pipelines.yml, when present (a GitHub-only team may delete it). */
export const AZURE_PIPELINES_FILE = "azure-pipelines.yml";

/** Every CI definition file present: the GitHub workflows and azure-pipelines.yml. */
export function ciFiles(): string[] {
    return [...workflowFiles(), ...(repoFileExists(AZURE_PIPELINES_FILE) ? [AZURE_PIPELINES_FILE] : [])];
}
