import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { readProjectFile } from "../../tools/plan/stackFiles";
import { REPO_ROOT } from "../harness/runProgram";
import { plan } from "../plan/planHelpers";

describe("README", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

    it("starts with the install-and-plan command and the test command", () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        const commands = firstBlock.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter(Boolean);
        assert.deepEqual(commands, ["npm ci && npm start", "npm test"]);
        assert.ok(readme.indexOf("```sh") < readme.indexOf("\n## "), "the commands come before any section");
    });

    it("links docs/configuration.md, whose config table is Pulumi.yaml's config block: the same keys, in order, with its defaults", () => {
        assert.match(readme, /\]\(docs\/configuration\.md\)/);
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "configuration.md"), "utf8");
        const section = doc.slice(doc.indexOf("\n## Keys"), doc.indexOf("\n## ", doc.indexOf("\n## Keys") + 1));
        const rows = section.split("\n").filter((line) => /^\| `[A-Za-z]+` \|/.test(line)).map((line) => line.split(" | "));
        const { declarations } = readProjectFile(REPO_ROOT);
        assert.deepEqual(rows.map(([key]) => key.replace(/^\| `|`$/g, "")), Object.keys(declarations));
        for (const [key, shownDefault] of rows) {
            const declared = declarations[key.replace(/^\| `|`$/g, "")];
            const expected = !("default" in declared)
                ? "*(required)*"
                : `\`${typeof declared.default === "string" && declared.default !== "" ? declared.default : JSON.stringify(declared.default)}\``;
            assert.equal(shownDefault, expected, `${key} row`);
        }
    });

    it("names only npm scripts that exist", () => {
        const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts);
        for (const [, script] of readme.matchAll(/npm run (?:-s )?([a-z-]+)/g)) {
            assert.ok(scripts.includes(script), `README runs npm run ${script}`);
        }
    });

    it("has an outputs table that lists every stack output the program can have, and nothing else", async () => {
        const section = readme.slice(readme.indexOf("\n## Stack outputs"), readme.indexOf("\n## ", readme.indexOf("\n## Stack outputs") + 1));
        const rows = section.split("\n").filter((line) => /^\| `[A-Za-z]+` \|/.test(line)).map((line) => line.split(" | ")[0].replace(/^\| `|`$/g, ""));
        // dev writes dbt Cloud's record (dbtOauthRedirectDomain), emea leaves it to a person (clientSecret).
        const outputs = new Set<string>();
        for (const stack of ["dev", "emea"]) {
            const { code, stdout } = await plan(["--stack", stack, "--json", "--at", "2026-12-06"]);
            assert.equal(code, 0);
            Object.keys((JSON.parse(stdout) as { outputs: Record<string, unknown> }).outputs).forEach((name) => outputs.add(name));
        }
        assert.deepEqual([...rows].sort(), [...outputs].sort());
    });

    it("links every docs/ page and CONTRIBUTING.md under \"Where to read next\"", () => {
        const next = readme.slice(readme.indexOf("\n## Where to read next"));
        const pages = fs.readdirSync(path.join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);
        for (const page of [...pages, "CONTRIBUTING.md"]) {
            assert.ok(next.includes(`](${page})`), `README's "Where to read next" links ${page}`);
        }
    });
});
