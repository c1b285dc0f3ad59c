/**
 * Boots the policy pack exactly as `pulumi preview --policy-pack policy` does, minus the CLI:
 * the CLI's `pulumi-analyzer-policy` script resolves `@pulumi/pulumi/cmd/run-policy-pack` from
 * the pack's directory and runs it with `<engine address> .` in that directory, which compiles
 * policy/index.ts with ts-node and serves the Analyzer gRPC API. Talking to that server proves
 * the pack loads from the repo's single `npm ci` and reports real violations.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResource, AnalyzerResourceOptions, AnalyzeResponse, AnalyzerInfo, AnalyzeStackRequest, ConfigureAnalyzerRequest, EnforcementLevel, PolicyConfig } from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PACK_OWN_CONFIG, PlannedResource } from "../../policy/evaluate";
import { RULES } from "../../policy/rules";
import { APPLICATION_PASSWORD_TYPE, APPLICATION_TYPE, CLIENT_SECRET_ROTATION_TYPE, DELEGATED_PERMISSION_GRANT_TYPE, ROTATING_SECRET_COMPONENT_TYPE } from "../../policy/wellKnownIds";
import { REPO_ROOT, runProgram } from "../harness/runProgram";
import { mutated, programResources } from "./programResources";

const POLICY_DIR = path.join(REPO_ROOT, "policy");

describe("policy pack process (as pulumi --policy-pack loads it)", function () {
    // ts-node type-checks the pack on start-up: seconds, not milliseconds.
    this.timeout(120_000);

    let pack: ChildProcess | undefined;
    let client: AnalyzerClient;
    let stderr = "";

    before(async () => {
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
        pack = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
        pack.stderr?.on("data", (chunk) => (stderr += chunk));
        const port = await new Promise<string>((resolve, reject) => {
            pack?.stdout?.once("data", (chunk) => resolve(String(chunk).trim()));
            pack?.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
        });
        assert.match(port, /^\d+$/, `the pack prints its port first, got ${port}`);
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        // As the engine does before any analysis: the pack's initial config (and a config file, if any) via Configure.
        const info = await call<Empty, AnalyzerInfo>((req, cb) => client.getAnalyzerInfo(req, cb), new Empty());
        await configure(Object.fromEntries([...info.getInitialconfigMap().entries()].map(([name, policy]) =>
            [name, (policy.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>])));
    });

    after(() => {
        client?.close();
        if (pack?.pid !== undefined && pack.exitCode === null) {
            pack.kill();
        }
    });

    it("announces every rule at its level (all mandatory but the instance lock, disabled until the program declares it)", async () => {
        const info = await call<Empty, AnalyzerInfo>((req, cb) => client.getAnalyzerInfo(req, cb), new Empty());
        assert.equal(info.getName(), "dbt-azure-devops");
        assert.deepEqual(
            info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]),
            RULES.map((r) => [r.name, EnforcementLevel.MANDATORY]),
        );
    });

    it("hands the engine its own config (policy/config.json) as the initial config, for a --policy-pack-config file to override", async () => {
        const info = await call<Empty, AnalyzerInfo>((req, cb) => client.getAnalyzerInfo(req, cb), new Empty());
        const initial = Object.fromEntries([...info.getInitialconfigMap().entries()].map(([name, policy]) => [name, policy.getProperties()?.toJavaScript()]));
        assert.deepEqual(initial, PACK_OWN_CONFIG);
        // Each at its rule's level: an entry without one would reach the engine as advisory (level 0).
        for (const [name, policy] of info.getInitialconfigMap().entries()) {
            assert.equal(policy.getEnforcementlevel(), EnforcementLevel.MANDATORY, name);
        }
    });

    it("passes the program's app registration", async () => {
        const app = (await programResources()).find((r) => r.type === APPLICATION_TYPE);
        assert.ok(app);
        assert.deepEqual(await violationsFor(app), []);
    });

    it("reports a single-tenant, unprotected app as two mandatory violations", async () => {
        const resources = mutated(await programResources(), APPLICATION_TYPE, (app) => {
            app.inputs.signInAudience = "AzureADMyOrg";
            app.options.protect = false;
        });
        const app = resources.find((r) => r.type === APPLICATION_TYPE);
        assert.ok(app);
        assert.deepEqual((await violationsFor(app)).sort(), ["entra-app-multitenant", "entra-app-protected"]);
    });

    it("judges the program's client secret by the rotation's current end date, and refuses any ApplicationPassword, even one where a slot once stood", async () => {
        const rotation = (await programResources()).find((r) => r.type === CLIENT_SECRET_ROTATION_TYPE);
        assert.ok(rotation);
        assert.deepEqual(await violationsFor(rotation), []);
        const tooLong = mutated([rotation], CLIENT_SECRET_ROTATION_TYPE, (r) => {
            (r.inputs.current as Record<string, unknown>).endDate = "2030-01-01T00:00:00Z";
        })[0];
        assert.deepEqual(await violationsFor(tooLong), ["client-secret-max-lifetime"]);

        const formerSlot: PlannedResource = {
            type: APPLICATION_PASSWORD_TYPE, name: "dbt-azure-devops-secret-a", parent: "dbt-azure-devops-secret",
            parentTypes: [ROTATING_SECRET_COMPONENT_TYPE],
            inputs: { applicationId: "/applications/x", endDate: "2027-03-30T00:00:00Z" }, options: {},
        };
        assert.deepEqual((await violationsFor(formerSlot)).sort(), ["declared-resources-only", "entra-app-no-undeclared-grants"]);
        assert.deepEqual((await violationsFor({ ...formerSlot, parent: undefined, parentTypes: [] })).sort(), ["declared-resources-only", "entra-app-no-undeclared-grants"]);
    });

    it("refuses an owner not known during preview as a mandatory violation, not the pack's can't-run advisory", async () => {
        // The engine's marker for a string not known yet (@pulumi/pulumi runtime/rpc.ts unknownValue).
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const app = mutated(await programResources(), APPLICATION_TYPE, (a) => {
            a.inputs.owners = [unknown];
        }).find((r) => r.type === APPLICATION_TYPE);
        assert.ok(app);
        assert.deepEqual(await violationsFor(app), ["entra-app-owners-pinned"]);
    });

    it("refuses a resource type the program does not declare, and a consent grant on another API (a stack policy)", async () => {
        const owner = { type: "azuread:index/applicationOwner:ApplicationOwner", name: "extra-owner", inputs: { applicationId: "/applications/x", ownerObjectId: "o" }, options: {} };
        assert.deepEqual((await violationsFor(owner)).sort(), ["declared-resources-only", "entra-app-no-undeclared-grants"]);
        const armConsent = mutated(await programResources(), DELEGATED_PERMISSION_GRANT_TYPE, (grant) => {
            grant.inputs.resourceServicePrincipalObjectId = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
        });
        assert.deepEqual(await stackViolationsFor(armConsent), ["entra-app-consent-on-azure-devops-only"]);
    });

    // Last: it configures the pack process, as --policy-pack-config does, for what follows.
    it("runs the redirect-URI rule as a stack policy: a custom host the stack declares passes only once the pack config lists it", async () => {
        const stack = (await runProgram({ config: { dbtCloudHost: "dbt.acme.example", dbtCloudAdditionalHosts: '["ab123.us1.dbt.com"]', dbtCloudCustomDomain: "true", owners: '["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]' } })).resources;
        const unlisted: string[] = [];
        assert.deepEqual(await stackViolationsFor(stack, unlisted), ["entra-app-dbt-redirect-uris-only"]);
        assert.match(unlisted[0], /dbt\.acme\.example, not allowed by the policy pack/);

        // The engine sends the whole reconciled config: the pack's own, with the file's keys on top.
        await configure({ ...PACK_OWN_CONFIG, "entra-app-dbt-redirect-uris-only": { allowedHosts: ["dbt.acme.example"] } });
        assert.deepEqual(await stackViolationsFor(stack), []);
        const attacked = mutated(stack, APPLICATION_TYPE, (app) => {
            (app.inputs.web as { redirectUris: string[] }).redirectUris.push("https://attacker.example/complete/azure_active_directory");
        });
        const messages: string[] = [];
        assert.deepEqual(await stackViolationsFor(attacked, messages), ["entra-app-dbt-redirect-uris-only"]);
        assert.match(messages[0], /attacker\.example, not one of dbt\.acme\.example, ab123\.us1\.dbt\.com .*; and not allowed by the policy pack/);
        // A resource policy alone (Analyze) no longer judges redirect URIs: it could not see the hosts.
        assert.deepEqual(await violationsFor(attacked.find((r) => r.type === APPLICATION_TYPE)!), []);
    });

    /** What the engine sends the pack for `--policy-pack-config`: each policy's level and properties. */
    async function configure(config: Record<string, Record<string, unknown>>): Promise<void> {
        const request = new ConfigureAnalyzerRequest();
        for (const [name, properties] of Object.entries(config)) {
            const policy = new PolicyConfig();
            policy.setEnforcementlevel(EnforcementLevel.MANDATORY);
            policy.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
            request.getPolicyconfigMap().set(name, policy);
        }
        await call<ConfigureAnalyzerRequest, Empty>((req, cb) => client.configure(req, cb), request);
    }

    /** URNs as the engine writes them: the parent components' types, $-joined, before the type. */
    const urn = (types: string[], name: string) => `urn:pulumi:dev::dbt-azure-devops::${types.join("$")}::${name}`;

    function analyzerResource(resource: PlannedResource): { urn: string; options: AnalyzerResourceOptions; parent?: string } {
        const parentTypes = resource.parentTypes ?? [];
        const options = new AnalyzerResourceOptions();
        options.setProtect(resource.options.protect === true);
        const parent = resource.parent !== undefined && parentTypes.length > 0 ? urn(parentTypes, resource.parent) : undefined;
        if (parent !== undefined) {
            options.setParent(parent);
        }
        return { urn: urn([...parentTypes, resource.type], resource.name), options, ...(parent !== undefined ? { parent } : {}) };
    }

    /** AnalyzeStack over every resource, as the engine calls it at the end of a preview or update. */
    async function stackViolationsFor(resources: PlannedResource[], messages: string[] = []): Promise<string[]> {
        const request = new AnalyzeStackRequest();
        request.setResourcesList(resources.map((resource) => {
            const { urn: resourceUrn, options, parent } = analyzerResource(resource);
            const r = new AnalyzerResource();
            r.setType(resource.type);
            r.setName(resource.name);
            r.setUrn(resourceUrn);
            r.setProperties(Struct.fromJavaScript(resource.inputs as Record<string, never>));
            r.setOptions(options);
            if (parent !== undefined) {
                r.setParent(parent);
            }
            return r;
        }));
        const response = await call<AnalyzeStackRequest, AnalyzeResponse>((req, cb) => client.analyzeStack(req, cb), request);
        return response.getDiagnosticsList().map((d) => {
            assert.equal(d.getEnforcementlevel(), EnforcementLevel.MANDATORY, d.getMessage());
            messages.push(d.getMessage());
            return d.getPolicyname();
        });
    }

    async function violationsFor(resource: PlannedResource): Promise<string[]> {
        const parentTypes = resource.parentTypes ?? [];
        const request = new AnalyzeRequest();
        request.setType(resource.type);
        request.setName(resource.name);
        request.setUrn(urn([...parentTypes, resource.type], resource.name));
        request.setProperties(Struct.fromJavaScript(resource.inputs as Record<string, never>));
        request.setOptions(analyzerResource(resource).options);
        const response = await call<AnalyzeRequest, AnalyzeResponse>((req, cb) => client.analyze(req, cb), request);
        return response.getDiagnosticsList().map((d) => {
            assert.equal(d.getEnforcementlevel(), EnforcementLevel.MANDATORY, d.getMessage());
            return d.getPolicyname();
        });
    }
});

function call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => method(request, (err, res) => (err ? reject(err) : resolve(res))));
}
