import * as assert from "assert/strict";
import { redirectDomainProblem } from "../../domain/redirectUris";
import { only, runProgram, TYPES } from "../harness/runProgram";

const APP_OBJECT_ID = "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f01";
const SP_OBJECT_ID = "3f0e8a52-1b7c-4d2e-9a41-6c5b7d8e9f02";
const webUris = (run: Awaited<ReturnType<typeof runProgram>>) => (only(run, TYPES.application).inputs.web as { redirectUris: string[] }).redirectUris;

describe("DbtAzureDevOpsApp: several access hosts, custom domains, adoption", () => {
    it("plans every host's URIs, the primary first, and calls the primary's API", async () => {
        // A getdbt.com host is still accepted while dbt's extension for the account lasts (domain/dbtCloudHost.ts).
        const run = await runProgram({ config: { dbtCloudHost: "cloud.getdbt.com", dbtCloudAdditionalHosts: '["ab123.us1.dbt.com"]', dbtCloudLegacyHostExtendedUntil: "2027-02-03", dbtCloudAccountId: "12345" } });
        assert.deepEqual(webUris(run), [
            "https://cloud.getdbt.com/complete/azure_active_directory",
            "https://ab123.us1.dbt.com/complete/azure_active_directory",
        ]);
        const handover = only(run, "pulumi-nodejs:dynamic/entra:ClientSecretRotation").inputs.handover as { apiBaseUrl: string; redirectHosts: string[] };
        assert.equal(handover.apiBaseUrl, "https://cloud.getdbt.com/api");
        // dbt's redirect domain is judged against every host the app allows.
        assert.deepEqual(handover.redirectHosts, ["cloud.getdbt.com", "ab123.us1.dbt.com"]);
        assert.equal(run.outputs.dbtOauthRedirectDomain, "cloud.getdbt.com");
        assert.deepEqual(only(run, "dbt-azure-devops:entra:DbtAzureDevOpsApp").inputs.dbtCloudHosts, ["cloud.getdbt.com", "ab123.us1.dbt.com"]);
    });

    it("gives every host both URIs in service-user mode", async () => {
        const run = await runProgram({ config: { dbtCloudHost: "emea.dbt.com", dbtCloudAdditionalHosts: '["xy789.eu1.dbt.com"]', authMode: "service_user" } });
        assert.equal(webUris(run).length, 4);
        assert.ok(webUris(run).includes("https://xy789.eu1.dbt.com/complete/azure_active_directory_service_user"));
    });

    it("accepts a custom domain only with dbtCloudCustomDomain, and says it is custom", async () => {
        const run = await runProgram({ config: { dbtCloudHost: "dbt.acme.example", dbtCloudAdditionalHosts: '["acme.dbt.com"]', dbtCloudCustomDomain: "true" } });
        assert.deepEqual(webUris(run), ["https://dbt.acme.example/complete/azure_active_directory", "https://acme.dbt.com/complete/azure_active_directory"]);
        assert.deepEqual(only(run, "dbt-azure-devops:entra:DbtAzureDevOpsApp").inputs.customDomainHosts, ["dbt.acme.example"]);
        const plain = await runProgram();
        assert.equal(only(plain, "dbt-azure-devops:entra:DbtAzureDevOpsApp").inputs.customDomainHosts, undefined);
    });

    it("adopts an existing app and its principal with the import option, URNs unchanged", async () => {
        const run = await runProgram({ config: { existingApplicationObjectId: APP_OBJECT_ID.toUpperCase(), existingServicePrincipalObjectId: SP_OBJECT_ID } });
        const app = only(run, TYPES.application);
        const sp = only(run, TYPES.servicePrincipal, "-sp");
        assert.equal(app.options.import, `/applications/${APP_OBJECT_ID}`);
        assert.equal(sp.options.import, `/servicePrincipals/${SP_OBJECT_ID}`);
        const fresh = await runProgram();
        assert.deepEqual([app.name, app.parent, sp.name, sp.parent], [only(fresh, TYPES.application).name, only(fresh, TYPES.application).parent, only(fresh, TYPES.servicePrincipal, "-sp").name, only(fresh, TYPES.servicePrincipal, "-sp").parent]);
        assert.equal(only(fresh, TYPES.application).options.import, undefined);
        // Secrets are never imported: the rotation mints its own for the adopted app (the app's existing
        // secrets are someone else's: reported, never touched), and the declared shape is the usual one.
        assert.equal(run.resources.filter((r) => r.type === TYPES.password).length, 0);
        const rotation = only(run, "pulumi-nodejs:dynamic/entra:ClientSecretRotation");
        assert.equal(rotation.options.import, undefined);
        assert.equal(rotation.actualInputs.applicationObjectId, app.state?.objectId);
        assert.equal(only(run, "pulumi-nodejs:dynamic/entra:AppInstanceLock").options.import, undefined);
        assert.equal(app.inputs.signInAudience, "AzureADMultipleOrgs");
    });

    it("creates the principal when only the app is adopted", async () => {
        const run = await runProgram({ config: { existingApplicationObjectId: APP_OBJECT_ID } });
        assert.equal(only(run, TYPES.servicePrincipal, "-sp").options.import, undefined);
    });

    it("names the command that adds dbt's redirect domain when the app lacks it", () => {
        assert.equal(redirectDomainProblem("cloud.getdbt.com", ["cloud.getdbt.com"], 0, "not written"), undefined);
        assert.equal(redirectDomainProblem("", ["cloud.getdbt.com"], 0, "not written"), undefined);
        assert.match(String(redirectDomainProblem("ab123.us1.dbt.com", ["cloud.getdbt.com"], 0, "not written")),
            /not one of the app registration's hosts .*pulumi config set --path 'dbtCloudAdditionalHosts\[0\]' ab123\.us1\.dbt\.com$/);
        assert.match(String(redirectDomainProblem("https://XY.us1.dbt.com/", ["cloud.getdbt.com", "ab123.us1.dbt.com"], 1, "not written")), /'dbtCloudAdditionalHosts\[1\]' xy\.us1\.dbt\.com$/);
    });
});
