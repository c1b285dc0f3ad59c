/**
 * Issue 17, Why 9: config errors echoed the values of secret config keys. A key stored as a secret
 * (`pulumi config set --secret`, `secure:` in the stack file) keeps its value out of every config
 * error, whichever rule it breaks, alone or across keys. The program is evaluated as the CLI runs
 * it: the config and the secret keys' names handed to the SDK (PULUMI_CONFIG_SECRET_KEYS under the
 * engine, setAllConfig under mocks), read back by readStackConfig.
 */
import * as assert from "assert/strict";
import { ConfigError } from "../../config/configError";
import { evaluateProgram } from "../../tools/plan/evaluateProgram";
import { readProjectFile } from "../../tools/plan/stackFiles";
import { BASE_CONFIG, PROJECT, REPO_ROOT } from "../harness/runProgram";
import { BAD_CONFIGS, problemAbout } from "./badConfigs";

/** The ConfigError of the program under `config`, with the keys in `secret` passed as secrets. */
async function configErrorOf(config: Record<string, string | null>, secret: string[]): Promise<ConfigError> {
    const values: Record<string, string> = { ...readProjectFile(REPO_ROOT).defaults };
    for (const [key, value] of Object.entries({ ...BASE_CONFIG, ...config })) {
        if (value === null) {
            delete values[`${PROJECT}:${key}`];
        } else {
            values[`${PROJECT}:${key}`] = value;
        }
    }
    try {
        await evaluateProgram({
            project: PROJECT, stack: "test", config: values, secretKeys: secret.map((key) => `${PROJECT}:${key}`),
            at: new Date("2026-11-27T09:00:00Z"), idStyle: "guid", serializeProviders: false,
        });
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail(`config ${JSON.stringify(config)} was accepted`);
}

/** What of a secret value must not appear: the value, trimmed, each list item, and each of its words (letters or digits). */
function traces(value: string): RegExp[] {
    let items: string[] = [];
    try {
        const parsed: unknown = JSON.parse(value);
        items = Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
        items = [];
    }
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const literal = [value, value.trim(), ...items].filter((t) => t !== "").map((t) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(t)}(?![\\p{L}\\p{N}])`, "iu"));
    const words = [...value.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0].replace(/^0+(?=\d)/, ""))
        .map((word) => new RegExp(`(?<![\\p{L}\\p{N}])0*${escape(word)}(?![\\p{L}\\p{N}])`, "iu"));
    return [...literal, ...words];
}

describe("config errors never echo a secret setting's value (issue 17, Why 9)", function () {
    this.timeout(60_000);

    for (const bad of BAD_CONFIGS.filter((b) => Object.values(b.config).some((v) => v !== null))) {
        it(`${bad.title}: names ${bad.key}, shows none of the secret value`, async () => {
            const secret = Object.keys(bad.config).filter((key) => bad.config[key] !== null);
            const error = await configErrorOf(bad.config, secret);
            const line = problemAbout(error.message, bad.key);
            assert.ok(line, `no problem about ${bad.key} in:\n${error.message}`);
            // Each problem as a user reads it, without the key it names (the project's name is not a secret).
            const problems = error.message.split("\n").filter((l) => l.startsWith("  - ")).map((l) => l.replace(/^ {2}- [\w-]+:\w+ /, ""));
            for (const key of secret) {
                for (const trace of traces(String(bad.config[key]))) {
                    for (const problem of problems) {
                        assert.doesNotMatch(problem, trace, `${key}'s value shows as ${trace}:\n${error.message}`);
                    }
                }
            }
        });
    }

    it("says the value is hidden, and still names the rule it broke", async () => {
        const own = await configErrorOf({ secretRotationDays: "3", adoAccessLevel: "basic" }, ["secretRotationDays", "adoAccessLevel"]);
        assert.match(problemAbout(own.message, "secretRotationDays") ?? "", /^ {2}- dbt-azure-devops:secretRotationDays \(a secret: its value is not shown\) \[secret\] is out of range; use a number from 7 to 180\.$/);
        assert.match(problemAbout(own.message, "adoAccessLevel") ?? "", /\(a secret: its value is not shown\) "\[secret\]" is not one of "stakeholder", "express", "advanced"/);
    });

    it("hides the numbers of a rule across keys that a secret takes part in: no sum gives the secret away", async () => {
        const error = await configErrorOf({ secretRotationDays: "180", secretOverlapDays: "14" }, ["secretRotationDays"]);
        const line = problemAbout(error.message, "secretRotationDays") ?? "";
        assert.match(line, /makes each secret live \[secret\] x \[secret\] \+ \[secret\] = \[secret\] days, .*\(a secret setting is involved: values are not shown\)$/);
        assert.doesNotMatch(line, /180|374/);
    });

    it("leaves problems that no secret takes part in as they were", async () => {
        const error = await configErrorOf({ secretRotationDays: "3", adoAccessLevel: "basic" }, ["appDisplayName"]);
        assert.match(problemAbout(error.message, "secretRotationDays") ?? "", /secretRotationDays 3 is out of range/);
        assert.match(problemAbout(error.message, "adoAccessLevel") ?? "", /"basic" is not one of/);
        const across = await configErrorOf({ dbtCloudHost: "dbt.acme.example" }, ["adoOrganization"]);
        assert.match(problemAbout(across.message, "dbtCloudHost") ?? "", /"dbt\.acme\.example" is not a dbt Cloud host/);
    });
});
