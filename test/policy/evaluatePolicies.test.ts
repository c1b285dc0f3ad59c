import * as assert from "node:assert/strict";
import { evaluatePolicies, PolicyPackConfig } from "../../policy/evaluate";
import { RULES } from "../../policy/rules";
import { APPLICATION_TYPE } from "../../policy/wellKnownIds";
import { AT, mutated, programResources } from "./programResources";

describe("evaluatePolicies (the offline plan's verdicts)", () => {
    it("returns one verdict per policy, all clean on the program's output", async () => {
        const verdicts = evaluatePolicies(await programResources(), AT);
        assert.deepEqual(
            verdicts.map((v) => v.policy),
            RULES.map((r) => r.name),
        );
        assert.deepEqual(
            verdicts.filter((v) => v.violations.length > 0),
            [],
        );
    });

    it("names the offending resource in each violation", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.signInAudience = "AzureADMyOrg";
        });
        const app = resources.find((r) => r.type === APPLICATION_TYPE);
        const verdict = evaluatePolicies(resources, AT).find((v) => v.policy === "entra-app-multitenant");
        assert.ok(verdict?.violations[0]?.startsWith(`${app?.name}: `), verdict?.violations[0]);
    });

    it("refuses a resource of a type the program does not declare by the allow-list alone; the other rules do not apply to it", () => {
        const verdicts = evaluatePolicies([{ type: "pulumi-nodejs:dynamic:Resource", name: "dbt", inputs: {}, options: {} }], AT);
        assert.deepEqual(verdicts.filter((v) => v.violations.length > 0).map((v) => v.policy), ["declared-resources-only"]);
    });

    it("starts from the pack's own config (policy/config.json) and lets a given config override it key by key, as the engine layers them", async () => {
        const resources = await programResources();
        const owners = (config?: PolicyPackConfig) => evaluatePolicies(resources, AT, config).find((v) => v.policy === "entra-app-owners-pinned")?.violations;
        assert.deepEqual(owners(), [], "policy/config.json lists dev's owner");
        assert.equal(owners({ "entra-app-owners-pinned": { allowedOwners: [] } })?.length, 2, "the Application's owner and the service principal's");
        assert.deepEqual(owners({ "entra-app-owners-pinned": { enforcementLevel: "mandatory" } }), [], "a level alone keeps the own config's keys");
    });

    it("passes the stack it plans to the rules (the engine reads it from the URN)", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.options.protect = false;
        });
        const verdict = (stack?: string) => evaluatePolicies(resources, AT, { "entra-app-protected": { teardownStacks: ["dev"] } }, { stack }).find((v) => v.policy === "entra-app-protected")?.violations;
        assert.deepEqual(verdict("dev"), []);
        assert.equal(verdict("prod")?.length, 1);
    });
});
