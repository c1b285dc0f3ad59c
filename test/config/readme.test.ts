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

    it("has one ordered setup checklist, in the order issue 18 asks, with the CLI pin and doctor in it", () => {
        const setup = readme.slice(readme.indexOf("\n## Setup for a real tenant"), readme.indexOf("\n## Where to read next"));
        const steps = [...setup.matchAll(/^\*\*(\d+)\. ([^*]+)\*\*/gm)].map((m) => [Number(m[1]), m[2]] as const);
        assert.deepEqual(steps.map(([n]) => n), steps.map((_, i) => i + 1), "numbered 1, 2, 3, ...");
        const at = (pattern: RegExp) => steps.findIndex(([, title]) => pattern.test(title));
        const order = [/tenant/i, /state backend/i, /settings/i, /credentials/i, /Azure DevOps rights/i, /CI identities.*CLI pin/i, /what would fail/i, /first deploy/i].map(at);
        assert.ok(order.every((i) => i >= 0), `every step is there: ${steps.map(([, t]) => t).join(" / ")}`);
        assert.deepEqual(order, [...order].sort((a, b) => a - b), "in that order");
        assert.match(setup, /npm run pin-pulumi-cli -- \d+\.\d+\.\d+/);
        assert.match(setup, /npm run doctor -- --stack /);
        assert.match(setup, /azuread:tenantId/);
        assert.match(setup, /Storage Blob Data Contributor[\s\S]*Key Vault Crypto User/, "the person's roles on state and the key");
    });
});

describe("CI's stacks and the example stacks (issue 18 item 2)", () => {
    it("CI deploys only the stacks .ci/stacks.yml lists, and the example stacks the docs and the plan use are not among them", () => {
        const listed = /name: ciStacks\n\s+value: ([^\n]+)/.exec(fs.readFileSync(path.join(REPO_ROOT, ".ci", "stacks.yml"), "utf8"))?.[1].trim().split(/[\s,]+/) ?? [];
        assert.ok(listed.length > 0);
        for (const example of ["dev", "emea"]) {
            assert.ok(!listed.includes(example), `${example} is an example stack, not CI's`);
            assert.ok(fs.existsSync(path.join(REPO_ROOT, "stacks", `Pulumi.${example}.yaml`)));
        }
        for (const stack of listed) assert.ok(fs.existsSync(path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`)), `${stack} has its stack file`);
    });
});

describe("docs/ci-azure-pipelines.md (issue 17 item 5)", () => {
    it("requires limiting queue-time variables and locking the variable group's Library roles", () => {
        const page = fs.readFileSync(path.join(REPO_ROOT, "docs", "ci-azure-pipelines.md"), "utf8");
        assert.match(page, /\*\*Limit variables that can\s+be set at queue time\*\*/);
        assert.match(page, /Library roles/);
    });
});
