import * as assert from "node:assert/strict";
import { redirectUriProblem } from "../../policy/rules/dbtRedirectUris";
import { APPLICATION_TYPE } from "../../policy/wellKnownIds";
import { runProgram } from "../harness/runProgram";
import { mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const POLICY = "entra-app-dbt-redirect-uris-only";

function withWebUris(uris: string[]) {
    return async () =>
        mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.web = { redirectUris: uris };
        });
}

describe(`policy ${POLICY}`, () => {
    it("passes on the program's redirect URIs", async () => {
        assert.deepEqual(verdictOf(POLICY, await programResources()).violations, []);
    });

    it("accepts both dbt Cloud paths on any access host", () => {
        for (const uri of [
            "https://cloud.getdbt.com/complete/azure_active_directory",
            "https://emea.dbt.com/complete/azure_active_directory_service_user",
            "https://ab123.us1.dbt.com/complete/azure_active_directory",
        ]) {
            assert.equal(redirectUriProblem(uri), undefined, uri);
        }
    });

    it("fails a dbt path on a host outside dbt's domains (the attacker case)", async () => {
        const verdict = verdictOf(POLICY, await withWebUris(["https://ab123.us1.dbt.com/complete/azure_active_directory", "https://attacker.example/complete/azure_active_directory"])());
        assert.equal(verdict.violations.length, 1);
        assert.match(verdict.violations[0], /attacker\.example/);
    });

    it("fails a dbt host that the stack does not declare", async () => {
        const verdict = verdictOf(POLICY, await withWebUris(["https://emea.dbt.com/complete/azure_active_directory"])());
        assert.match(verdict.violations.join("\n"), /is on host emea\.dbt\.com, not one of ab123\.us1\.dbt\.com \(the stack's dbtCloudHost/);
    });

    const CUSTOM = { dbtCloudHost: "dbt.acme.example", dbtCloudAdditionalHosts: '["ab123.us1.dbt.com"]', dbtCloudCustomDomain: "true" };

    it("fails a custom host that the stack declares but the pack config does not list (the stack cannot widen the pack)", async () => {
        const stack = (await runProgram({ config: CUSTOM })).resources;
        const violations = verdictOf(POLICY, stack).violations;
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(violations[0], /"https:\/\/dbt\.acme\.example\/complete\/azure_active_directory" is on host dbt\.acme\.example, not allowed by the policy pack: outside getdbt\.com, dbt\.com and not in its config's allowedHosts \(none\)/);
        assert.match(violations[0], /policy-pack config file/);
        // Another pack host list does not help either.
        assert.match(verdictOf(POLICY, stack, { [POLICY]: { allowedHosts: ["other.example"] } }).violations.join("\n"), /dbt\.acme\.example, not allowed by the policy pack/);
    });

    it("passes a custom host that the stack declares and the pack config's allowedHosts lists", async () => {
        const stack = (await runProgram({ config: CUSTOM })).resources;
        assert.deepEqual(verdictOf(POLICY, stack, { [POLICY]: { allowedHosts: ["DBT.acme.example"] } }).violations, []);
    });

    it("fails a host the pack lists but the stack does not declare, and names both reasons for a host neither allows", async () => {
        const stack = (await runProgram({ config: CUSTOM })).resources;
        const config = { [POLICY]: { allowedHosts: ["dbt.acme.example", "dbt.other.example"] } };
        const attacked = mutated(stack, APPLICATION_TYPE, (app) => {
            (app.inputs.web as { redirectUris: string[] }).redirectUris.push(
                "https://dbt.other.example/complete/azure_active_directory",
                "https://cloud.getdbt.com/complete/azure_active_directory",
                "https://attacker.example/complete/azure_active_directory",
            );
        });
        const violations = verdictOf(POLICY, attacked, config).violations;
        assert.equal(violations.length, 3, violations.join("\n"));
        assert.match(violations[0], /dbt\.other\.example, not one of dbt\.acme\.example, ab123\.us1\.dbt\.com \(the stack's dbtCloudHost and dbtCloudAdditionalHosts\)\.$/);
        assert.match(violations[1], /cloud\.getdbt\.com, not one of dbt\.acme\.example, ab123\.us1\.dbt\.com/);
        assert.match(violations[2], /attacker\.example, not one of .*; and not allowed by the policy pack/);
    });

    it("the pack's allowedDomains bound even dbt hosts the stack declares", async () => {
        const stack = (await runProgram({ config: { dbtCloudHost: "emea.dbt.com" } })).resources;
        assert.deepEqual(verdictOf(POLICY, stack).violations, []);
        assert.match(verdictOf(POLICY, stack, { [POLICY]: { allowedDomains: ["getdbt.com"] } }).violations.join("\n"), /emea\.dbt\.com, not allowed by the policy pack: outside getdbt\.com/);
        assert.deepEqual(verdictOf(POLICY, stack, { [POLICY]: { allowedDomains: [], allowedHosts: ["emea.dbt.com"] } }).violations, []);
    });

    it("without the stack's component, allows the pack's domains and allowedHosts only", () => {
        const app = { type: APPLICATION_TYPE, name: "app", inputs: { web: { redirectUris: ["https://dbt.acme.example/complete/azure_active_directory"] } }, options: {} };
        assert.match(verdictOf(POLICY, [app]).violations.join("\n"), /not allowed by the policy pack: outside getdbt\.com, dbt\.com/);
        assert.deepEqual(verdictOf(POLICY, [app], { [POLICY]: { allowedHosts: ["dbt.acme.example"] } }).violations, []);
        assert.match(verdictOf(POLICY, [app], { [POLICY]: { allowedHosts: ["other.example"] } }).violations.join("\n"), /allowedHosts \(other\.example\)/);
        assert.equal(redirectUriProblem("https://attacker.example/complete/azure_active_directory") !== undefined, true);
    });

    it("fails an http redirect URI", async () => {
        const verdict = verdictOf(POLICY, await withWebUris(["http://cloud.getdbt.com/complete/azure_active_directory"])());
        assert.match(verdict.violations.join("\n"), /is not https/);
    });

    it("fails a URI on another path, a query, or a trailing slash", async () => {
        const verdict = verdictOf(
            POLICY,
            await withWebUris([
                "https://cloud.getdbt.com/oauth/callback",
                "https://cloud.getdbt.com/complete/azure_active_directory?x=1",
                "https://cloud.getdbt.com/complete/azure_active_directory/",
            ])(),
        );
        assert.equal(verdict.violations.length, 3);
    });

    it("fails an app with no Web redirect URI", async () => {
        assert.match(verdictOf(POLICY, await withWebUris([])()).violations[0], /no Web redirect URI/);
    });
});
