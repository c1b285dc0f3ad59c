import * as assert from "node:assert/strict";
import { redirectUriProblem } from "../../policy/rules/dbtRedirectUris";
import { APPLICATION_TYPE } from "../../policy/wellKnownIds";
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
