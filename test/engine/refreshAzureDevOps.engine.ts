/**
 * The real engine refreshes the Azure DevOps side (issue 9): `pulumi up` the dev stack, change the
 * fake Azure DevOps behind Pulumi's back (a granted bit removed, a membership removed, the licence
 * changed, then the entitlement deleted), `pulumi refresh --yes --json` shows exactly that drift on
 * the right resources (the Node dynamic-provider host calls each provider's `read` on refresh:
 * pulumi/pulumi sdk/nodejs/cmd/dynamic-provider/index.ts), `pulumi up` puts the fake back to the
 * declared state, and the stack's secrets are still secrets in state after the refresh.
 */
import * as assert from "assert";
import { isDeepStrictEqual } from "util";
import { GIT_REPOSITORIES_NAMESPACE } from "../../domain/wellKnownIds";
import { FakeAzureDevOps, OTHER_TENANT } from "../azuredevops/fakeAzureDevOps";
import { allSecrets, FakeClouds, PAT, startEngineStack, stopEngineStack, TENANT } from "./fakeClouds";
import { EngineWorkspace } from "./workspace";

interface EngineStep { op: string; urn: string; old?: { outputs?: Record<string, unknown> }; new?: { outputs?: Record<string, unknown> } }
interface StateResource { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }

const ENTITLEMENT = "azuredevops:ServicePrincipalEntitlement";
const PERMISSIONS = "azuredevops:ProjectPermissions";
const CONNECTION = "azuredevops:DirectoryConnection";

/** The last segment of a URN: the resource's name. */
const nameOf = (urn: string) => urn.split("::").pop()!;

/**
 * Every JSON document in `pulumi refresh --yes --json`'s output. Measured with this engine: first a
 * summary whose steps still carry the old outputs as the new ones, then the engine's event stream,
 * one document per event; a `resOutputsEvent` carries the state before and after each read.
 */
function jsonDocuments(text: string): Array<Record<string, unknown>> {
    const documents: Array<Record<string, unknown>> = [];
    let rest = text.trim();
    while (rest !== "") {
        try {
            documents.push(JSON.parse(rest) as Record<string, unknown>);
            break;
        } catch (error) {
            const at = /at position (\d+)/.exec(String((error as Error).message));
            if (!at || Number(at[1]) === 0) {
                break; // not JSON (a provider's log line): stop here
            }
            documents.push(JSON.parse(rest.slice(0, Number(at[1]))) as Record<string, unknown>);
            rest = rest.slice(Number(at[1])).trim();
        }
    }
    return documents;
}

/** Output keys whose value a read changed. */
function changedOutputs(step: EngineStep): string[] {
    const before = step.old?.outputs ?? {};
    const after = step.new?.outputs ?? {};
    return [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .filter((key) => !isDeepStrictEqual(before[key], after[key]))
        .sort();
}

/** What a refresh changed: each resource it deleted from state or whose outputs it changed. */
function changes(json: string): EngineStep[] {
    return jsonDocuments(json)
        .map((d) => (d.resOutputsEvent as { metadata?: EngineStep } | undefined)?.metadata)
        .filter((m): m is EngineStep => m !== undefined)
        .filter((m) => m.op === "delete" || (m.op !== "same" && changedOutputs(m).length > 0));
}

describe("engine: pulumi refresh sees Azure DevOps drift; up repairs it; secrets stay secret", function () {
    this.timeout(15 * 60_000);
    let clouds: FakeClouds;
    let ws: EngineWorkspace;

    const state = async () => (JSON.parse((await ws.pulumi(["stack", "export"])).stdout) as { deployment: { resources: StateResource[] } }).deployment.resources;
    const ofType = async (type: string) => (await state()).filter((r) => r.type.endsWith(type));
    const entitlement = () => [...clouds.ado.entitlements.values()][0];

    before(async function () {
        ({ clouds, ws } = await startEngineStack(this, { stack: "dev" }));
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
    });

    after(async () => {
        await stopEngineStack({ clouds, ws });
    });

    it("1. a removed bit, a removed membership and another licence show as exactly that drift; up grants them again", async () => {
        const e = entitlement();
        assert.ok(e, "up added the principal");
        const identity = FakeAzureDevOps.identityDescriptor(e.originId);
        const [analytics, dataPlatform] = ["Analytics", "Data Platform"].map((n) => clouds.ado.projects.find((p) => p.name === n)!);
        const gitKey = `${GIT_REPOSITORIES_NAMESPACE}|repoV2/${analytics.id}|${identity}`;
        const readers = `${e.descriptor}|${FakeAzureDevOps.groupDescriptor(dataPlatform.id, "Readers")}`;
        assert.strictEqual(clouds.ado.aces.get(gitKey), 16388);
        assert.ok(clouds.ado.memberships.has(readers));

        // Behind Pulumi's back: PullRequestContribute removed on Analytics, Readers left on Data
        // Platform, the principal moved to Stakeholder.
        clouds.ado.aces.set(gitKey, 4);
        clouds.ado.memberships.delete(readers);
        e.license = "stakeholder";

        const refresh = await ws.pulumi(["refresh", "--yes", "--json"]);
        const drifted = changes(refresh.stdout).filter((s) => /azuredevops:/.test(s.urn)).map((s) => `${s.op} ${nameOf(s.urn)}: ${changedOutputs(s).join(", ")}`).sort();
        assert.deepStrictEqual(drifted, [
            "update dbt-azure-devops-ado-entitlement: accessLevel",
            "update dbt-azure-devops-ado-project-analytics: drift",
            "update dbt-azure-devops-ado-project-data-platform: drift",
        ]);

        const [entitlementState] = await ofType(ENTITLEMENT);
        assert.strictEqual(entitlementState.outputs?.accessLevel, "stakeholder");
        const grants = Object.fromEntries((await ofType(PERMISSIONS)).map((r) => [r.outputs?.project as string, r.outputs?.drift]));
        assert.deepStrictEqual(grants, {
            "Analytics": [`PullRequestContribute on repoV2/${analytics.id} no longer allowed`],
            "Data Platform": ["no longer a member of \"Readers\""],
        });
        const [connection] = await ofType(CONNECTION);
        assert.strictEqual(connection.outputs?.connectedTenantId, TENANT, "the connection did not drift");

        const preview = JSON.parse((await ws.pulumi(["preview", "--json"])).stdout) as { steps: EngineStep[] };
        const planned = preview.steps.filter((s) => s.op !== "same" && /azuredevops:/.test(s.urn)).map((s) => `${s.op} ${nameOf(s.urn)}`).sort();
        assert.deepStrictEqual(planned, ["update dbt-azure-devops-ado-entitlement", "update dbt-azure-devops-ado-project-analytics", "update dbt-azure-devops-ado-project-data-platform"]);

        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(clouds.ado.aces.get(gitKey), 16388, "PullRequestContribute granted again");
        assert.ok(clouds.ado.memberships.has(readers), "Readers again");
        assert.strictEqual(entitlement().license, "express", "Basic again");
        for (const grant of await ofType(PERMISSIONS)) {
            assert.deepStrictEqual(grant.outputs?.drift, []);
            assert.deepStrictEqual(grant.outputs?.preExistingMemberships, [], "re-granted, never recorded as pre-existing");
        }
        await ws.pulumi(["preview", "--json", "--expect-no-changes"]);
    });

    it("2. after refresh the stack's secrets are still secrets in state, and nothing leaks", async () => {
        await ws.pulumi(["refresh", "--yes"]);
        const text = (await ws.pulumi(["stack", "export"])).stdout;
        for (const value of allSecrets(ws.tenant())) {
            assert.ok(!text.includes(value), "stack export leaks a secret after refresh");
        }
        assert.ok(!ws.backendText().includes(clouds.dbtSecret()!), "a backend file holds the client secret in clear");
        const outputs = JSON.parse((await ws.pulumi(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        // dbt Cloud's secret never reaches Pulumi on a stack that hands it over: no clientSecret output at all.
        assert.strictEqual(outputs.clientSecret, undefined);
        assert.match(String(outputs.clientSecretKeyId), /^[0-9a-f-]{36}$/);
        for (const resource of [...await ofType(ENTITLEMENT), ...await ofType(PERMISSIONS), ...await ofType(CONNECTION)]) {
            assert.ok(!JSON.stringify(resource).includes(PAT), `${nameOf(resource.urn)} holds the PAT`);
        }
    });

    it("3. an entitlement deleted behind Pulumi's back is gone on refresh, its memberships with it; up adds the principal and the memberships again", async () => {
        clouds.ado.removedEntitlementAnswer = "statusNone";
        const e = entitlement();
        const readers = ["Analytics", "Data Platform"].map((n) => `${e.descriptor}|${FakeAzureDevOps.groupDescriptor(clouds.ado.projects.find((p) => p.name === n)!.id, "Readers")}`);
        // Azure DevOps removes the principal from all project memberships with it (FakeAzureDevOps.removeEntitlement).
        clouds.ado.removeEntitlement(e.id);
        assert.ok(readers.every((m) => !clouds.ado.memberships.has(m)));
        const refresh = await ws.pulumi(["refresh", "--yes", "--json"]);
        const steps = changes(refresh.stdout).filter((s) => /azuredevops:/.test(s.urn));
        assert.deepStrictEqual(steps.map((s) => `${s.op} ${nameOf(s.urn)}: ${s.op === "delete" ? "" : changedOutputs(s).join(", ")}`).sort(), [
            "delete dbt-azure-devops-ado-entitlement: ",
            "update dbt-azure-devops-ado-project-analytics: drift",
            "update dbt-azure-devops-ado-project-data-platform: drift",
        ], `refresh steps: ${JSON.stringify(steps.map((s) => [s.op, s.urn]))}`);
        assert.deepStrictEqual(await ofType(ENTITLEMENT), [], "no longer in state");
        for (const grant of await ofType(PERMISSIONS)) {
            assert.deepStrictEqual(grant.outputs?.drift, ["no longer a member of \"Readers\""], String(grant.outputs?.project));
        }

        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(clouds.ado.entitlements.size, 1);
        assert.strictEqual(entitlement().license, "express");
        const [again] = await ofType(ENTITLEMENT);
        assert.strictEqual(again.outputs?.adoptedExisting, false, "added afresh, not adopted");
        assert.ok(readers.every((m) => clouds.ado.memberships.has(m)), "Readers again on both projects");
        for (const grant of await ofType(PERMISSIONS)) {
            assert.deepStrictEqual(grant.outputs?.drift, []);
            assert.deepStrictEqual(grant.outputs?.preExistingMemberships, [], "re-granted as its own, so destroy revokes it");
        }
        await ws.pulumi(["preview", "--json", "--expect-no-changes"]);
    });

    it("4. an organization moved to another directory shows as drift on the connection; up refuses to move it back, naming both tenants", async () => {
        clouds.ado.orgTenants.set("contoso-data", OTHER_TENANT);
        const refresh = await ws.pulumi(["refresh", "--yes", "--json"]);
        const steps = changes(refresh.stdout).filter((s) => /azuredevops:/.test(s.urn));
        assert.deepStrictEqual(steps.map((s) => `${s.op} ${nameOf(s.urn)}: ${changedOutputs(s).join(", ")}`), ["update dbt-azure-devops-ado-directory: connectedTenantId"]);
        const [connection] = await ofType(CONNECTION);
        assert.strictEqual(connection.outputs?.connectedTenantId, OTHER_TENANT);

        // verify mode never moves an organization connected elsewhere: the up fails and says so.
        const refused = await ws.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
        assert.notStrictEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, new RegExp(`connected to Entra tenant ${OTHER_TENANT}, not ${TENANT}`));
        assert.strictEqual(clouds.ado.orgTenants.get("contoso-data"), OTHER_TENANT, "nothing was moved");

        // Connected back by its admins: the next up converges and nothing is left to change.
        clouds.ado.orgTenants.set("contoso-data", TENANT);
        await ws.pulumi(["up", "--yes", "--skip-preview"]);
        const [after] = await ofType(CONNECTION);
        assert.strictEqual(after.outputs?.connectedTenantId, TENANT);
        await ws.pulumi(["preview", "--expect-no-changes"]);
    });
});
