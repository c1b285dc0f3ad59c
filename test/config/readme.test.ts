import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { STACK_CONFIG_SCHEMA } from "../../config/stackConfigSchema";
import { REPO_ROOT } from "../harness/runProgram";

describe("README", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

    it("starts with the install-and-plan command and the test command", () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        const commands = firstBlock.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter(Boolean);
        assert.deepEqual(commands, ["npm ci && npm start", "npm test"]);
        assert.ok(readme.indexOf("```sh") < readme.indexOf("\n## "), "the commands come before any section");
    });

    it("documents every config key with its default", () => {
        const section = readme.slice(readme.indexOf("\n## Configuration"), readme.indexOf("\n## ", readme.indexOf("\n## Configuration") + 1));
        for (const [key, definition] of Object.entries(STACK_CONFIG_SCHEMA)) {
            const row = section.split("\n").find((line) => line.startsWith(`| \`${key}\` |`));
            assert.ok(row, `no config row for ${key}`);
            const shown = definition.default === undefined ? "(required)" : JSON.stringify(definition.default).replace(/^"|"$/g, "");
            assert.ok(row.includes(shown), `${key} row does not show ${shown}: ${row}`);
        }
    });

    it("names only npm scripts that exist", () => {
        const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts);
        for (const [, script] of readme.matchAll(/npm run (?:-s )?([a-z-]+)/g)) {
            assert.ok(scripts.includes(script), `README runs npm run ${script}`);
        }
    });
});
