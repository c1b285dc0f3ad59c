import * as assert from "node:assert/strict";
import { evaluatePolicies } from "../../policy/evaluate";
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

    it("ignores resources of types no rule covers", () => {
        const verdicts = evaluatePolicies([{ type: "pulumi-nodejs:dynamic:Resource", name: "dbt", inputs: {}, options: {} }], AT);
        assert.ok(verdicts.every((v) => v.violations.length === 0));
    });
});
