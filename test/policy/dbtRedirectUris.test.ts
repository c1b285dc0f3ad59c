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
        const verdict = verdictOf(POLICY, await withWebUris(["https://cloud.getdbt.com/complete/azure_active_directory", "https://attacker.example/complete/azure_active_directory"])());
        assert.equal(verdict.violations.length, 1);
        assert.match(verdict.violations[0], /attacker\.example/);
    });

    it("fails a dbt host that the stack does not declare", async () => {
        const verdict = verdictOf(POLICY, await withWebUris(["https://emea.dbt.com/complete/azure_active_directory"])());
        assert.match(verdict.violations.join("\n"), /is on host emea\.dbt\.com, not one of cloud\.getdbt\.com \(the stack's dbtCloudHost/);
    });

    it("accepts exactly the stack's hosts, custom ones included, and nothing else", async () => {
        const stack = (await runProgram({ config: { dbtCloudHost: "dbt.acme.example", dbtCloudAdditionalHosts: '["ab123.us1.dbt.com"]', dbtCloudCustomDomain: "true" } })).resources;
        assert.deepEqual(verdictOf(POLICY, stack).violations, []);
        const attacked = mutated(stack, APPLICATION_TYPE, (app) => {
            (app.inputs.web as { redirectUris: string[] }).redirectUris.push("https://attacker.example/complete/azure_active_directory");
        });
        assert.match(verdictOf(POLICY, attacked).violations.join("\n"), /attacker\.example, not one of dbt\.acme\.example, ab123\.us1\.dbt\.com/);
    });

    it("without the stack's component, uses the pack config's allowedHosts, else dbt's domains", () => {
        const app = { type: APPLICATION_TYPE, name: "app", inputs: { web: { redirectUris: ["https://dbt.acme.example/complete/azure_active_directory"] } }, options: {} };
        assert.match(verdictOf(POLICY, [app]).violations.join("\n"), /outside dbt Cloud's domains/);
        assert.deepEqual(verdictOf(POLICY, [app], { [POLICY]: { allowedHosts: ["dbt.acme.example"] } }).violations, []);
        assert.match(verdictOf(POLICY, [app], { [POLICY]: { allowedHosts: ["other.example"] } }).violations.join("\n"), /policy config's allowedHosts/);
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

    it("fails SPA redirect URIs even on dbt's path", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.spa = { redirectUris: ["https://cloud.getdbt.com/complete/azure_active_directory"] };
        });
        assert.match(verdictOf(POLICY, resources).violations.join("\n"), /spa redirect URI/);
    });
});
