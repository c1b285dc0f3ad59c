/** Issue 18, item 4: a plan a reviewer reads at a glance. */
import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { AZURE_DEVOPS_APP_ID, USER_IMPERSONATION_SCOPE_ID_FALLBACK } from "../../domain/wellKnownIds";
import { PlanDocument } from "../../tools/plan/renderPlan";
import { WELL_KNOWN_GUID_LABELS } from "../../tools/plan/wellKnownLabels";
import { REPO_ROOT } from "../harness/runProgram";
import { plan } from "./planHelpers";

const AT = "2026-11-27T09:00:00Z";
const GUIDS = /[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}/gi;

/** Every string leaf of a JSON value, with its path. */
function leaves(value: unknown, at = ""): [string, string][] {
    if (typeof value === "string") return [[at, value]];
    if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${at}[${i}]`));
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
    return [];
}

describe("a plan a reviewer reads at a glance (issue 18)", function () {
    this.timeout(60_000);

    it("shows every value only the cloud knows as an obvious placeholder", async () => {
        const doc = JSON.parse((await plan(["--json", "--at", AT])).stdout) as PlanDocument;
        assert.equal(doc.outputs.clientSecretKeyId, "<keyId of dbt-azure-devops-secret-rotation>");
        assert.equal(doc.outputs.dbtOauthRedirectDomain, "<oauthRedirectUriDomain of dbt-azure-devops-secret-rotation>");
        const grant = doc.resources.find((r) => r.name === "dbt-azure-devops-ado-project-analytics");
        assert.deepEqual(grant?.inputs.servicePrincipal, {
            identityDescriptor: "<identityDescriptor of dbt-azure-devops-ado-entitlement>",
            subjectDescriptor: "<subjectDescriptor of dbt-azure-devops-ado-entitlement>",
        });
    });

    it("prints no made-up identifier: every GUID is a well-known one or the stack's own config, no descriptor is fabricated", async () => {
        for (const stack of ["dev", "emea"]) {
            const doc = JSON.parse((await plan(["--stack", stack, "--json", "--at", AT])).stdout) as PlanDocument;
            const configured = JSON.stringify(YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8"))).toLowerCase();
            for (const [where, text] of leaves({ resources: doc.resources, outputs: doc.outputs })) {
                for (const [guid] of text.matchAll(GUIDS)) {
                    assert.ok(guid.toLowerCase() in WELL_KNOWN_GUID_LABELS || configured.includes(guid.toLowerCase()), `${stack} ${where}: ${guid} is made up`);
                }
                if (!configured.includes(text.toLowerCase())) {
                    assert.doesNotMatch(text, /^(aadsp|vssgp|aad)\.|^\d{3,}$/, `${stack} ${where}: ${text} looks like a real descriptor or id`);
                }
            }
        }
    });

    it("labels the well-known GUIDs under the input that holds them", async () => {
        const { stdout } = await plan(["--at", AT]);
        const lines = stdout.split("\n");
        const at = lines.findIndex((line) => line.startsWith("      requiredResourceAccesses: "));
        assert.deepEqual(lines.slice(at + 1, at + 3), [
            `        # ${USER_IMPERSONATION_SCOPE_ID_FALLBACK}: user_impersonation, Azure DevOps' delegated permission`,
            `        # ${AZURE_DEVOPS_APP_ID}: Azure DevOps (Microsoft's application, the same in every tenant)`,
        ]);
        // Once under each input that holds it (the app's permissions, and the Azure DevOps principal the app component looked up).
        assert.equal(lines.filter((line) => line.includes(`# ${AZURE_DEVOPS_APP_ID}:`)).length,
            lines.filter((line) => line.includes(AZURE_DEVOPS_APP_ID) && !line.trimStart().startsWith("#")).length, "once under each input that holds it");
    });

    it("prints no alias lines (the project's own refactors) unless asked with --aliases; the JSON keeps them", async () => {
        const text = await plan(["--at", AT]);
        assert.doesNotMatch(text.stdout, /alias/);
        const shown = await plan(["--aliases", "--at", AT]);
        assert.match(shown.stdout, /^ {2}\+ dbt-azure-devops-secret-rotation {2}\[pulumi-nodejs:dynamic\/entra:ClientSecretRotation\] {2}\(parent dbt-azure-devops-secret, alias dbt-azure-devops-dbt-cloud under dbt-azure-devops-dbt-cloud, alias dbt-azure-devops-dbt-cloud at the root\)$/m);
        assert.equal(shown.stdout.replace(/ {2}\(alias [^)]*\)|, alias [^)]*/g, ""), text.stdout, "--aliases adds the aliases and nothing else");
        const doc = JSON.parse((await plan(["--json", "--at", AT])).stdout) as PlanDocument;
        // dbt Cloud's record resource of earlier versions, under its component and before that at the root.
        assert.deepEqual(doc.resources.find((r) => r.type === "pulumi-nodejs:dynamic/entra:ClientSecretRotation")?.options?.aliases, [
            { type: "pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication", name: "dbt-azure-devops-dbt-cloud", parent: "dbt-azure-devops-dbt-cloud" },
            { type: "pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication", name: "dbt-azure-devops-dbt-cloud" },
        ]);
    });
});
