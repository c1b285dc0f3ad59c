/**
 * domain/entraEndpoints.ts and domain/knownErrors.ts: where the client secret and the deploying
 * identity's token may be sent, and the one-sentence cause and fix of Entra's known answers.
 */
import * as assert from "assert/strict";
import {
    authorityHost, DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_BASE_URL, graphBaseUrl, MICROSOFT_AUTHORITY_HOSTS,
} from "../../domain/entraEndpoints";
import { testOverridesEnabled } from "../../domain/baseUrlOverride";
import { explainKnownError, KNOWN_ERRORS } from "../../domain/knownErrors";
import { logBaseUrlOverrides } from "../../lib/http/baseUrlOverridesLog";

const TEST = { DBT_ADO_TEST_OVERRIDES: "1" };

describe("Entra endpoints: the authority and Microsoft Graph", () => {
    it("uses Microsoft's public authority by default, and any of Microsoft's national clouds when asked", () => {
        assert.deepEqual(authorityHost({}), { url: DEFAULT_AUTHORITY_HOST, isTestAuthority: false });
        assert.deepEqual(authorityHost({ AZURE_AUTHORITY_HOST: "  " }), { url: DEFAULT_AUTHORITY_HOST, isTestAuthority: false });
        for (const host of MICROSOFT_AUTHORITY_HOSTS) {
            assert.deepEqual(authorityHost({ AZURE_AUTHORITY_HOST: `${host.toUpperCase()}/` }), { url: host, isTestAuthority: false });
        }
        assert.deepEqual(MICROSOFT_AUTHORITY_HOSTS, ["https://login.microsoftonline.com", "https://login.chinacloudapi.cn", "https://login.microsoftonline.us"]);
    });

    it("refuses any other AZURE_AUTHORITY_HOST unless the test switch is on, naming the variable and why", () => {
        for (const value of ["https://login.evil.example", "https://127.0.0.1:8443", "http://login.microsoftonline.com"]) {
            assert.throws(() => authorityHost({ AZURE_AUTHORITY_HOST: value }),
                (error: Error) => error.message.startsWith(`AZURE_AUTHORITY_HOST is "${value}", which is not one of Microsoft's authorities`) &&
                    /the client secret would be sent there\. Unset it, or set it to your cloud's authority\.$/.test(error.message), value);
        }
        // The switch is exactly "1".
        assert.throws(() => authorityHost({ AZURE_AUTHORITY_HOST: "https://127.0.0.1:8443", DBT_ADO_TEST_OVERRIDES: "true" }), /not one of Microsoft's authorities/);
    });

    it("under the test switch, takes an https authority only (msal refuses plain http), without a user or password", () => {
        assert.deepEqual(authorityHost({ ...TEST, AZURE_AUTHORITY_HOST: "https://127.0.0.1:8443/" }), { url: "https://127.0.0.1:8443", isTestAuthority: true });
        for (const value of ["http://127.0.0.1:8443", "http://localhost:1", "https://user:pw@127.0.0.1:8443", "127.0.0.1:8443"]) {
            assert.throws(() => authorityHost({ ...TEST, AZURE_AUTHORITY_HOST: value }), /^Error: AZURE_AUTHORITY_HOST must be an https:\/\/ URL without a user or password/, value);
        }
    });

    it("calls Graph at graph.microsoft.com unless AZURE_GRAPH_BASE_URL is set under the test switch", () => {
        assert.equal(graphBaseUrl({}), DEFAULT_GRAPH_BASE_URL);
        assert.equal(graphBaseUrl({ AZURE_GRAPH_BASE_URL: "https://graph.evil.example" }), DEFAULT_GRAPH_BASE_URL, "ignored without the switch");
        assert.equal(graphBaseUrl({ ...TEST }), DEFAULT_GRAPH_BASE_URL);
        assert.equal(graphBaseUrl({ ...TEST, AZURE_GRAPH_BASE_URL: "https://127.0.0.1:8443/" }), "https://127.0.0.1:8443");
        assert.equal(graphBaseUrl({ ...TEST, AZURE_GRAPH_BASE_URL: "http://localhost:8080" }), "http://localhost:8080", "plain http for the local machine only");
        assert.throws(() => graphBaseUrl({ ...TEST, AZURE_GRAPH_BASE_URL: "http://graph.example" }), /^Error: AZURE_GRAPH_BASE_URL must be an https:\/\/ URL \(plain http only for 127\.0\.0\.1 and localhost\)/);
        assert.throws(() => graphBaseUrl({ ...TEST, AZURE_GRAPH_BASE_URL: "https://u:p@graph.example" }), /AZURE_GRAPH_BASE_URL carries a user or password/);
        assert.throws(() => graphBaseUrl({ ...TEST, AZURE_GRAPH_BASE_URL: "graph" }), /AZURE_GRAPH_BASE_URL is not a URL/);
        assert.equal(testOverridesEnabled({ DBT_ADO_TEST_OVERRIDES: "0" }), false);
    });
});

describe("Entra endpoint overrides in the run's log (issue 15: logged when in force)", () => {
    const logged = (env: Record<string, string>) => {
        const lines: string[] = [];
        logBaseUrlOverrides(env, (line) => lines.push(line));
        return lines;
    };

    it("logs the test Graph base URL and a test or national-cloud authority", () => {
        assert.deepEqual(logged({ ...TEST, AZURE_GRAPH_BASE_URL: "https://127.0.0.1:8443/", AZURE_AUTHORITY_HOST: "https://127.0.0.1:8443" }), [
            "AZURE_GRAPH_BASE_URL=https://127.0.0.1:8443 is in force: API calls go there instead of https://graph.microsoft.com.",
            "AZURE_AUTHORITY_HOST=https://127.0.0.1:8443 is in force: Entra tokens are requested there, and each new client secret is proven there, instead of https://login.microsoftonline.com.",
        ]);
        assert.deepEqual(logged({ AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us" }), [
            "AZURE_AUTHORITY_HOST=https://login.microsoftonline.us is in force: Entra tokens are requested there, and each new client secret is proven there, instead of https://login.microsoftonline.com.",
        ]);
        assert.deepEqual(logged({}), []);
        assert.deepEqual(logged({ AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/" }), [], "the default is not an override");
    });

    it("says that AZURE_GRAPH_BASE_URL is ignored without the test switch, and fails the run on a refused address", () => {
        assert.deepEqual(logged({ AZURE_GRAPH_BASE_URL: "https://127.0.0.1:8443" }), [
            "AZURE_GRAPH_BASE_URL is set but ignored: it is a test-only override, honoured only with DBT_ADO_TEST_OVERRIDES=1; API calls go to https://graph.microsoft.com.",
        ]);
        assert.throws(() => logged({ AZURE_AUTHORITY_HOST: "https://login.evil.example" }), /AZURE_AUTHORITY_HOST is "https:\/\/login\.evil\.example", which is not one of Microsoft's authorities/);
        assert.throws(() => logged({ ...TEST, AZURE_GRAPH_BASE_URL: "http://graph.example" }), /AZURE_GRAPH_BASE_URL must be an https:\/\/ URL/);
    });
});

describe("known errors: one sentence of cause and fix", () => {
    const samples: Record<string, string> = {
        AADSTS7000215: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value",
        AADSTS7000222: "invalid_client: AADSTS7000222: The provided client secret keys for app 'x' are expired.",
        AADSTS50011: "AADSTS50011: The redirect URI 'https://x/complete/azure_active_directory' specified in the request does not match",
        AADSTS65001: "AADSTS65001: The user or administrator has not consented to use the application",
        AADSTS700016: "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.",
        CredentialInvalidLifetimeAsPerAppPolicy: "POST https://graph.microsoft.com/v1.0/applications/x/addPassword failed with HTTP 400: CredentialInvalidLifetimeAsPerAppPolicy: Credential lifetime exceeds",
        CredentialTypeNotAllowedAsPerAppPolicy: "HTTP 400: CredentialTypeNotAllowedAsPerAppPolicy: Credential type not allowed as per assigned policy",
        TF400813: "TF400813: The user '' is not authorized to access this resource.",
    };

    it("explains every known code, each with its fix, and only that code", () => {
        assert.deepEqual(KNOWN_ERRORS.map((k) => k.code).sort(), Object.keys(samples).sort());
        for (const known of KNOWN_ERRORS) {
            assert.equal(explainKnownError(samples[known.code]), known.explanation, known.code);
            assert.ok(/[.;]/.test(known.explanation) && known.explanation.length < 400, `${known.code}: one sentence`);
        }
        assert.match(explainKnownError(samples.CredentialInvalidLifetimeAsPerAppPolicy)!, /lower secretRotationDays \(or secretOverlapDays\)/);
        assert.match(explainKnownError(samples.AADSTS7000215)!, /not yet replicated .* secret's ID was pasted in place of its value/);
        assert.match(explainKnownError(samples.AADSTS50011)!, /pulumi config set dbtCloudHost/);
    });

    it("says nothing for an unknown answer, and never takes a longer code for a shorter one", () => {
        assert.equal(explainKnownError("HTTP 500: something else"), undefined);
        assert.equal(explainKnownError(""), undefined);
        // AADSTS7000215x is not AADSTS7000215; AADSTS7000216 is another code.
        assert.equal(explainKnownError("AADSTS70002150"), undefined);
        assert.equal(explainKnownError("AADSTS7000216: x"), undefined);
        assert.equal(explainKnownError("AADSTS7000222 then AADSTS7000215"), KNOWN_ERRORS.find((k) => k.code === "AADSTS7000215")!.explanation, "the first known code in the list wins");
    });
});
