/**
 * Test-only API-host overrides (issue 17, item 5 and Why 9): AZDO_*_BASE_URL, DBT_CLOUD_HOST_URL and
 * AZURE_GRAPH_BASE_URL redirect where tokens and the client secret go, so they are honoured only
 * under the explicit test switch DBT_ADO_TEST_OVERRIDES=1; without it each one set is ignored and
 * the run's log says so, once, with the reason. Deploy and rotate refuse the switch itself.
 */
import * as assert from "assert/strict";
import {
    BASE_URL_OVERRIDES,
    baseUrlOverride,
    baseUrlOverrideProblem,
    ignoredBaseUrlOverrides,
    TEST_OVERRIDES_SWITCH,
    testOverridesEnabled,
    tokenUrlProblem,
} from "../../domain/baseUrlOverride";
import { logBaseUrlOverrides, OverrideLogSeverity } from "../../lib/http/baseUrlOverridesLog";
import { azureDevOpsHosts } from "../../providers/azuredevops/api/endpoints";
import { dbtApiHost } from "../../providers/dbtcloud/api/azureAdApplications";
import { FAST_HTTP_ENV } from "../http/fakeServer";

const SWITCH = { [TEST_OVERRIDES_SWITCH]: "1" };
const FAKE = "http://127.0.0.1:4321";

function logged(env: Record<string, string | undefined>): Array<[OverrideLogSeverity, string]> {
    const lines: Array<[OverrideLogSeverity, string]> = [];
    logBaseUrlOverrides(env, (line, severity) => lines.push([severity, line]));
    return lines;
}

describe("test-only API-host overrides (issue 17 item 5)", () => {
    it("keeps the switch's exact name, which harnesses outside the repository set", () => {
        assert.equal(TEST_OVERRIDES_SWITCH, "DBT_ADO_TEST_OVERRIDES");
        assert.equal(FAST_HTTP_ENV.DBT_ADO_TEST_OVERRIDES, "1", "the fakes' environment turns it on");
    });

    it("lists AZURE_GRAPH_BASE_URL beside the others, defaulting to Microsoft Graph", () => {
        assert.deepEqual(Object.keys(BASE_URL_OVERRIDES).sort(), ["AZDO_CORE_BASE_URL", "AZDO_VSAEX_BASE_URL", "AZDO_VSSPS_BASE_URL", "AZURE_GRAPH_BASE_URL", "DBT_CLOUD_HOST_URL"]);
        assert.equal(BASE_URL_OVERRIDES.AZURE_GRAPH_BASE_URL, "https://graph.microsoft.com");
        assert.equal(baseUrlOverride("AZURE_GRAPH_BASE_URL", { ...SWITCH, AZURE_GRAPH_BASE_URL: `${FAKE}/graph/` }), `${FAKE}/graph`);
        assert.throws(() => baseUrlOverride("AZURE_GRAPH_BASE_URL", { ...SWITCH, AZURE_GRAPH_BASE_URL: "http://graph.evil.example" }), /AZURE_GRAPH_BASE_URL must be an https:\/\/ URL/);
    });

    it("without the switch, ignores every override: the providers call the real hosts, even for a value that would be refused", () => {
        const env = { AZDO_CORE_BASE_URL: FAKE, AZDO_VSSPS_BASE_URL: FAKE, AZDO_VSAEX_BASE_URL: "http://proxy.evil.example", DBT_CLOUD_HOST_URL: `${FAKE}/api`, AZURE_GRAPH_BASE_URL: FAKE };
        assert.deepEqual(azureDevOpsHosts(env), { core: "https://dev.azure.com", vssps: "https://vssps.dev.azure.com", vsaex: "https://vsaex.dev.azure.com" });
        assert.equal(dbtApiHost("https://ab123.us1.dbt.com/api", env), "https://ab123.us1.dbt.com/api");
        for (const variable of Object.keys(BASE_URL_OVERRIDES)) {
            assert.equal(baseUrlOverride(variable, env), undefined, variable);
        }
    });

    it("honours the overrides only for exactly 1: true, yes or 0 leave them off", () => {
        for (const value of ["true", "yes", "0", " 1", ""]) {
            assert.equal(testOverridesEnabled({ [TEST_OVERRIDES_SWITCH]: value }), false, value);
            assert.equal(dbtApiHost("https://emea.dbt.com/api", { [TEST_OVERRIDES_SWITCH]: value, DBT_CLOUD_HOST_URL: `${FAKE}/api` }), "https://emea.dbt.com/api", value);
        }
        assert.equal(dbtApiHost("https://emea.dbt.com/api", { ...SWITCH, DBT_CLOUD_HOST_URL: `${FAKE}/api` }), `${FAKE}/api`);
        assert.equal(azureDevOpsHosts({ ...SWITCH, AZDO_CORE_BASE_URL: `${FAKE}/core/` }).core, `${FAKE}/core`);
    });

    it("logs one warning per ignored override, saying why and where the calls go, without echoing its value", () => {
        const lines = logged({ DBT_CLOUD_HOST_URL: "https://exfil.example/api", AZURE_GRAPH_BASE_URL: "https://exfil.example/graph", AZDO_CORE_BASE_URL: "" });
        assert.deepEqual(lines, [
            ["warning", "DBT_CLOUD_HOST_URL is set but ignored: it is a test-only override, honoured only with DBT_ADO_TEST_OVERRIDES=1; API calls go to https://<dbtCloudHost>/api."],
            ["warning", "AZURE_GRAPH_BASE_URL is set but ignored: it is a test-only override, honoured only with DBT_ADO_TEST_OVERRIDES=1; API calls go to https://graph.microsoft.com."],
        ]);
        assert.ok(lines.every(([, line]) => !line.includes("exfil")));
        assert.deepEqual(ignoredBaseUrlOverrides({ ...SWITCH, DBT_CLOUD_HOST_URL: `${FAKE}/api` }), [], "nothing is ignored under the switch");
        assert.deepEqual(logged({}), [], "nothing set, nothing said");
    });

    it("under the switch, logs each honoured override and refuses a bad one before anything is declared", () => {
        assert.deepEqual(logged({ ...SWITCH, AZURE_GRAPH_BASE_URL: `${FAKE}/` }), [
            ["info", `AZURE_GRAPH_BASE_URL=${FAKE} is in force: API calls go there instead of https://graph.microsoft.com.`],
        ]);
        assert.throws(() => logged({ ...SWITCH, DBT_CLOUD_HOST_URL: "http://localhost\t.evil.example/api" }), /DBT_CLOUD_HOST_URL holds a tab, line break/);
    });
});

describe("plain http only for localhost, checked on what URL parsing will call (issue 17, Why 9)", () => {
    it("refuses a tab or line break that URL parsing would drop: http://localhost\\t.evil.example is not localhost", () => {
        // What Node's URL (and fetch) make of it: the tab is removed, the host is the attacker's.
        assert.equal(new URL("http://localhost\t.evil.example/api").hostname, "localhost.evil.example");
        for (const value of ["http://localhost\t.evil.example", "http://localhost\n.evil.example/api", "http://127.0.0.1\r.evil.example",
            " http://localhost:1", "http://localhost:1 ", "http://localhost\u0000.x", "https://cloud.getdbt.com/a\u200bb"]) {
            assert.deepEqual(tokenUrlProblem(value), { kind: "hidden-characters" }, JSON.stringify(value));
        }
        assert.match(baseUrlOverrideProblem("DBT_CLOUD_HOST_URL", "http://localhost\t.evil.example") ?? "", /holds a tab, line break, space or other control character/);
    });

    it("still accepts https anywhere and plain http to the local machine", () => {
        for (const value of ["https://cloud.getdbt.com/api", "http://localhost:9000/api", "http://127.0.0.1:1/x", "http://[::1]:8080"]) {
            assert.equal(tokenUrlProblem(value), undefined, value);
        }
        assert.deepEqual(tokenUrlProblem("http://localhost.evil.example"), { kind: "insecure", target: "http://localhost.evil.example" });
    });
});
