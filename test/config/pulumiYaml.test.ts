import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { DEFAULT_MAX_LIFETIME_DAYS } from "../../policy/rules/clientSecretLifetime";
import { MAX_SECRET_LIFETIME_DAYS, STACK_CONFIG_SCHEMA } from "../../config/stackConfigSchema";
import { readProjectFile, stackNames } from "../../tools/plan/stackFiles";
import { REPO_ROOT } from "../harness/runProgram";

describe("Pulumi.yaml and the stack files", () => {
    const project = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));

    it("declares every key the program reads, with the program's type, default and description", () => {
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(STACK_CONFIG_SCHEMA).sort());
        for (const [key, definition] of Object.entries(STACK_CONFIG_SCHEMA)) {
            const declared = project.config[key];
            assert.equal(declared.type, definition.type, key);
            assert.equal(declared.description, definition.description, key);
            assert.deepEqual(declared.default, definition.default, key);
        }
    });

    it("caps secret lifetimes where the policy pack does", () => {
        assert.equal(MAX_SECRET_LIFETIME_DAYS, DEFAULT_MAX_LIFETIME_DAYS);
    });

    it("keeps the stack files in stacks/, as stackConfigDir says, and none beside Pulumi.yaml", () => {
        assert.equal(project.stackConfigDir, "stacks");
        const { stackDir } = readProjectFile(REPO_ROOT);
        assert.equal(stackDir, path.join(REPO_ROOT, "stacks"));
        assert.deepEqual(stackNames(stackDir), ["dev", "emea"]);
        assert.deepEqual(stackNames(REPO_ROOT), [], "a Pulumi.<stack>.yaml at the root would be ignored by the CLI");
    });

    it("keeps secrets out of every stack file", () => {
        const { stackDir } = readProjectFile(REPO_ROOT);
        for (const stack of stackNames(stackDir)) {
            const file = `Pulumi.${stack}.yaml`;
            const text = fs.readFileSync(path.join(stackDir, file), "utf8");
            assert.ok(!text.includes("secure:"), `${file} holds an encrypted value`);
            const keys = Object.keys(YAML.parse(text).config ?? {});
            assert.deepEqual(keys.filter((k) => /token|password|clientSecret/i.test(k)), [], file);
        }
    });
});
