/**
 * Known answers (domain/knownErrors.ts): one sentence of cause and fix each, naming the setting or
 * runbook, and used where the answer arrives: the Azure DevOps client (TF400813, the 203 sign-in
 * page), the dbt Cloud client (401, 403, 404, 429), and the doctor. The app management policy rules
 * the doctor's fix is computed from are here too.
 */
import * as assert from "assert/strict";
import { durationDays, exemptionCalls, judgePasswordPolicy, PasswordPolicy, rotationWithin } from "../../tools/doctor/appManagementPolicy";
import { STACK_CONFIG_PARSERS } from "../../config/stackConfigSchema";
import { AZURE_DEVOPS_SIGN_IN_PAGE, explainDbtCloudAnswer, explainKnownError, KNOWN_ERRORS } from "../../domain/knownErrors";
import { azureDevOpsHosts, resolveProject } from "../../providers/azuredevops/api";
import { listAccountApplications, openDbtSession } from "../../providers/dbtcloud/api/azureAdApplications";
import { FakeAzureDevOps, ORG } from "../azuredevops/fakeAzureDevOps";
import { ACCOUNT, DBT_TOKEN, FakeDbtCloud, IP_REFUSED_TEXT, NOT_SCOPED_TEXT } from "../dbtcloud/fakeDbtCloud";

/** A sentence names what to change: a setting, an environment variable, a command or a runbook. */
const NAMES_A_FIX = new RegExp(`\\b(${Object.keys(STACK_CONFIG_PARSERS).join("|")})\\b|README|docs/|npm run doctor|pulumi |AZDO_|DBT_CLOUD_TOKEN|Account settings`);

function oneSentence(text: string): void {
    assert.match(text, /\.$/, text);
    assert.doesNotMatch(text.replace(/\b(e\.g|i\.e)\./g, "").replace(/\d\.\d/g, ""), /\.\s+[A-Z]/, `one sentence: ${text}`);
    assert.match(text, NAMES_A_FIX, `names a setting or runbook: ${text}`);
}

async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
    const saved = { ...process.env };
    Object.assign(process.env, vars);
    try {
        return await fn();
    } finally {
        process.env = saved;
    }
}

async function message(promise: Promise<unknown>): Promise<string> {
    try {
        await promise;
    } catch (error) {
        return (error as Error).message;
    }
    return assert.fail("expected a failure");
}

describe("known answers: one sentence of cause and fix, where the answer arrives", () => {
    it("each Entra, Graph and Azure DevOps code has one, found in the text that carries it", () => {
        for (const known of KNOWN_ERRORS) {
            oneSentence(known.explanation);
            assert.equal(explainKnownError(`error: ${known.code}: something went wrong`), known.explanation, known.code);
        }
        assert.equal(explainKnownError("AADSTS700016X"), undefined, "whole codes only");
        assert.deepEqual(KNOWN_ERRORS.map((k) => k.code).sort(), [
            "AADSTS50011", "AADSTS65001", "AADSTS700016", "AADSTS7000215", "AADSTS7000222",
            "CredentialInvalidLifetimeAsPerAppPolicy", "CredentialTypeNotAllowedAsPerAppPolicy", "TF400813",
        ]);
        oneSentence(AZURE_DEVOPS_SIGN_IN_PAGE);
    });

    it("dbt Cloud's 401, 403 (another account, IP restrictions, a permission), 404 and 429 have one each, naming the account", () => {
        const context = { accountId: "42", host: "https://ab123.us1.dbt.com/api", tokenVariable: "DBT_CLOUD_TOKEN" };
        const answers = [
            [401, "Invalid token.", /does not accept the token in DBT_CLOUD_TOKEN/],
            [403, NOT_SCOPED_TEXT, /another dbt Cloud account than dbtCloudAccountId 42/],
            [403, IP_REFUSED_TEXT, /IP restrictions/],
            [403, "Forbidden", /Account Admin permission set/],
            [404, "Not found", /404 both when account 42 .* dbtCloudHost/],
            [429, "", /five minutes/],
        ] as const;
        for (const [status, said, says] of answers) {
            const sentence = explainDbtCloudAnswer(status, said, context)!;
            assert.match(sentence, says);
            oneSentence(sentence);
        }
        assert.equal(explainDbtCloudAnswer(500, "", context), undefined);
    });

    describe("in the Azure DevOps providers' errors", () => {
        let fake: FakeAzureDevOps;
        let env: Record<string, string>;
        before(async () => {
            fake = new FakeAzureDevOps();
            env = { ...(await fake.start()), AZDO_PERSONAL_ACCESS_TOKEN: "expired-or-global-pat-0123456789", DBT_ADO_HTTP_MAX_RETRIES: "0", DBT_ADO_TEST_OVERRIDES: "1" };
        });
        after(async () => fake.server.stop());

        const session = () => ({ organization: ORG, hosts: azureDevOpsHosts(), credentials: { authorization: `Basic ${Buffer.from(":expired-or-global-pat-0123456789").toString("base64")}`, secrets: ["expired-or-global-pat-0123456789"], source: "AZDO_PERSONAL_ACCESS_TOKEN" } });

        it("TF400813 is explained: an expired, revoked or global PAT, and what to use instead", async () => {
            fake.refusedCredentialAnswer = "401";
            const text = await withEnv(env, () => message(resolveProject(session(), "Analytics")));
            assert.match(text, /HTTP 401 .*TF400813.*global PATs stopped working on 1 December 2026.*organization-scoped PAT in AZDO_PERSONAL_ACCESS_TOKEN/);
            assert.ok(!text.includes("expired-or-global-pat-0123456789"));
        });

        it("the 203 sign-in page is explained the same way, and never taken for data", async () => {
            fake.refusedCredentialAnswer = "203";
            const text = await withEnv(env, () => message(resolveProject(session(), "Analytics")));
            assert.match(text, /answered HTTP 203 with a sign-in page instead of data/);
            assert.ok(text.includes(AZURE_DEVOPS_SIGN_IN_PAGE), text);
        });
    });

    describe("in the dbt Cloud client's errors", () => {
        let fake: FakeDbtCloud;
        let env: Record<string, string>;
        before(async () => {
            fake = new FakeDbtCloud();
            env = { DBT_CLOUD_HOST_URL: `${await fake.server.start()}/api`, DBT_CLOUD_TOKEN: DBT_TOKEN, DBT_ADO_HTTP_MAX_RETRIES: "0", DBT_ADO_TEST_OVERRIDES: "1" };
        });
        after(async () => fake.server.stop());
        const list = () => listAccountApplications(openDbtSession("https://ab123.us1.dbt.com/api", ACCOUNT, []));

        for (const [title, seed, says] of [
            ["401", () => { env.DBT_CLOUD_TOKEN = "dbtc_revoked_0123456789"; }, /refused \(HTTP 401\).*does not accept the token in DBT_CLOUD_TOKEN/],
            ["403 not scoped", () => { fake.forbid = NOT_SCOPED_TEXT; }, /refused \(HTTP 403\): dbt Cloud said "Token is not scoped to account"\. The token in DBT_CLOUD_TOKEN belongs to another dbt Cloud account/],
            ["403 IP restrictions", () => { fake.forbid = IP_REFUSED_TEXT; }, /IP restrictions/],
            ["404 (permission)", () => { fake.permission404.add("GET"); }, /404 both when account 70403103920001 .* \(this answer says so\)/],
        ] as const) {
            it(`${title} is explained in one sentence, naming the setting`, async () => {
                env.DBT_CLOUD_TOKEN = DBT_TOKEN;
                fake.forbid = undefined;
                fake.permission404.clear();
                seed();
                const text = await withEnv(env, () => message(list()));
                assert.match(text, says);
                assert.ok(!text.includes(DBT_TOKEN) && !text.includes("dbtc_revoked_0123456789"), "no token in the message");
            });
        }
    });
});

describe("app management policies against the client secret (the doctor's fix)", () => {
    const policy = (restrictions: PasswordPolicy["passwordCredentials"], isEnabled = true): PasswordPolicy => ({ id: "p", displayName: "", isEnabled, level: "tenant default", passwordCredentials: restrictions });
    const created = new Date("2026-06-01T00:00:00Z");

    it("reads ISO 8601 lifetimes in whole days, never overestimating a cap", () => {
        assert.equal(durationDays("P180D"), 180);
        assert.equal(durationDays("P6M"), 180);
        assert.equal(durationDays("P1Y"), 365);
        assert.equal(durationDays("P4DT12H30M5S"), 4);
        assert.equal(durationDays("P2W"), 14);
        for (const bad of ["", "P", "PT", "180", "P1.5D", "P-1D"]) assert.equal(durationDays(bad), undefined, bad);
    });

    it("judges addition blocks, lifetime caps, disabled restrictions and apps created before a restriction", () => {
        assert.equal(judgePasswordPolicy(policy([{ restrictionType: "passwordAddition" }]), created, 194).kind, "blocked");
        assert.deepEqual(judgePasswordPolicy(policy([{ restrictionType: "passwordLifetime", maxLifetime: "P180D" }]), created, 194), { kind: "too-short", policy: policy([{ restrictionType: "passwordLifetime", maxLifetime: "P180D" }]), maxDays: 180 });
        assert.equal(judgePasswordPolicy(policy([{ restrictionType: "passwordLifetime", maxLifetime: "P194D" }]), created, 194).kind, "clear");
        assert.equal(judgePasswordPolicy(policy([{ restrictionType: "passwordAddition", state: "disabled" }]), created, 194).kind, "clear");
        assert.equal(judgePasswordPolicy(policy([{ restrictionType: "passwordAddition" }], false), created, 194).kind, "clear");
        assert.equal(judgePasswordPolicy(policy([{ restrictionType: "passwordAddition", restrictForAppsCreatedAfterDateTime: "2026-07-01T00:00:00Z" }]), created, 194).kind, "clear", "older apps are not restricted");
        assert.equal(judgePasswordPolicy(policy([{ restrictionType: "customPasswordAddition" }]), created, 194).kind, "clear", "generated secrets are not custom ones");
    });

    it("proposes the longest rotation that fits, keeping the overlap when it can", () => {
        const bounds = { minRotation: 7, minOverlap: 1 };
        assert.deepEqual(rotationWithin(180, { rotation: 90, overlap: 14 }, bounds), { rotation: 83, overlap: 14 });
        assert.deepEqual(rotationWithin(30, { rotation: 90, overlap: 14 }, bounds), { rotation: 14, overlap: 2 });
        assert.deepEqual(rotationWithin(15, { rotation: 90, overlap: 14 }, bounds), { rotation: 7, overlap: 1 });
        assert.equal(rotationWithin(14, { rotation: 90, overlap: 14 }, bounds), undefined);
        assert.deepEqual(rotationWithin(400, { rotation: 30, overlap: 5 }, bounds), { rotation: 30, overlap: 5 }, "never longer than now");
    });

    it("gives the exemption as the two Graph calls, with the stack's lifetime", () => {
        const calls = exemptionCalls("d0c70000-0000-4000-8000-0000000000a1", 194);
        assert.match(calls, /az rest --method POST --url https:\/\/graph\.microsoft\.com\/v1\.0\/policies\/appManagementPolicies --body '\{.*"restrictionType":"passwordLifetime","maxLifetime":"P194D".*\}'/);
        assert.match(calls, /applications\/d0c70000-0000-4000-8000-0000000000a1\/appManagementPolicies\/\$ref' --body '\{"@odata\.id":"https:\/\/graph\.microsoft\.com\/v1\.0\/policies\/appManagementPolicies\/<policy id>"\}'/);
        assert.match(exemptionCalls(undefined, 194), /the first pulumi up, which creates it/);
    });
});
