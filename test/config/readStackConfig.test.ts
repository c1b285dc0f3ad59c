import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/configError";
import { evaluateProgram } from "../../tools/plan/evaluateProgram";
import { readProjectFile } from "../../tools/plan/stackFiles";
import { REPO_ROOT, runProgram } from "../harness/runProgram";
import { plan, projectWith } from "../plan/planHelpers";
import { BAD_CONFIGS, problemAbout } from "./badConfigs";

async function configErrorOf(config: Record<string, string | null>): Promise<ConfigError> {
    try {
        await runProgram({ config });
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail(`config ${JSON.stringify(config)} was accepted`);
}

describe("stack configuration", () => {
    it("accepts the defaults plus an organization", async () => {
        const run = await runProgram();
        assert.ok(run.resources.length > 0);
    });

    it("accepts every documented dbt Cloud host form (getdbt.com hosts: test/config/legacyHost.test.ts)", async () => {
        for (const dbtCloudHost of ["https://emea.dbt.com", "https://au.dbt.com/", "ab123.us1.dbt.com", "https://XY789.eu1.dbt.com/", "acme.dbt.com"]) {
            await runProgram({ config: { dbtCloudHost } });
        }
    });

    for (const bad of BAD_CONFIGS) {
        it(`refuses ${bad.title}, naming ${bad.key}`, async () => {
            const error = await configErrorOf(bad.config);
            const line = problemAbout(error.message, bad.key);
            assert.ok(line, `no problem about ${bad.key} in:\n${error.message}`);
            assert.match(line, bad.message);
            assert.equal(error.problems.length, 1, error.message);
        });
    }

    it("reports every problem at once, in one error", async () => {
        const error = await configErrorOf({ adoOrganization: "dev.azure.com/acme", authMode: "oauth", secretRotationDays: "0", colour: "blue" });
        assert.equal(error.problems.length, 4, error.message);
        assert.match(error.message, /^Stack "test" has invalid configuration \(4 problems\):/);
        for (const key of ["adoOrganization", "authMode", "secretRotationDays", "colour"]) {
            assert.ok(problemAbout(error.message, key), `${key} missing from:\n${error.message}`);
        }
    });

    it("has at least fifteen distinct bad configurations under test", () => {
        assert.ok(new Set(BAD_CONFIGS.map((b) => b.title)).size >= 15);
    });

    describe("a key under a misspelt namespace (issue 18)", () => {
        const misspelt = "dbt-azure-devop:adoOrganization";

        it("is reported by the program, which the CLI hands every namespace's keys", async () => {
            const config = { ...readProjectFile(REPO_ROOT).defaults, "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", [misspelt]: "contoso-data", "azurad:tenantId": "x", "azuread:tenantId": "y", "aws:region": "eu-west-1", "dbt-azure-devops-prod:region": "z" };
            const error = await evaluateProgram({ project: "dbt-azure-devops", stack: "t", config, at: new Date("2026-11-27T09:00:00Z"), idStyle: "guid", serializeProviders: false }).then(
                () => assert.fail("accepted"),
                (e: unknown) => e as ConfigError,
            );
            assert.ok(error instanceof ConfigError, String(error));
            assert.deepEqual(error.problems, [
                "dbt-azure-devops:adoOrganization is required (Pulumi.yaml declares it without a default). Run: pulumi config set adoOrganization <value>",
                `${misspelt} is under namespace "dbt-azure-devop", which is not this project's, so it is never read (did you mean dbt-azure-devops:adoOrganization?); ` +
                    "rename the key to adoOrganization (no namespace needed) in Pulumi.t.yaml.",
                'azurad:tenantId is under namespace "azurad", which is not a provider\'s, so it is never read (did you mean azuread:tenantId?); rename the key to azuread:tenantId in Pulumi.t.yaml.',
            ], "a provider's own key, and other namespaces' keys that are not this program's, are left alone");
        });

        it("is reported by the offline plan from the stack file, with every other problem, exit 2 and no stack trace", async () => {
            const dir = projectWith("typo", { config: { "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", [misspelt]: "contoso-data", "dbt:adoProjects": ["Analytics"] } });
            const { code, stdout, stderr } = await plan(["--stack", "typo"], dir);
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.match(stderr, /^Stack "typo" has invalid configuration \(3 problems\):$/m);
            assert.match(stderr, /^ {2}- dbt-azure-devop:adoOrganization is under namespace "dbt-azure-devop", which is not this project's/m);
            assert.match(stderr, /^ {2}- dbt:adoProjects is under namespace "dbt", which is not this project's, so it is never read \(did you mean dbt-azure-devops:adoProjects\?\)/m);
            assert.doesNotMatch(stderr, /^\s+at /m);
        });
    });

    it("reads a 21-digit account id in a stack file exactly, and calls it too long, not rounded (issue 18)", async () => {
        const dir = projectWith("long", { config: { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com" } });
        const file = path.join(readProjectFile(dir).stackDir, "Pulumi.long.yaml");
        fs.appendFileSync(file, "  dbt-azure-devops:dbtCloudAccountId: 123456789012345678901\n  dbt-azure-devops:owners: [\"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\"]\n");
        const { code, stderr } = await plan(["--stack", "long"], dir);
        assert.equal(code, 2);
        assert.equal(stderr.split("\n").filter((line) => line.startsWith("  - ")).join("\n"),
            '  - dbt-azure-devops:dbtCloudAccountId "123456789012345678901" is too long (21 digits) to be a number here; use one from 0 to 9007199254740991.');
    });
});

