/**
 * The doctor's Entra checks for a user signed in with `az login`, whose token the fake identity
 * platform cannot issue (it serves client credentials only): a user's Graph token is handed in, and
 * Graph's role-assignment read (`GET /roleManagement/directory/roleAssignments?$filter=principalId
 * eq '{id}'`, "List unifiedRoleAssignments"; 403 Authorization_RequestDenied without
 * RoleManagement.Read.Directory) is served by a plain fake on 127.0.0.1 (https, as Graph is).
 */
import * as assert from "assert/strict";
import { DIRECTORY_ROLES, entraChecks, signInToGraph } from "../../tools/doctor/entra";
import { StackContext } from "../../tools/doctor/stackContext";
import { FakeServer, Reply } from "../http/fakeServer";
import { testCertificate } from "../http/testCertificate";

const TENANT = "7e57a7e5-0000-4000-8000-000000000001";
const USER = "7e57a7e5-0000-4000-8000-0000000000b7";

function userToken(claims: Record<string, unknown>): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${part({ typ: "JWT", alg: "RS256" })}.${part({ tid: TENANT, oid: USER, idtyp: "user", upn: "ada@contoso.com", scp: "Directory.AccessAsUser.All", ...claims })}.sig`;
}

const context = {
    stack: "prod", at: new Date("2026-12-06T12:00:00Z"),
    config: { adminConsent: true, secretRotationDays: 90, secretOverlapDays: 14, appDisplayName: "dbt Labs Azure DevOps App (prod)" },
} as unknown as StackContext;

describe("npm run doctor: a user signed in with az login", () => {
    let graph: FakeServer;
    let assignments: Reply;
    let env: NodeJS.ProcessEnv;

    before(async () => {
        const { key, cert } = testCertificate();
        graph = new FakeServer((request) => {
            if (request.path === "/v1.0/roleManagement/directory/roleAssignments") {
                assert.equal(request.query.get("$filter"), `principalId eq '${USER}'`);
                return assignments;
            }
            if (request.path === "/v1.0/policies/defaultAppManagementPolicy") {
                return { status: 200, body: { id: "00000000-0000-0000-0000-000000000000", isEnabled: false, applicationRestrictions: { passwordCredentials: [] } } };
            }
            if (request.path.startsWith("/v1.0/servicePrincipals(appId=")) return { status: 200, body: { id: "sp" } };
            return { status: 404, body: { error: { code: "Request_ResourceNotFound", message: "no such route" } } };
        }, { tls: { key, cert } });
        env = { DBT_ADO_TEST_OVERRIDES: "1", AZURE_GRAPH_BASE_URL: await graph.start(), DBT_ADO_HTTP_MAX_RETRIES: "0" };
    });
    after(async () => graph.stop());

    async function run(claims: Record<string, unknown>) {
        const token = userToken(claims);
        const outcome = await signInToGraph(env, { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });
        assert.ok(outcome.ok);
        const results = await entraChecks(context, outcome, Promise.resolve({ ok: true, value: undefined }));
        return new Map(results.map((r) => [r.id, r]));
    }

    it("names the user, and reads its roles from its role assignments", async () => {
        assignments = { status: 200, body: { value: [{ roleDefinitionId: DIRECTORY_ROLES.cloudApplicationAdministrator, principalId: USER }] } };
        const byId = await run({});
        assert.match(byId.get("entra.signIn")!.detail, /Signed in as the user ada@contoso\.com in tenant 7e57a7e5-0000-4000-8000-000000000001/);
        assert.equal(byId.get("entra.appRights")!.status, "pass");
        assert.match(byId.get("entra.appRights")!.detail, /Cloud Application Administrator/);
        assert.equal(byId.get("entra.consentRights")!.status, "pass");
    });

    it("uses the token's wids when the assignments cannot be read, and an Application Developer may create a new app but not grant consent", async () => {
        assignments = { status: 403, body: { error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation." } } };
        const byId = await run({ wids: [DIRECTORY_ROLES.applicationDeveloper] });
        assert.equal(byId.get("entra.appRights")!.status, "pass");
        assert.match(byId.get("entra.appRights")!.detail, /Application Developer, which creates app registrations and owns them/);
        assert.equal(byId.get("entra.consentRights")!.status, "warn");
    });

    it("says what it cannot see when no role is found: PIM-eligible roles, and tenants where every user may register apps", async () => {
        assignments = { status: 200, body: { value: [] } };
        const byId = await run({});
        for (const id of ["entra.appRights", "entra.consentRights"] as const) {
            assert.equal(byId.get(id)!.status, "warn", id);
        }
        assert.match(byId.get("entra.appRights")!.detail, /PIM-eligible roles that are not activated, and a tenant that lets every user register applications/);
    });
});
