/**
 * Issue 17, Why 3: the pack's config, its rules and the CI definitions come from the pull request's
 * own tree, so they are code-owned. CODEOWNERS (at the root, so deleting .github/ keeps it) gives every file under the paths that decide
 * what the app may do an owner, and docs/policy-pack.md says what makes that bind (GitHub's
 * "Require review from Code Owners"; Azure Repos' required reviewers by path) and lists every rule.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { RULES } from "../../policy/rules";
import { REPO_ROOT } from "../pipelines/repoFiles";

/** What decides what the app may do and how it is deployed; a team on one CI system deletes the other's files. */
const OWNED = ["policy/", "stacks/", ".github/", "azure-pipelines.yml", ".ci/", "CODEOWNERS"].filter((p) => fs.existsSync(path.join(REPO_ROOT, p)));

interface OwnerRule {
    pattern: string;
    owners: string[];
}

function codeOwners(): OwnerRule[] {
    return fs.readFileSync(path.join(REPO_ROOT, "CODEOWNERS"), "utf8").split("\n")
        .map((line) => line.replace(/#.*$/, "").trim())
        .filter(Boolean)
        .map((line) => {
            const [pattern, ...owners] = line.split(/\s+/);
            return { pattern, owners };
        });
}

/** GitHub's rule for the subset used here: `/dir/` owns everything below it, `/file` that file. */
function matches(pattern: string, file: string): boolean {
    const anchored = pattern.slice(1);
    return anchored.endsWith("/") ? file.startsWith(anchored) : file === anchored;
}

/** The repository's files below `dir` (relative, `/`-separated), without dependencies and build output. */
function filesBelow(dir: string): string[] {
    const full = path.join(REPO_ROOT, dir);
    if (!fs.statSync(full).isDirectory()) {
        return [dir];
    }
    return fs.readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
        const rel = path.posix.join(dir, entry.name);
        if (entry.isDirectory()) {
            return ["node_modules", "dist"].includes(entry.name) ? [] : filesBelow(rel);
        }
        return [rel];
    });
}

describe("code owners (issue 17, Why 3)", () => {
    const rules = codeOwners();
    const docs = fs.readFileSync(path.join(REPO_ROOT, "docs", "policy-pack.md"), "utf8");

    it("uses only anchored paths, each with an owner, so the matcher below is GitHub's", () => {
        for (const { pattern, owners } of rules) {
            assert.match(pattern, /^\/[^*?[\]!\s]+$/, pattern);
            assert.ok(owners.length > 0 && owners.every((o) => /^@[\w.-]+(\/[\w.-]+)?$/.test(o)), `${pattern}: ${owners.join(" ")}`);
        }
    });

    for (const owned of OWNED) {
        it(`gives every file of ${owned} an owner (the last matching line wins)`, () => {
            const files = filesBelow(owned.replace(/\/$/, ""));
            assert.ok(files.length > 0, `nothing under ${owned}`);
            for (const file of files) {
                const last = [...rules].reverse().find((rule) => matches(rule.pattern, file));
                assert.ok(last && last.owners.length > 0, `${file} has no code owner`);
            }
        });
    }

    it("ships a placeholder team that docs/policy-pack.md tells the user to replace", () => {
        const teams = [...new Set(rules.flatMap((r) => r.owners))];
        assert.deepEqual(teams, ["@your-org/dbt-platform-owners"]);
        assert.match(docs, /Replace the placeholder team `@your-org\/dbt-platform-owners`/);
    });

    it("says which branch protection makes it bind, on GitHub and on Azure Repos (same paths)", () => {
        assert.match(docs, /\*\*Require review from Code Owners\*\*/);
        assert.match(docs, /\*\*Automatically included reviewers\*\*/);
        const filter = rules.map((r) => (r.pattern.endsWith("/") ? `${r.pattern}*` : r.pattern));
        assert.ok(docs.includes(`\`${filter.join("; ")}\``), `the Azure Repos path filter lists ${filter.join("; ")}`);
        assert.ok(docs.includes(`'${filter.join(";")}'`), "the az repos command uses the same filter");
    });

    it("lists every rule of the pack in docs/policy-pack.md", () => {
        for (const rule of RULES) {
            assert.match(docs, new RegExp(`^\\| \`${rule.name}\` \\|`, "m"), rule.name);
        }
    });
});
