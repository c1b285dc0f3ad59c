/**
 * One directory and one dbt Cloud account for the unit tests of the secret handover, in-process:
 * the fake identity platform and Graph (./fakeEntra.ts, https) over a fresh tenant file holding the
 * dbt app, and the fake dbt Cloud (../dbtcloud/fakeDbtCloud.ts), with the environment the engine
 * tests give the providers (test/engine/fakeClouds.ts start and startEntra): the test switch, the
 * authority and Graph overrides, the deploying identity's client secret, DBT_CLOUD_TOKEN, and short
 * waits. The providers are called directly (their methods, or `rotate()` with its dependencies).
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { secretGeneration } from "../../domain/rotationSchedule";
import {
    ClientSecretRotationInputs, ClientSecretRotationOutputs, clientSecretRotationProvider, DbtCloudHandover, realDeps, RotationDeps, ScheduledSecret,
} from "../../providers/entra/clientSecretRotation";
import { ACCOUNT, DBT_TOKEN, FakeDbtCloud, onLegacyHost } from "../dbtcloud/fakeDbtCloud";
import { addPassword, isRefusal } from "../engine/fakeAzuread/credentials";
import {
    createTenantFile, DEFAULT_DEPLOYER_CLIENT_ID, DEFAULT_TENANT_ID, FakeApplication, FakePassword, newApplicationObject, readTenant, Tenant, updateTenant,
} from "../engine/fakeAzuread/tenant";
import { PartialFailure } from "../../providers/providerSafety";
import { assertNoSecrets, captureConsole, FAST_HTTP_ENV, RecordedRequest, useEnv } from "../http/fakeServer";
import { trustTestCertificate } from "../http/testCertificate";
import { DEFAULT_DEPLOYER_SECRET, FakeEntra } from "./fakeEntra";

export const TENANT_ID = DEFAULT_TENANT_ID;
export const OWNER = "dbt-azure-devops/test";
export const SETTINGS = { rotationDays: 90, overlapDays: 14 };
/** The period the tests start in: the one running now, so every end date lies ahead of the fake's clock. */
export const NOW_PERIOD = Math.floor((Date.now() - Date.parse("2024-01-01T00:00:00Z")) / (SETTINGS.rotationDays * 86_400_000));

/** The schedule's secret of `period`, as components/rotatingClientSecret.ts passes it. */
export function scheduled(period: number): ScheduledSecret {
    const generation = secretGeneration(period, SETTINGS);
    return { slot: generation.slot, period, periodStart: generation.periodStart.toISOString().replace(/\.\d{3}Z$/, "Z"), endDate: generation.endDate };
}

/** The environment the providers run with (the engine tests' env, with waits a unit test can afford). */
export function handoverEnv(entraBase: string): Record<string, string | undefined> {
    return {
        ...FAST_HTTP_ENV,
        // TLS handshakes and msal on a loaded machine: no unit test here is about timeouts.
        DBT_ADO_HTTP_TIMEOUT_MS: "15000",
        DBT_ADO_TEST_OVERRIDES: "1",
        AZURE_AUTHORITY_HOST: entraBase,
        AZURE_GRAPH_BASE_URL: entraBase,
        AZURE_TENANT_ID: TENANT_ID,
        AZURE_CLIENT_ID: DEFAULT_DEPLOYER_CLIENT_ID,
        AZURE_CLIENT_SECRET: DEFAULT_DEPLOYER_SECRET,
        // Other ways DefaultAzureCredential could sign in: none.
        AZURE_CLIENT_CERTIFICATE_PATH: undefined,
        AZURE_FEDERATED_TOKEN_FILE: undefined,
        // A runner may narrow DefaultAzureCredential to one source (the workflow harness sets AzureCliCredential).
        AZURE_TOKEN_CREDENTIALS: undefined,
        AZURE_USERNAME: undefined,
        DBT_CLOUD_TOKEN: DBT_TOKEN,
        DBT_CLOUD_HOST_URL: undefined,
        DBT_ADO_READINESS_PAUSE_MS: "5",
        DBT_ADO_GRAPH_LAG_PAUSE_MS: "20",
        DBT_ADO_GRAPH_LAG_ATTEMPTS: "5",
    };
}

/**
 * Where the tenant files go: memory (/dev/shm) where there is one, since the fake rewrites the file
 * (write and rename, under a lock) on every call it answers; else the temporary directory.
 */
function scratchDir(): string {
    try {
        fs.accessSync("/dev/shm", fs.constants.W_OK);
        return "/dev/shm";
    } catch {
        return os.tmpdir();
    }
}

export class HandoverWorld {
    public app!: FakeApplication;
    public apiBaseUrl = "";
    private restoreEnv: () => void = () => undefined;
    private readonly dir = fs.mkdtempSync(path.join(scratchDir(), "dbt-ado-handover-"));
    public readonly tenantFile = path.join(this.dir, "tenant.json");
    public readonly entra = new FakeEntra(this.tenantFile);
    public readonly dbt = new FakeDbtCloud(onLegacyHost());

    /** Starts both fakes over a new tenant that holds the dbt app (no secrets yet). */
    public static async start(): Promise<HandoverWorld> {
        trustTestCertificate();
        const world = new HandoverWorld();
        createTenantFile(world.tenantFile, { tenantId: TENANT_ID });
        world.app = world.update((t) => {
            const app = newApplicationObject({ displayName: "dbt Labs Azure DevOps App (test)", signInAudience: "AzureADMultipleOrgs" }, new Date(Date.now() - 3_600_000));
            t.applications.push(app);
            return app;
        });
        const entraBase = (await world.entra.start()).AZURE_GRAPH_BASE_URL;
        world.apiBaseUrl = `${await world.dbt.server.start()}/api`;
        world.restoreEnv = useEnv(handoverEnv(entraBase));
        return world;
    }

    public async stop(): Promise<void> {
        this.restoreEnv();
        await Promise.all([this.entra.stop(), this.dbt.server.stop()]);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    public tenant(): Tenant {
        return readTenant(this.tenantFile);
    }

    public update<T>(fn: (tenant: Tenant) => T): T {
        return updateTenant(this.tenantFile, fn);
    }

    /** The dbt app's password credentials, as the tenant holds them (values included: it is a fake). */
    public passwords(): FakePassword[] {
        return this.tenant().applications.find((a) => a.objectId === this.app.objectId)?.passwords ?? [];
    }

    public password(keyId: string): FakePassword | undefined {
        return this.passwords().find((p) => p.keyId === keyId);
    }

    /** Adds a credential as someone else would (the portal, az ad app credential reset, another stack). */
    public addCredential(displayName: string, endDate = new Date(Date.now() + 200 * 86_400_000).toISOString()): FakePassword {
        return this.update((t) => {
            const app = t.applications.find((a) => a.objectId === this.app.objectId)!;
            const added = addPassword(t, app, { displayName, endDate }, new Date());
            if (isRefusal(added)) throw new Error(added.message);
            return added;
        });
    }

    public removeCredential(keyId: string): void {
        this.update((t) => {
            const app = t.applications.find((a) => a.objectId === this.app.objectId)!;
            app.passwords = app.passwords.filter((p) => p.keyId !== keyId);
        });
    }

    /** Calls of the tenant's log (ops `token`, `graph:*`) from call number `after` on. */
    public calls(after = 0): Tenant["calls"] {
        return this.tenant().calls.filter((c) => c.n > after);
    }

    /** Token requests made with the dbt app's own secrets (readiness), from call number `after` on. */
    public appTokenRequests(after = 0): Tenant["calls"] {
        return this.calls(after).filter((c) => c.op === "token" && c.id === this.app.clientId);
    }

    /** The client secret dbt Cloud's active record holds now. */
    public dbtSecret(): string | undefined {
        return this.dbt.records.find((r) => r.active)?.fields.client_secret as string | undefined;
    }

    public dbtHandover(over: Partial<DbtCloudHandover> = {}): DbtCloudHandover {
        return {
            kind: "dbtCloud", accountId: ACCOUNT, apiBaseUrl: this.apiBaseUrl, organizationName: "contoso-data", authMethod: "service_principal",
            redirectHosts: ["cloud.getdbt.com"], ...over,
        };
    }

    /** The rotation's inputs for `period`, handing over to dbt Cloud unless `handover` says otherwise. */
    public inputs(period = NOW_PERIOD, over: Partial<ClientSecretRotationInputs> = {}): ClientSecretRotationInputs {
        return {
            applicationObjectId: this.app.objectId,
            clientId: this.app.clientId,
            tenantId: TENANT_ID,
            owner: OWNER,
            current: scheduled(period),
            // One token request proves a secret here; the readiness tests ask for more.
            readiness: { successes: 1, timeoutSeconds: 5 },
            handover: this.dbtHandover(),
            ...over,
        };
    }

    /** Dependencies for `rotate()`: the real Graph store, readiness and dbt write, a nonce of the test's choice, logs kept. */
    public deps(nonce?: string): RotationDeps & { lines: string[] } {
        const lines: string[] = [];
        return { ...realDeps({ tenantId: TENANT_ID, clientId: this.app.clientId }), nonce: () => nonce ?? crypto.randomBytes(4).toString("hex"), log: (line) => lines.push(line), lines };
    }

    /**
     * Runs a provider call with the console captured, and checks everything it printed, threw or
     * returned for secret values: only a stackOutput handover's `value` output holds one, by design.
     */
    public async quietly<T>(action: () => Promise<T>): Promise<{ result?: T; error?: Error; log: string }> {
        const { result, error, lines } = await captureConsole(action);
        const log = lines.join("\n");
        const returned = { ...(result as Record<string, unknown> | undefined) };
        const outs = returned.outs as Record<string, unknown> | undefined;
        const failure = error as PartialFailure | undefined;
        const text = [log, failure?.message ?? "", failure?.stack ?? "", JSON.stringify(failure?.properties ?? {}),
            JSON.stringify({ ...returned, outs: outs ? { ...outs, value: undefined } : undefined })].join("\n");
        assertNoSecrets(text, this.secrets(), "the provider's output");
        // What the engine receives: the dynamic provider host encodes outs, props and inputs as a
        // protobuf Struct (@pulumi/pulumi cmd/dynamic-provider), which refuses an undefined value.
        for (const key of ["outs", "props", "inputs"]) {
            const value = returned[key];
            if (value && typeof value === "object") {
                assert.doesNotThrow(() => Struct.fromJavaScript(value as Parameters<typeof Struct.fromJavaScript>[0]), `the engine cannot encode the provider's ${key}`);
            }
        }
        return { result, error: failure, log };
    }

    /** The provider's create, which must succeed. */
    public async created(inputs = this.inputs()): Promise<{ id: string; outs: ClientSecretRotationOutputs }> {
        const { result, error } = await this.quietly(() => clientSecretRotationProvider.create(inputs));
        if (error) throw error;
        return result as { id: string; outs: ClientSecretRotationOutputs };
    }

    /** The provider's update, which must succeed; its new state. */
    public async updated(id: string, olds: ClientSecretRotationOutputs, news: ClientSecretRotationInputs): Promise<ClientSecretRotationOutputs> {
        const { result, error } = await this.quietly(() => clientSecretRotationProvider.update!(id, olds, news));
        if (error) throw error;
        return result!.outs as ClientSecretRotationOutputs;
    }

    /** Every value a leak check looks for: the tokens, the deploying identity's secret, every secret ever minted. */
    public secrets(): string[] {
        return [DBT_TOKEN, DEFAULT_DEPLOYER_SECRET, ...this.entra.minted, ...this.passwords().map((p) => p.value)];
    }

    /**
     * For each client secret written to dbt Cloud, what the app held at that moment and how far the
     * tenant's call log had got: so a test can say what was still there, and what had happened, when
     * dbt Cloud got its new secret. Replaces any other watcher of the dbt fake's requests.
     */
    public watchDbtWrites(): Array<{ secret: string; keyIds: string[]; calls: number }> {
        const writes: Array<{ secret: string; keyIds: string[]; calls: number }> = [];
        this.dbt.server.onRequest = (request: RecordedRequest) => {
            const body = request.body as { client_secret?: string } | undefined;
            if (request.method === "POST" && body?.client_secret) {
                const tenant = this.tenant();
                const app = tenant.applications.find((a) => a.objectId === this.app.objectId);
                writes.push({ secret: body.client_secret, keyIds: (app?.passwords ?? []).map((p) => p.keyId), calls: tenant.calls.length });
            }
        };
        return writes;
    }
}

/** A world of its own for each test of the calling suite (call inside `describe`); `set` receives it. */
export function freshWorldForEachTest(set: (world: HandoverWorld) => void): void {
    let world: HandoverWorld | undefined;
    beforeEach(async () => {
        world = await HandoverWorld.start();
        set(world);
    });
    afterEach(async () => {
        await world?.stop();
        world = undefined;
    });
}

export { ACCOUNT, DBT_TOKEN };
