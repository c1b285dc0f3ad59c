/**
 * getdbt.com region hosts (domain/dbtCloudHost.ts): refused from dbt's deprecation date, judged at
 * the run's instant, unless the stack records dbt's extension, which expires by itself. The same
 * rule through the program's config and through the offline plan's --at.
 */
import * as assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ConfigError } from "../../config/configError";
import {
    judgeLegacyHost, LEGACY_HOST_DEPRECATION, legacyHostProblem, parseLegacyHostExtension,
} from "../../domain/dbtCloudHost";
import { runPlanCommand } from "../../tools/plan/cli";
import { readProjectFile, readStackFiles, stackNames } from "../../tools/plan/stackFiles";
import { REPO_ROOT, runProgram } from "../harness/runProgram";
import { problemAbout } from "./badConfigs";

const BEFORE = new Date("2026-10-31T23:59:59Z");
const ON = new Date("2026-11-01T00:00:00Z");

async function problemsAt(at: Date, config: Record<string, string | null>): Promise<string[]> {
    try {
        await runProgram({ at, config });
        return [];
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems;
    }
}

describe("getdbt.com region hosts after dbt's deprecation", () => {
    it("the deprecation is dbt's 2026-11-01", () => {
        assert.equal(LEGACY_HOST_DEPRECATION.toISOString(), "2026-11-01T00:00:00.000Z");
    });

    it("judges cloud.getdbt.com and single-tenant <name>.getdbt.com hosts, and nothing on dbt.com", () => {
        for (const host of ["cloud.getdbt.com", "acme.getdbt.com"]) {
            assert.deepEqual(judgeLegacyHost(host, BEFORE, ""), { kind: "accepted" }, `${host} before`);
            assert.deepEqual(judgeLegacyHost(host, ON, ""), { kind: "refused" }, `${host} on the day`);
        }
        for (const host of ["ab123.us1.dbt.com", "emea.dbt.com", "au.dbt.com", "acme.dbt.com", "notgetdbt.com.example"]) {
            assert.deepEqual(judgeLegacyHost(host, new Date("2030-01-01T00:00:00Z"), ""), { kind: "accepted" }, host);
        }
    });

    it("keeps a getdbt.com host only while dbt's extension lasts, and refuses it again from its end date on", () => {
        assert.deepEqual(judgeLegacyHost("cloud.getdbt.com", new Date("2027-02-02T23:59:59Z"), "2027-02-03"), { kind: "extended", until: "2027-02-03" });
        assert.deepEqual(judgeLegacyHost("cloud.getdbt.com", new Date("2027-02-03T00:00:00Z"), "2027-02-03"), { kind: "refused", expiredExtension: "2027-02-03" });
    });

    it("says where to find the access URL and the exact command, for the primary and for an additional host", () => {
        const primary = legacyHostProblem("cloud.getdbt.com", { key: "dbtCloudHost" }, ON, "")!;
        assert.match(primary, /^"cloud\.getdbt\.com" is a getdbt\.com region host, and dbt Cloud deprecated getdbt\.com region URLs for integrations on 2026-11-01 \(docs\.getdbt\.com/);
        assert.match(primary, /Account settings > Access URLs \(e\.g\. ab123\.us1\.dbt\.com\) and run: pulumi config set dbtCloudHost <that host>\./);
        assert.match(primary, /pulumi config set dbtCloudLegacyHostExtendedUntil <YYYY-MM-DD>$/);
        const additional = legacyHostProblem("cloud.getdbt.com", { key: "dbtCloudAdditionalHosts", index: 2 }, ON, "")!;
        assert.match(additional, /^item 2 "cloud\.getdbt\.com" is a getdbt\.com region host.*pulumi config rm --path 'dbtCloudAdditionalHosts\[2\]'$/);
        assert.equal(legacyHostProblem("cloud.getdbt.com", { key: "dbtCloudHost" }, BEFORE, ""), undefined);
    });

    it("reads the extension as a date after the deprecation and at most a year past it", () => {
        assert.deepEqual(parseLegacyHostExtension(""), { ok: true, value: "" });
        assert.deepEqual(parseLegacyHostExtension(" 2027-02-03 "), { ok: true, value: "2027-02-03" });
        for (const [raw, problem] of [
            ["2027-02-30", /is not a date/],
            ["2027-02-03T00:00:00Z", /is not a date/],
            ["3 Feb 2027", /is not a date/],
            ["2026-11-01", /is not after 2026-11-01.*pulumi config rm dbtCloudLegacyHostExtendedUntil/],
            ["2027-11-03", /more than a year after 2026-11-01/],
        ] as const) {
            const parsed = parseLegacyHostExtension(raw);
            assert.ok(!parsed.ok, raw);
            assert.match(parsed.problem, problem, raw);
        }
    });

    it("the program's config applies it at the instant it runs at", async function () {
        this.timeout(120_000);
        const legacy = { dbtCloudHost: "cloud.getdbt.com" };
        assert.deepEqual(await problemsAt(BEFORE, legacy), []);
        const on = await problemsAt(ON, legacy);
        assert.equal(on.length, 1, on.join("\n"));
        assert.match(on[0], /^dbt-azure-devops:dbtCloudHost "cloud\.getdbt\.com" is a getdbt\.com region host/);
        // The exemption holds until its date and expires by itself: the same stack, a later run.
        const extended = { ...legacy, dbtCloudLegacyHostExtendedUntil: "2027-02-03" };
        assert.deepEqual(await problemsAt(new Date("2027-02-02T12:00:00Z"), extended), []);
        const expired = await problemsAt(new Date("2027-02-03T00:00:00Z"), extended);
        assert.equal(expired.length, 1, expired.join("\n"));
        assert.match(expired[0], /dbt's extension of this account's getdbt\.com URL ended on 2027-02-03/);
    });

    it("reports a legacy primary and legacy additional hosts together, with every other problem", async () => {
        const message = (await problemsAt(ON, { dbtCloudHost: "cloud.getdbt.com", dbtCloudAdditionalHosts: '["ab123.us1.dbt.com","acme.getdbt.com"]', authMode: "oauth" })).join("\n");
        assert.ok(problemAbout(`  - ${message.split("\n").join("\n  - ")}`, "dbtCloudHost"));
        assert.match(message, /dbtCloudAdditionalHosts item 1 "acme\.getdbt\.com" is a getdbt\.com region host/);
        assert.match(message, /authMode "oauth" is not one of/);
    });

    it("the offline plan judges it at --at: exit 0 the day before, exit 2 naming the command from the deprecation on", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-legacy-host-"));
        try {
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            const { stackDir } = readProjectFile(dir);
            fs.mkdirSync(stackDir, { recursive: true });
            fs.writeFileSync(path.join(stackDir, "Pulumi.legacy.yaml"), YAML.stringify({ config: { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "cloud.getdbt.com", "dbt-azure-devops:owners": ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"] } }));
            const plan = async (at: string) => {
                let stderr = "";
                const code = await runPlanCommand(["--stack", "legacy", "--at", at, "--json"], { cwd: dir, stdout: () => undefined, stderr: (t) => (stderr += t) });
                return { code, stderr };
            };
            assert.equal((await plan("2026-10-31T23:00:00Z")).code, 0);
            // Owners pinned as the policy pack requires, so the day before passes every gate.
            const refused = await plan("2026-11-01");
            assert.equal(refused.code, 2);
            assert.match(refused.stderr, /dbt-azure-devops:dbtCloudHost "cloud\.getdbt\.com" is a getdbt\.com region host.*pulumi config set dbtCloudHost <that host>/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("Pulumi.yaml gives dbtCloudHost no default, and every example stack names an account-scoped host", () => {
        const { declarations, defaults, stackDir } = readProjectFile(REPO_ROOT);
        assert.ok(!("default" in declarations.dbtCloudHost), "dbtCloudHost is required");
        assert.equal(defaults["dbt-azure-devops:dbtCloudLegacyHostExtendedUntil"], "");
        for (const stack of stackNames(stackDir)) {
            const host = readStackFiles(REPO_ROOT, stack).values["dbt-azure-devops:dbtCloudHost"];
            assert.match(host ?? "", /^[a-z0-9]+\.(us|eu|au|jp)\d\.dbt\.com$/, `stacks/Pulumi.${stack}.yaml: ${host}`);
        }
    });
});
