/**
 * What every engine test of the secret handover checks once a run has settled (issue 15): dbt Cloud
 * holds a secret that works, the app has at most the two declared secrets, state matches Entra, and
 * no secret value is in state (even decrypted), a backend file or anything a command printed.
 */
import * as assert from "assert";
import { DEFAULT_DEPLOYER_SECRET } from "../entra/fakeEntra";
import { Tenant } from "./fakeAzuread/tenant";
import { DBT_TOKEN, FakeClouds, PAT } from "./fakeClouds";
import { EngineWorkspace, RunResult } from "./workspace";

const DAY = 86_400_000;
export const ROTATION_TYPE = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";

interface ExportedResource {
    type: string;
    urn: string;
    outputs?: Record<string, unknown>;
    delete?: boolean;
}

export async function exportedResources(ws: EngineWorkspace, showSecrets = false): Promise<{ text: string; resources: ExportedResource[] }> {
    const text = (await ws.pulumi(["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])])).stdout;
    const resources = (JSON.parse(text) as { deployment: { resources?: ExportedResource[] } }).deployment.resources ?? [];
    return { text, resources };
}

/** The key ids the rotation resource's state records, sorted. */
export async function stateKeyIds(ws: EngineWorkspace): Promise<string[]> {
    const rotation = (await exportedResources(ws)).resources.filter((r) => r.type === ROTATION_TYPE && !r.delete);
    assert.strictEqual(rotation.length, 1, "one rotation resource in state");
    const slots = (rotation[0].outputs?.slots ?? {}) as Record<string, { keyId: string }>;
    return Object.values(slots).map((s) => s.keyId).sort();
}

export function tenantKeyIds(tenant: Tenant): string[] {
    return tenant.applications.flatMap((a) => a.passwords.map((p) => p.keyId)).sort();
}

/** Every secret a leak check looks for: the tokens, the deploying identity's secret and every value any fake minted. */
export function everySecret(clouds: FakeClouds, tenant: Tenant): string[] {
    return [DBT_TOKEN, PAT, DEFAULT_DEPLOYER_SECRET, ...(clouds.entra?.minted ?? []), ...tenant.applications.flatMap((a) => a.passwords.map((p) => p.value))];
}

export interface Converged {
    /** The instant the program ran at (its clock). */
    at: Date;
    /** The app may hold at most this many secrets. */
    maxSecrets: number;
    /** dbt Cloud's secret must stay valid at least this long after `at`. */
    minValidDays: number;
    /** Output of every command of the run, killed ones included: none may print a secret. */
    printed?: RunResult[];
}

/** The settled state issue 15 asks for after any run, killed or not, once the next one finished. */
export async function assertHandoverConverged(ws: EngineWorkspace, clouds: FakeClouds, expected: Converged): Promise<void> {
    const tenant = ws.tenant();
    const passwords = tenant.applications[0]?.passwords ?? [];
    const held = clouds.dbtSecret();
    const heldPassword = passwords.find((p) => p.value === held);
    assert.ok(heldPassword, "dbt Cloud holds a secret the app has");
    const validDays = (Date.parse(heldPassword!.endDate) - expected.at.getTime()) / DAY;
    assert.ok(validDays >= expected.minValidDays, `dbt Cloud's secret is valid for ${validDays.toFixed(1)} days only`);
    assert.ok(passwords.length <= expected.maxSecrets, `the app holds ${passwords.length} secrets: ${passwords.map((p) => p.displayName).join(", ")}`);
    assert.deepStrictEqual(await stateKeyIds(ws), tenantKeyIds(tenant), "state records exactly the secrets Entra holds");
    await assertNoSecretAnywhere(ws, clouds, expected.printed ?? []);
}

export async function assertNoSecretAnywhere(ws: EngineWorkspace, clouds: FakeClouds, printed: RunResult[]): Promise<void> {
    const secrets = everySecret(clouds, ws.tenant());
    const exported = (await exportedResources(ws, true)).text;
    assert.ok(!secrets.some((s) => exported.includes(s)), "pulumi stack export --show-secrets holds a secret value");
    const backend = ws.backendText();
    assert.ok(!secrets.some((s) => backend.includes(s)), "a backend or PULUMI_HOME file holds a secret value");
    for (const run of printed) {
        const text = run.stdout + run.stderr;
        assert.ok(!secrets.some((s) => text.includes(s)), `a command printed a secret value:\n${text.slice(-1500)}`);
    }
}
