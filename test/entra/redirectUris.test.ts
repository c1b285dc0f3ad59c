import * as assert from "assert/strict";
import { dbtRedirectUris } from "../../domain/redirectUris";
import { only, runProgram, TYPES } from "../harness/runProgram";

describe("dbt Cloud redirect URIs", () => {
    const hosts = ["cloud.getdbt.com", "emea.dbt.com", "au.dbt.com", "ab123.us1.dbt.com", "acme.getdbt.com"];

    for (const host of hosts) {
        it(`for ${host}: only the sign-in path in service-principal mode`, () => {
            assert.deepEqual(dbtRedirectUris(host, "service_principal"), [`https://${host}/complete/azure_active_directory`]);
        });
        it(`for ${host}: sign-in and service-user paths in service-user mode`, () => {
            assert.deepEqual(dbtRedirectUris(host, "service_user"), [
                `https://${host}/complete/azure_active_directory`,
                `https://${host}/complete/azure_active_directory_service_user`,
            ]);
        });
    }

    it("reach the app registration from config, normalised from an https URL", async () => {
        const run = await runProgram({ config: { dbtCloudHost: "https://AB123.us1.dbt.com/", authMode: "service_user" } });
        assert.deepEqual((only(run, TYPES.application).inputs.web as { redirectUris: string[] }).redirectUris, [
            "https://ab123.us1.dbt.com/complete/azure_active_directory",
            "https://ab123.us1.dbt.com/complete/azure_active_directory_service_user",
        ]);
    });
});
