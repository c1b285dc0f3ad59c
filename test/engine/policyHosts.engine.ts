/**
 * The redirect-URI rule (`entra-app-dbt-redirect-uris-only`) through the real analyzer: a host
 * must be both allowed by the pack's own config (dbt's domains, or `allowedHosts` in the file
 * given to `--policy-pack-config`) and declared by the stack. The pack runs it as a stack
 * policy, which sees the app component's `dbtCloudHosts` beside the Application's
 * `web.redirectUris`.
 *
 * - A stack on a custom domain (`dbtCloudCustomDomain: true`) with no pack config fails the
 *   preview, naming the rule and the host: the stack's own config cannot widen the pack.
 * - With a pack config listing the custom host, it passes in preview and in up.
 * - The same stack under a program whose app gets one more redirect URI, on a host the stack does
 *   not declare, fails the preview naming the rule. That program is this repository's, with a
 *   test-only `index.ts` that registers a stack transformation adding the URI to the Application
 *   before `buildProgram` runs: the change a careless or hostile pull request would make, while
 *   the stack's config (and so the component's declared hosts) stays the same.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../tools/projectRoot";
import { FakeClouds, startEngineStack, stopEngineStack } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

const ROOT = projectRoot();
const EXTRA_URI = "https://dbt.attacker.example/complete/azure_active_directory";
const STACK = `config:
  dbt-azure-devops:adoOrganization: contoso-data
  dbt-azure-devops:appDisplayName: dbt Labs Azure DevOps App (single tenant)
  dbt-azure-devops:dbtCloudHost: dbt.acme.example
  dbt-azure-devops:dbtCloudAdditionalHosts:
    - ab123.us1.dbt.com
  dbt-azure-devops:dbtCloudCustomDomain: true
  dbt-azure-devops:owners:
    - 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b
`;

/** The entry point of the program that adds a redirect URI; everything else is the repository's. */
const EXTRA_URI_INDEX = `/** Test-only entry point (test/engine/policyHosts.engine.ts): the program, plus one redirect URI. */
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./config";
import { buildProgram } from "./program";

export = () => {
    pulumi.runtime.registerStackTransformation((args) => {
        if (args.type !== "azuread:index/application:Application") {
            return undefined;
        }
        const web = args.props.web as { redirectUris: string[] };
        return { props: { ...args.props, web: { ...web, redirectUris: [...web.redirectUris, ${JSON.stringify(EXTRA_URI)}] } }, opts: args.opts };
    });
    return buildProgram(readStackConfig(), new Date());
};
`;

/** A tree with every top-level entry of the repository linked, except its own `index.ts`. */
function programWithExtraUri(): string {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-ado-extra-uri-"));
    for (const entry of fs.readdirSync(ROOT)) {
        if (![".git", ".engine", "dist", "index.ts"].includes(entry)) {
            fs.symlinkSync(path.join(ROOT, entry), path.join(tree, entry));
        }
    }
    fs.writeFileSync(path.join(tree, "index.ts"), EXTRA_URI_INDEX);
    return tree;
}

describe("engine: the redirect-URI rule accepts a host only when the pack config allows it and the stack declares it", function () {
    this.timeout(10 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;
    let tree = "";
    let packConfig = "";

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "custom", stackFile: STACK }));
        tree = programWithExtraUri();
        packConfig = path.join(tree, "policy-config.json");
        fs.writeFileSync(packConfig, JSON.stringify({ "entra-app-dbt-redirect-uris-only": { allowedHosts: ["dbt.acme.example"] } }));
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
        if (tree) {
            fs.rmSync(tree, { recursive: true, force: true });
        }
    });

    const policyPack = () => path.join(ws.projectDir, "policy");
    const withPack = () => ["--policy-pack", policyPack(), "--policy-pack-config", packConfig];

    it("1. a custom-domain stack without the pack config listing its host fails the preview, naming the rule and the host", async () => {
        const callsBefore = ws.tenant().calls.filter((c) => c.op !== "read" && c.op !== "invoke").length;
        const result = await ws.pulumi(["preview", "--policy-pack", policyPack()], { allowFailure: true });
        const text = result.stdout + result.stderr;
        assert.notStrictEqual(result.code, 0, text);
        assert.match(text, /\[mandatory\]\s+entra-app-dbt-redirect-uris-only\s+\(azuread:index:Application: dbt-azure-devops-app\)/, text);
        assert.match(text, /dbt\.acme\.example, not allowed by the policy pack/, text);
        assert.doesNotMatch(text, /ab123\.us1\.dbt\.com, not allowed/, "dbt's own host is within the default domains");
        assert.strictEqual(ws.tenant().calls.filter((c) => c.op !== "read" && c.op !== "invoke").length, callsBefore, "a preview writes nothing");
    });

    it("1b. with --policy-pack-config listing the custom host, it passes in preview and up", async () => {
        const preview = await ws.pulumi(["preview", ...withPack()]);
        assert.match(preview.stdout, /dbt-azure-devops@v1\.0\.0/, "the pack ran");
        assert.doesNotMatch(preview.stdout, /mandatory|advisory|can't run/i, preview.stdout);
        const up = await ws.pulumi(["up", "--yes", "--skip-preview", ...withPack()]);
        assert.doesNotMatch(up.stdout, /mandatory|advisory|can't run/i, up.stdout);
        assert.deepStrictEqual([...ws.tenant().applications[0].web.redirectUris].sort(), [
            "https://ab123.us1.dbt.com/complete/azure_active_directory",
            "https://dbt.acme.example/complete/azure_active_directory",
        ]);
    });

    it("2. the same stack under a program that adds a redirect URI on another host fails the preview, naming the rule", async () => {
        ws.useProgram(tree);
        const callsBefore = ws.tenant().calls.filter((c) => c.op !== "read" && c.op !== "invoke").length;
        const result = await ws.pulumi(["preview", ...withPack()], { allowFailure: true });
        const text = result.stdout + result.stderr;
        assert.notStrictEqual(result.code, 0, text);
        assert.match(text, /\[mandatory\]\s+entra-app-dbt-redirect-uris-only\s+\(azuread:index:Application: dbt-azure-devops-app\)/, text);
        assert.match(text, /dbt\.attacker\.example, not one of dbt\.acme\.example, ab123\.us1\.dbt\.com \(the stack's dbtCloudHost and dbtCloudAdditionalHosts\)/);
        assert.strictEqual(ws.tenant().calls.filter((c) => c.op !== "read" && c.op !== "invoke").length, callsBefore, "a preview writes nothing");
    });

    it("3. measured: a stack policy judges final state, so up --skip-preview applies the stray URI, then fails naming the rule", async () => {
        const result = await ws.pulumi(["up", "--yes", "--skip-preview", ...withPack()], { allowFailure: true });
        assert.notStrictEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, /\[mandatory\]\s+entra-app-dbt-redirect-uris-only/);
        assert.ok(ws.tenant().applications[0].web.redirectUris.includes(EXTRA_URI), "the URI reached the app before the policy ran");
        // The repository's program puts it right.
        ws.useProgram(ROOT);
        await ws.pulumi(["up", "--yes", "--skip-preview", ...withPack()]);
        assert.ok(!ws.tenant().applications[0].web.redirectUris.includes(EXTRA_URI));
    });
});
