import * as assert from "assert/strict";
import { ConfigError } from "../../config/configError";
import { runProgram } from "../harness/runProgram";
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
});
