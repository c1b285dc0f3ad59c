import * as assert from "assert/strict";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import YAML from "yaml";
import { offlinePlan } from "../../tools/plan/offlinePlan";
import { PlanDocument } from "../../tools/plan/renderPlan";
import { readProjectFile } from "../../tools/plan/stackFiles";
import { REPO_ROOT } from "../harness/runProgram";
import { BAD_CONFIGS } from "../config/badConfigs";
import { plan } from "./planHelpers";

const AT = "2026-11-27T09:00:00Z";

/** A throwaway project folder: the real Pulumi.yaml and one stack file, where its stackConfigDir says. */
function projectWithStack(stack: string, config: Record<string, string | null>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    // Owners pinned to one the pack's own config lists (policy/config.json), as the policy pack requires.
    const values: Record<string, string> = { "dbt-azure-devops:adoOrganization": "contoso-data", "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com", "dbt-azure-devops:owners": '["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]' };
    for (const [key, value] of Object.entries(config)) {
        if (value === null) delete values[`dbt-azure-devops:${key}`];
        else values[`dbt-azure-devops:${key}`] = value;
    }
    const { stackDir } = readProjectFile(dir);
    fs.mkdirSync(stackDir, { recursive: true });
    fs.writeFileSync(path.join(stackDir, `Pulumi.${stack}.yaml`), YAML.stringify({ config: values }));
    return dir;
}

/**
 * The dev plan's resources as `(type, name, parent)` at an earlier layout, one tab-separated line
 * each: what stacks created then hold in state. `before-layout`: before the layout of issue 12
 * (commit 9d70066); `before-handover`: before the secret left Pulumi state (issue 15, commit 94f8e03).
 * Every one must still be declared, under the same identity or through an alias, or a `pulumi up`
 * would replace it; the only exceptions are the ones a change retires on purpose.
 */
function devResourcesAt(layout: "before-layout" | "before-handover"): [string, string, string | undefined][] {
    const text = fs.readFileSync(path.join(REPO_ROOT, "test", "plan", "fixtures", `dev-resources-${layout}.tsv`), "utf8");
    return text.trim().split("\n").map((line) => {
        const [type, name, parent] = line.split("\t");
        return [type, name, parent || undefined];
    });
}

/**
 * The two ApplicationPassword slots that held the secret in Pulumi state: the upgrade run hands a
 * secret minted over Graph to dbt Cloud and only then lets Pulumi delete them (issue 15, item 7).
 */
const RETIRED_SLOTS = [
    ["azuread:index/applicationPassword:ApplicationPassword", "dbt-azure-devops-secret-a", "dbt-azure-devops-secret"],
    ["azuread:index/applicationPassword:ApplicationPassword", "dbt-azure-devops-secret-b", "dbt-azure-devops-secret"],
];

/**
 * The dev plan's resources now: `(type, name, parent)` and the aliases of each. A change here
 * moves URNs in every stack's state: it needs an alias to what was there, or it is a replacement.
 */
const DEV_RESOURCES: [string, string, string?, string?][] = [
    ["dbt-azure-devops:entra:DbtAzureDevOpsApp", "dbt-azure-devops"],
    ["azuread:index/application:Application", "dbt-azure-devops-app", "dbt-azure-devops"],
    ["azuread:index/servicePrincipal:ServicePrincipal", "dbt-azure-devops-sp", "dbt-azure-devops"],
    ["azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant", "dbt-azure-devops-consent", "dbt-azure-devops"],
    ["pulumi-nodejs:dynamic/entra:AppInstanceLock", "dbt-azure-devops-lock", "dbt-azure-devops"],
    ["dbt-azure-devops:azuredevops:OrganizationAccess", "dbt-azure-devops-ado"],
    ["pulumi-nodejs:dynamic/azuredevops:DirectoryConnection", "dbt-azure-devops-ado-directory", "dbt-azure-devops-ado"],
    ["pulumi-nodejs:dynamic/azuredevops:ServicePrincipalEntitlement", "dbt-azure-devops-ado-entitlement", "dbt-azure-devops-ado"],
    ["pulumi-nodejs:dynamic/azuredevops:ProjectPermissions", "dbt-azure-devops-ado-project-analytics", "dbt-azure-devops-ado"],
    ["pulumi-nodejs:dynamic/azuredevops:ProjectPermissions", "dbt-azure-devops-ado-project-data-platform", "dbt-azure-devops-ado",
        "alias dbt-azure-devops-ado-project-data platform under dbt-azure-devops-ado"],
    ["dbt-azure-devops:entra:RotatingClientSecret", "dbt-azure-devops-secret", undefined, "alias dbt-azure-devops-secret under dbt-azure-devops"],
    ["pulumi-nodejs:dynamic/entra:ClientSecretRotation", "dbt-azure-devops-secret-rotation", "dbt-azure-devops-secret",
        "alias dbt-azure-devops-dbt-cloud under dbt-azure-devops-dbt-cloud, alias dbt-azure-devops-dbt-cloud at the root"],
];

interface ResourceWithOptions {
    type: string;
    name: string;
    parent?: string;
    options?: { aliases?: { type: string; name: string; parent?: string }[] };
}

function identities(resources: ResourceWithOptions[]): [string, string, string?, string?][] {
    return resources.map((r) => {
        const aliases = (r.options?.aliases ?? []).map((a) => `alias ${a.name} ${a.parent ? `under ${a.parent}` : "at the root"}`).join(", ");
        const row: [string, string, string?, string?] = [r.type, r.name];
        if (r.parent || aliases) row.push(r.parent);
        if (aliases) row.push(aliases);
        return row;
    });
}

describe("offline plan", () => {
    it("declares dev's resources as pinned: (type, name, parent) and aliases", async () => {
        const { code, stdout } = await plan(["--json", "--at", AT]);
        assert.equal(code, 0);
        assert.deepEqual(identities((JSON.parse(stdout) as PlanDocument).resources), DEV_RESOURCES);
    });

    for (const [layout, before] of [["before-layout", 13], ["before-handover", 14]] as const) {
        it(`reaches every resource dev had ${layout.replace("-", " ")}, unchanged or through an alias, but the two retired secret slots; only the lock is new`, async () => {
            const { evaluation } = await offlinePlan(REPO_ROOT, "dev", new Date(AT));
            const key = (type: string, name: string, parent?: string) => JSON.stringify([type, name, parent ?? null]);
            const reached = new Set<string>();
            for (const r of evaluation.resources) {
                reached.add(key(r.type, r.name, r.parent));
                for (const alias of r.options.aliases ?? []) {
                    reached.add(key(alias.type, alias.name, alias.parent));
                }
            }
            const earlier = devResourcesAt(layout);
            assert.equal(earlier.length, before);
            const lost = earlier.filter(([type, name, parent]) => !reached.has(key(type, name, parent)));
            // Components carry no state worth keeping: one that is gone is deleted, and its children moved by alias.
            const lostCustom = lost.filter(([type]) => !/^dbt-azure-devops:/.test(type));
            assert.deepEqual(lostCustom, RETIRED_SLOTS, "only the ApplicationPassword slots are retired; every other resource is carried over");
            assert.deepEqual(lost.filter(([type]) => /^dbt-azure-devops:/.test(type)).map(([type]) => type),
                layout === "before-handover" ? ["dbt-azure-devops:dbtcloud:AzureDevOpsIntegration"] : []);
            const earlierKeys = new Set(earlier.map(([type, name, parent]) => key(type, name, parent)));
            const added = evaluation.resources.filter((r) => !earlierKeys.has(key(r.type, r.name, r.parent)) && (r.options.aliases ?? []).length === 0);
            // The rotation is not new: it carries on dbt's record resource through its aliases.
            assert.deepEqual(added.map((r) => [r.name, r.custom]), [["dbt-azure-devops-lock", true]], "new, unaliased resources: the app instance property lock (issue 15) only");
        });
    }

    it("prints the excerpt of dev in docs/offline-plan.md as the plan does, line for line and in order", async () => {
        const { stdout } = await plan(["--at", AT]);
        const planLines = stdout.split("\n");
        for (const file of ["docs/offline-plan.md"]) {
            const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
            const excerpt = /An excerpt for `dev`[^\n]*\n\n```\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
            const lines = excerpt.split("\n").filter((line) => line !== "" && line !== "...");
            assert.ok(lines.length >= 10, `${file} has an excerpt`);
            let at = 0;
            for (const line of lines) {
                const found = planLines.indexOf(line, at);
                assert.ok(found >= 0, `${file}: not in the dev plan (or out of order): ${line}`);
                at = found + 1;
            }
        }
    });

    it("prints the config problems docs/offline-plan.md shows, for the values it shows", async () => {
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "offline-plan.md"), "utf8");
        const shown = /```\n(Stack "dev" has invalid configuration[\s\S]*?)```/.exec(doc)?.[1];
        assert.ok(shown);
        const dir = projectWithStack("dev", {
            dbtCloudHost: "https://ab123.us1.dbt.com/deploy/12/projects",
            authMode: "service-principal",
            adoAccessLevel: "basic",
            dbtCloudAccountId: "123456789012345678901",
            existingApplicationObjectId: "{3F0E8A52-1B7C-4D2E-9A41-6C5B7D8E9F01}",
        });
        fs.appendFileSync(path.join(readProjectFile(dir).stackDir, "Pulumi.dev.yaml"), "  dbt-azure-devop:adoProjects: [Analytics]\n");
        const { code, stderr } = await plan(["--stack", "dev", "--at", AT], dir);
        assert.equal(code, 2);
        assert.equal(stderr, shown);
    });

    it("says that a stack's ESC environments are not opened offline, in the plan and with a config error", async () => {
        const dir = projectWithStack("esc", {});
        fs.appendFileSync(path.join(readProjectFile(dir).stackDir, "Pulumi.esc.yaml"), "environment:\n  - contoso/dbt-azure-devops-dev\n");
        const ok = await plan(["--stack", "esc", "--json", "--at", AT], dir);
        assert.equal(ok.code, 0, ok.stderr);
        assert.deepEqual((JSON.parse(ok.stdout) as PlanDocument).notes, [
            "Pulumi.esc.yaml imports the Pulumi ESC environment(s) contoso/dbt-azure-devops-dev; the offline plan does not open them, " +
                "so any config they provide is missing here (pulumi preview resolves them).",
        ]);
        const text = await plan(["--stack", "esc", "--at", AT], dir);
        assert.match(text.stdout, /^Note: Pulumi\.esc\.yaml imports the Pulumi ESC environment\(s\) contoso\/dbt-azure-devops-dev;/m);

        const missing = projectWithStack("escbad", { adoOrganization: null });
        fs.appendFileSync(path.join(readProjectFile(missing).stackDir, "Pulumi.escbad.yaml"), "environment:\n  imports:\n    - contoso/common\n");
        const bad = await plan(["--stack", "escbad", "--at", AT], missing);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /adoOrganization is required/);
        assert.match(bad.stderr, /^Note: Pulumi\.escbad\.yaml imports the Pulumi ESC environment\(s\) contoso\/common, \(inline definition\);/m);
    });

    it("plans dev as data: the multitenant app, dbt's redirect URI, ADO scope only, the SP, dated secrets, all outputs", async () => {
        const { code, stdout } = await plan(["--json", "--at", AT]);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout) as PlanDocument;
        assert.equal(doc.stack, "dev");
        assert.equal(doc.at, "2026-11-27T09:00:00.000Z");
        const byType = (t: string) => doc.resources.filter((r) => r.type === t);
        const [app] = byType("azuread:index/application:Application");
        assert.equal(app.inputs.signInAudience, "AzureADMultipleOrgs");
        assert.deepEqual(app.inputs.web, { redirectUris: ["https://ab123.us1.dbt.com/complete/azure_active_directory"] });
        assert.deepEqual(app.inputs.requiredResourceAccesses, [
            { resourceAppId: "499b84ac-1321-427f-aa17-267ca6975798", resourceAccesses: [{ id: "ee69721e-6c3a-468f-a9ec-302d16a4c599", type: "Scope" }] },
        ]);
        assert.ok(!stdout.includes("00000003-0000-0000-c000-000000000000"), "no Microsoft Graph entry");
        const sps = byType("azuread:index/servicePrincipal:ServicePrincipal");
        assert.ok(sps.some((sp) => sp.inputs.clientId === "<clientId of dbt-azure-devops-app>"));
        assert.equal(byType("azuread:index/applicationPassword:ApplicationPassword").length, 0, "the secret is minted over Graph, never declared");
        const [rotation] = byType("pulumi-nodejs:dynamic/entra:ClientSecretRotation");
        assert.match(String((rotation.inputs.current as { endDate: string }).endDate), /^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
        assert.deepEqual(Object.keys(doc.outputs).sort(), [
            "adoOrganization", "authMode", "clientId", "clientSecretExpiresAt", "clientSecretKeyId", "clientSecretSlot",
            "dbtOauthRedirectDomain", "nextRotationAt", "previousSecretExpiresAt", "redirectUris", "tenantId",
        ], "dev writes dbt Cloud's record: no clientSecret output");
        assert.equal(doc.outputs.tenantId, "<tenantId of the deploying identity>");
        for (const resource of doc.resources) {
            assert.deepEqual(Object.keys(resource).filter((k) => !["parent", "options"].includes(k)), ["type", "name", "inputs"]);
        }
    });

    it("plans dev's Azure DevOps and dbt Cloud resources: connection, entitlement, two project grants, the dbt record", async () => {
        const { stdout } = await plan(["--json", "--at", AT]);
        const doc = JSON.parse(stdout) as PlanDocument;
        const named = (type: string) => doc.resources.filter((r) => r.type === type).map((r) => r.name);
        assert.deepEqual(named("pulumi-nodejs:dynamic/azuredevops:DirectoryConnection"), ["dbt-azure-devops-ado-directory"]);
        assert.deepEqual(named("pulumi-nodejs:dynamic/azuredevops:ServicePrincipalEntitlement"), ["dbt-azure-devops-ado-entitlement"]);
        assert.deepEqual(named("pulumi-nodejs:dynamic/azuredevops:ProjectPermissions"), [
            "dbt-azure-devops-ado-project-analytics",
            "dbt-azure-devops-ado-project-data-platform",
        ]);
        const [rotation] = doc.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/entra:ClientSecretRotation");
        assert.deepEqual(rotation.inputs.handover, {
            accountId: "70403103926931",
            apiBaseUrl: "https://ab123.us1.dbt.com/api",
            authMethod: "service_principal",
            kind: "dbtCloud",
            organizationName: "contoso-data",
            redirectHosts: ["ab123.us1.dbt.com"],
        });
        assert.equal(rotation.inputs.clientId, "<clientId of dbt-azure-devops-app>");
        assert.equal(rotation.inputs.tenantId, "<tenantId of the deploying identity>");
        assert.ok(!JSON.stringify(rotation.inputs).includes("[secret]"), "no secret among the record's inputs");
        assert.ok(!stdout.includes("__provider"), "the serialized provider code is not an input worth showing");
        assert.deepEqual(doc.policies.map((p) => [p.policy, p.violations]), doc.policies.map((p) => [p.policy, []]));
    });

    it("plans the two EMEA URIs for the emea stack in service-user mode", async () => {
        const { code, stdout } = await plan(["--stack", "emea", "--json", "--at", AT]);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout) as PlanDocument;
        assert.deepEqual(doc.outputs.redirectUris, [
            "https://cd456.eu1.dbt.com/complete/azure_active_directory",
            "https://cd456.eu1.dbt.com/complete/azure_active_directory_service_user",
        ]);
        assert.equal(doc.outputs.authMode, "service_user");
    });

    it("prints byte-identical text and JSON for the same stack and instant", async () => {
        for (const format of [[], ["--json"]]) {
            const first = await plan([...format, "--at", AT]);
            const second = await plan([...format, "--at", AT]);
            assert.equal(first.code, 0);
            assert.equal(first.stdout, second.stdout);
        }
    });

    it("never prints a client secret's value, in text or JSON", async () => {
        // dev writes dbt Cloud's record: no secret value anywhere, not even a masked one.
        const dev = await offlinePlan(REPO_ROOT, "dev", new Date(AT));
        assert.equal(dev.evaluation.actualOutputs.clientSecret, undefined);
        assert.ok(dev.evaluation.resources.every((r) => r.state?.value === undefined));
        // emea hands the secret to a person: the mock mints a realistic value, which the plan masks.
        const { evaluation } = await offlinePlan(REPO_ROOT, "emea", new Date(AT));
        const secretValues = evaluation.resources
            .filter((r) => r.type === "pulumi-nodejs:dynamic/entra:ClientSecretRotation")
            .map((r) => String(r.state?.value));
        assert.equal(secretValues.length, 1);
        assert.ok(secretValues.every((v) => v.length === 40), "the mock hands out realistic secret values");
        assert.deepEqual(secretValues, [String(evaluation.actualOutputs.clientSecret)]);
        for (const format of [[], ["--json"]]) {
            const { stdout } = await plan(["--stack", "emea", ...format, "--at", AT]);
            for (const value of secretValues) {
                assert.ok(!stdout.includes(value), "secret value leaked into the plan");
            }
            assert.ok(stdout.includes("[secret]"));
        }
    });

    it("masks secure: config values from the stack file", async () => {
        const dir = projectWithStack("secure", {});
        fs.appendFileSync(path.join(readProjectFile(dir).stackDir, "Pulumi.secure.yaml"), "  dbt-azure-devops:appDisplayName:\n    secure: v1:c2VjcmV0LXZhbHVl\n");
        const { stdout, stderr, code } = await plan(["--stack", "secure", "--at", AT], dir);
        assert.equal(code, 0, stderr);
        assert.match(stdout, /appDisplayName: \[secret\]/);
        assert.ok(!stdout.includes("c2VjcmV0LXZhbHVl"));
    });

    for (const bad of BAD_CONFIGS) {
        it(`exits 2 naming ${bad.key} for ${bad.title}`, async () => {
            const dir = projectWithStack("bad", bad.config);
            const { code, stdout, stderr } = await plan(["--stack", "bad", "--at", AT], dir);
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.ok(stderr.includes(`dbt-azure-devops:${bad.key} `), stderr);
            assert.ok(!/\n\s+at /.test(stderr), `no stack trace:\n${stderr}`);
        });
    }

    it("refuses bad flags, an unknown stack and a malformed --at with status 2", async () => {
        assert.equal((await plan(["--stak", "dev"])).code, 2);
        const missing = await plan(["--stack", "nope"]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /No stack file Pulumi\.nope\.yaml.*Stacks with a file: .*dev/);
        const at = await plan(["--at", "27/11/2026"]);
        assert.equal(at.code, 2);
        assert.match(at.stderr, /--at "27\/11\/2026" is not an ISO-8601 date/);
    });

    it("prints the same plan as a process, which skips serializing provider code, as in-process", async () => {
        const cli = path.join(REPO_ROOT, "dist", "tools", "plan", "cli.js");
        const { stdout } = await promisify(execFile)(process.execPath, [cli, "--stack", "dev", "--json", "--at", AT], { cwd: REPO_ROOT });
        assert.equal(stdout, (await plan(["--json", "--at", AT])).stdout);
    });

    it("exits 2 as a process, printing only the problems", async () => {
        const dir = projectWithStack("bad", { authMode: "oauth", adoOrganization: "dev.azure.com/acme" });
        const cli = path.join(REPO_ROOT, "dist", "tools", "plan", "cli.js");
        const result = await promisify(execFile)(process.execPath, [cli, "--stack", "bad"], { cwd: dir }).then(
            () => ({ code: 0, stderr: "" }),
            (error: { code: number; stderr: string }) => error,
        );
        assert.equal(result.code, 2);
        assert.equal(
            result.stderr,
            [
                'Stack "bad" has invalid configuration (2 problems):',
                '  - dbt-azure-devops:adoOrganization "dev.azure.com/acme" is a URL; the organization name alone is "acme". Run: pulumi config set adoOrganization acme',
                '  - dbt-azure-devops:authMode "oauth" is not one of "service_principal", "service_user".',
                "",
            ].join("\n"),
        );
    });
});
