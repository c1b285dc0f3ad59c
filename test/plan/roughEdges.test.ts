/** Issue 11, item 5: inputs that crashed with a stack trace, or were taken without a word. */
import * as assert from "assert/strict";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parseStackConfig } from "../../config/readStackConfig";
import { baseUrlOverrideProblem } from "../../domain/baseUrlOverride";
import { parseInstant } from "../../domain/instant";
import { logBaseUrlOverrides } from "../../lib/http/baseUrlOverridesLog";
import { azureDevOpsHosts } from "../../providers/azuredevops/api/endpoints";
import { projectPermissionsProvider, ProjectPermissionsOutputs, ProjectPermissionsInputs } from "../../providers/azuredevops/projectPermissions";
import { dbtApiHost } from "../../providers/dbtcloud/api/azureAdApplications";
import { runPlanCommand } from "../../tools/plan/cli";
import { readProjectFile } from "../../tools/plan/stackFiles";
import { REPO_ROOT } from "../harness/runProgram";
import { plan, projectWith } from "./planHelpers";

const AT = "2026-11-27T09:00:00Z";
const ORG_KEY = "dbt-azure-devops:adoOrganization";

function assertNoStackTrace(text: string): void {
    assert.doesNotMatch(text, /^\s+at .+\(.*:\d+:\d+\)$/m, text);
}

/** The config problems of a stack with Pulumi.yaml's defaults and `config` on top. */
function problemsOf(config: Record<string, string>): string {
    const defaults = Object.fromEntries(Object.entries(readProjectFile(REPO_ROOT).defaults).map(([k, v]) => [k.replace(/^dbt-azure-devops:/, ""), v]));
    try {
        parseStackConfig("dbt-azure-devops", "t", { ...defaults, adoOrganization: "contoso-data", dbtCloudHost: "ab123.us1.dbt.com", ...config });
        return "";
    } catch (error) {
        return (error as Error).message;
    }
}

describe("rough edges of the plan (issue 11)", function () {
    this.timeout(60_000);

    it("exits 2 with a message, not a stack trace, for an organization URL with a bad %-escape", async () => {
        const dir = projectWith("escape", { config: { [ORG_KEY]: "https://dev.azure.com/%E0%A4%A" } });
        const { code, stderr } = await plan(["--stack", "escape", "--at", AT], dir);
        assert.equal(code, 2, stderr);
        assert.match(stderr, /adoOrganization "https:\/\/dev\.azure\.com\/%E0%A4%A" is a URL; give the organization name alone/);
        assertNoStackTrace(stderr);
    });

    it("exits 2 for --at before 2024-01-01, where the rotation schedule starts", async () => {
        const { code, stderr } = await plan(["--at", "2023-12-31T23:59:59Z"]);
        assert.equal(code, 2);
        assert.match(stderr, /--at 2023-12-31T23:59:59Z is before 2024-01-01/);
        assertNoStackTrace(stderr);
    });

    it("exits 2 when there is no Pulumi.yaml in the working folder or above the plan", async () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-noproject-"));
        fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(copy, "dist"), { recursive: true, filter: (src) => !src.includes(`${path.sep}test`) });
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(copy, "node_modules"));
        const cli = path.join(copy, "dist", "tools", "plan", "cli.js");
        const failure = await promisify(execFile)(process.execPath, [cli, "--at", AT], { cwd: copy }).then(
            () => ({ code: 0, stderr: "" }),
            (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? "" }),
        );
        assert.equal(failure.code, 2, failure.stderr);
        assert.match(failure.stderr, /^No Pulumi\.yaml in .* or above the plan/);
        assertNoStackTrace(failure.stderr);
    });

    it("prints its help with --help", async () => {
        const { code, stdout } = await plan(["--help"]);
        assert.equal(code, 0);
        assert.match(stdout, /^Usage: npm start -- \[--stack NAME\] \[--json\] \[--at ISO-8601-instant\]/);
        assert.match(stdout, /Exit status: 0 planned, 1 unexpected error \(or the code does not type-check\), 2 bad input, 3 a mandatory policy fails\./);
    });

    it("accepts --flag=value and refuses a repeated flag", async () => {
        const equals = await plan(["--stack=dev", "--at=2026-11-27T09:00:00Z", "--json"]);
        assert.equal(equals.code, 0, equals.stderr);
        assert.equal(JSON.parse(equals.stdout).at, "2026-11-27T09:00:00.000Z");
        const twice = await plan(["--at", AT, "--at=2027-01-01"]);
        assert.equal(twice.code, 2);
        assert.match(twice.stderr, /--at is given more than once/);
    });

    it("refuses impossible dates everywhere: one parser in domain/", async () => {
        for (const bad of ["2027-02-30", "2027-02-29", "2027-13-01", "2027-03-01T24:00Z", "2027-03-01T23:60Z", "2027-03-01T10:00:61Z", "2027-03-01T10:00:00+24:00"]) {
            assert.equal(parseInstant(bad).ok, false, bad);
            const { code, stderr } = await plan(["--at", bad]);
            assert.equal(code, 2, bad);
            assert.match(stderr, /^--at "/, bad);
        }
        assert.deepEqual(parseInstant("2028-02-29"), { ok: true, value: new Date("2028-02-29T00:00:00Z") });
        assert.deepEqual(parseInstant("2027-03-01T23:59:59.5+01:00"), { ok: true, value: new Date("2027-03-01T22:59:59.500Z") });
    });

    it("a config: block that is not a map gets one clear error", async () => {
        for (const [stackFile, got] of [[{ config: ["adoOrganization: x"] }, "a list"], [{ config: "adoOrganization=x" }, 'string "adoOrganization=x"']] as const) {
            const dir = projectWith("notamap", stackFile);
            const { code, stderr } = await plan(["--stack", "notamap", "--at", AT], dir);
            assert.equal(code, 2, stderr);
            assert.equal(stderr, `Pulumi.notamap.yaml's config: block must be a map of keys to values (key: value, one per line); got ${got}.\n`);
        }
    });

    it("echoes config values cut to a sane length, without user:password@", () => {
        const message = problemsOf({ dbtCloudHost: `https://admin:hunter2@cloud.getdbt.com/${"x".repeat(5000)}`, authMode: "y".repeat(500) });
        assert.doesNotMatch(message, /hunter2|admin:/);
        assert.match(message, /"https:\/\/cloud\.getdbt\.com\/x+\.\.\. \(\d+ characters\)"/);
        assert.match(message, /"y{60}\.\.\. \(500 characters\)"/);
        assert.ok(message.length < 1000, message);
    });

    it("caps adoProjects at Azure DevOps' 1,000 projects per organization", () => {
        const projects = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `Project ${i}`));
        assert.equal(problemsOf({ adoProjects: projects(1000) }), "");
        assert.match(problemsOf({ adoProjects: projects(1001) }), /adoProjects lists 1001 items; at most 1000 are possible\./);
    });

    it("gives a clone URL the same 'use the name' hint as other URLs", () => {
        const message = problemsOf({ adoOrganization: "https://contoso@dev.azure.com/contoso/Analytics/_git/dbt" });
        assert.match(message, /is a URL; the organization name alone is "contoso"\. Run: pulumi config set adoOrganization contoso/);
    });

    it("does not replace project grants when the organization name changes only in case", async () => {
        const inputs: ProjectPermissionsInputs = {
            organization: "Contoso-Data",
            project: "Analytics",
            servicePrincipal: { subjectDescriptor: "aad.x", identityDescriptor: "Microsoft.VisualStudio.Services.Claims.AadServicePrincipal;x" },
            access: "least_privilege",
        } as ProjectPermissionsInputs;
        const olds = { ...inputs, projectId: "p" } as unknown as ProjectPermissionsOutputs;
        const same = await projectPermissionsProvider.diff!("id", olds, { ...inputs, organization: "contoso-data" });
        assert.deepEqual(same.replaces, []);
        const other = await projectPermissionsProvider.diff!("id", olds, { ...inputs, organization: "fabrikam" });
        assert.deepEqual(other.replaces, ["organization"]);
    });
});

describe("API host overrides (issue 11)", () => {
    // Honoured only under the test switch (issue 17; test/domain/baseUrlOverride.test.ts tests it without).
    const TEST_SWITCH = { DBT_ADO_TEST_OVERRIDES: "1" };
    it("must be https; plain http only for 127.0.0.1 and localhost", () => {
        assert.equal(baseUrlOverrideProblem("AZDO_CORE_BASE_URL", "https://proxy.contoso.com"), undefined);
        assert.equal(baseUrlOverrideProblem("AZDO_CORE_BASE_URL", "http://127.0.0.1:8080"), undefined);
        assert.equal(baseUrlOverrideProblem("DBT_CLOUD_HOST_URL", "http://localhost:9000/api"), undefined);
        assert.throws(() => azureDevOpsHosts({ ...TEST_SWITCH, AZDO_VSSPS_BASE_URL: "http://proxy.contoso.com" }), /AZDO_VSSPS_BASE_URL must be an https:\/\/ URL/);
        assert.throws(() => azureDevOpsHosts({ ...TEST_SWITCH, AZDO_VSAEX_BASE_URL: "ftp://x" }), /AZDO_VSAEX_BASE_URL must be an https:\/\/ URL/);
        assert.throws(() => dbtApiHost("https://cloud.getdbt.com/api", { ...TEST_SWITCH, DBT_CLOUD_HOST_URL: "http://cloud.getdbt.com.evil.example/api" }), /DBT_CLOUD_HOST_URL must be an https:\/\/ URL/);
        assert.equal(dbtApiHost("https://cloud.getdbt.com/api", { ...TEST_SWITCH, DBT_CLOUD_HOST_URL: "https://emea.dbt.com/api/" }), "https://emea.dbt.com/api");
        assert.deepEqual(azureDevOpsHosts({}), { core: "https://dev.azure.com", vssps: "https://vssps.dev.azure.com", vsaex: "https://vsaex.dev.azure.com" });
    });

    it("are each logged by the run, and a bad one fails it before anything is declared", () => {
        const lines: string[] = [];
        logBaseUrlOverrides({ ...TEST_SWITCH, AZDO_CORE_BASE_URL: "http://127.0.0.1:1234/", DBT_CLOUD_HOST_URL: "https://emea.dbt.com/api" }, (line) => lines.push(line));
        assert.deepEqual(lines, [
            "AZDO_CORE_BASE_URL=http://127.0.0.1:1234 is in force: API calls go there instead of https://dev.azure.com.",
            "DBT_CLOUD_HOST_URL=https://emea.dbt.com/api is in force: API calls go there instead of https://<dbtCloudHost>/api.",
        ]);
        assert.throws(() => logBaseUrlOverrides({ ...TEST_SWITCH, AZDO_CORE_BASE_URL: "http://proxy" }, () => undefined), /must be an https:\/\/ URL/);
    });
});

describe("an unexpected plan failure (review)", () => {
    const failingIo = (stderr: string[]) => ({ cwd: REPO_ROOT, stdout: () => { throw new Error("EPIPE: the reader went away"); }, stderr: (t: string) => void stderr.push(t) });

    it("exits 1 with the message and no stack trace", async () => {
        const stderr: string[] = [];
        const previous = process.env.DEBUG;
        delete process.env.DEBUG;
        try {
            assert.equal(await runPlanCommand(["--at", AT], failingIo(stderr)), 1);
        } finally {
            if (previous !== undefined) process.env.DEBUG = previous;
        }
        assert.match(stderr.join(""), /^Offline plan failed: EPIPE: the reader went away\n\(set DEBUG=1 for the stack trace\)\n$/);
        assertNoStackTrace(stderr.join(""));
    });

    it("shows the stack trace when DEBUG is set", async () => {
        const stderr: string[] = [];
        const previous = process.env.DEBUG;
        process.env.DEBUG = "1";
        try {
            assert.equal(await runPlanCommand(["--at", AT], failingIo(stderr)), 1);
        } finally {
            if (previous === undefined) delete process.env.DEBUG; else process.env.DEBUG = previous;
        }
        assert.match(stderr.join(""), /^\s+at .+\(.*:\d+:\d+\)$/m);
    });
});
