/**
 * Issue 17, Why 2: settings on the Application that passed every mandatory rule, each with the rule
 * that now names it: an inline password, public client flows, the implicit grant, and redirect URIs
 * under singlePageApplication or publicClient.
 */
import * as assert from "node:assert/strict";
import { PlannedResource } from "../../policy/evaluate";
import { APPLICATION_TYPE } from "../../policy/wellKnownIds";
import { NOT_KNOWN_YET, inPreview } from "./preview";
import { mutated, programResources } from "./programResources";
import { verdictOf } from "./verdicts";

const DBT_URI = "https://cloud.getdbt.com/complete/azure_active_directory";

async function appWith(change: (inputs: Record<string, unknown>) => void): Promise<PlannedResource[]> {
    return mutated(await programResources(), APPLICATION_TYPE, (app) => change(app.inputs));
}

const CASES: { policy: string; what: string; change: (inputs: Record<string, unknown>) => void; message: RegExp; passing?: (inputs: Record<string, unknown>) => void }[] = [
    {
        policy: "entra-app-no-inline-password", what: "an inline password block",
        change: (i) => (i.password = { displayName: "backdoor", endDate: "2028-01-01T00:00:00Z" }),
        message: /^dbt-azure-devops-app: declares an inline `password` credential: a client secret the rotation does not manage/,
        passing: (i) => (i.password = null),
    },
    {
        policy: "entra-app-no-public-client-flows", what: "fallbackPublicClientEnabled",
        change: (i) => (i.fallbackPublicClientEnabled = true),
        message: /^dbt-azure-devops-app: allows public client flows \(fallbackPublicClientEnabled\): device-code and password flows/,
        passing: (i) => (i.fallbackPublicClientEnabled = false),
    },
    {
        policy: "entra-app-no-implicit-grant", what: "implicit grant of access tokens",
        change: (i) => ((i.web as Record<string, unknown>).implicitGrant = { accessTokenIssuanceEnabled: true }),
        message: /^dbt-azure-devops-app: turns on the implicit grant \(web\.implicitGrant\.accessTokenIssuanceEnabled\)/,
        passing: (i) => ((i.web as Record<string, unknown>).implicitGrant = { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false }),
    },
    {
        policy: "entra-app-no-implicit-grant", what: "implicit grant of ID tokens",
        change: (i) => ((i.web as Record<string, unknown>).implicitGrant = { idTokenIssuanceEnabled: true }),
        message: /implicitGrant\.idTokenIssuanceEnabled/,
    },
    {
        policy: "entra-app-web-redirect-uris-only", what: "a single-page-application redirect URI on dbt's own path",
        change: (i) => (i.singlePageApplication = { redirectUris: [DBT_URI] }),
        message: /^dbt-azure-devops-app: singlePageApplication redirect URI "https:\/\/cloud\.getdbt\.com\/complete\/azure_active_directory" is not allowed: a browser app/,
        passing: (i) => (i.singlePageApplication = { redirectUris: [] }),
    },
    {
        policy: "entra-app-web-redirect-uris-only", what: "a public-client (native) redirect URI",
        change: (i) => (i.publicClient = { redirectUris: ["ms-appx-web://microsoft.aad.brokerplugin/x"] }),
        message: /^dbt-azure-devops-app: publicClient redirect URI "ms-appx-web:\/\/microsoft\.aad\.brokerplugin\/x" is not allowed: a native app/,
    },
];

describe("Application hardening policies (issue 17, Why 2)", () => {
    for (const rule of [...new Set(CASES.map((c) => c.policy))]) {
        it(`${rule} passes the program's app registration`, async () => {
            const verdict = verdictOf(rule, await programResources());
            assert.equal(verdict.enforcementLevel, "mandatory");
            assert.deepEqual(verdict.violations, []);
        });
    }

    for (const c of CASES) {
        it(`${c.policy} fails ${c.what}`, async () => {
            const violations = verdictOf(c.policy, await appWith(c.change)).violations;
            assert.equal(violations.length, 1, violations.join("\n"));
            assert.match(violations[0], c.message);
            // The allow-list refuses the same input too: the program never sets it.
            assert.ok(verdictOf("declared-resources-only", await appWith(c.change)).violations.length > 0);
        });
        if (c.passing) {
            const passing = c.passing;
            it(`${c.policy} passes the same setting left off`, async () => {
                assert.deepEqual(verdictOf(c.policy, await appWith(passing)).violations, []);
            });
        }
    }

    it("fails what is not known until the update (preview): the setting cannot be shown to be off", async () => {
        const app = (await appWith((i) => {
            i.fallbackPublicClientEnabled = NOT_KNOWN_YET.string;
            (i.web as Record<string, unknown>).implicitGrant = NOT_KNOWN_YET.object;
            i.publicClient = { redirectUris: NOT_KNOWN_YET.array };
        })).map((r) => (r.type === APPLICATION_TYPE ? inPreview(r) : r));
        assert.equal(verdictOf("entra-app-no-public-client-flows", app).violations.length, 1);
        assert.equal(verdictOf("entra-app-no-implicit-grant", app).violations.length, 2);
        assert.match(verdictOf("entra-app-web-redirect-uris-only", app).violations[0], /publicClient redirect URIs are not known until the update/);
    });
});
