/**
 * The Azure DevOps and dbt Cloud fakes the provider tests use, started on 127.0.0.1 for a whole
 * engine run and reached through the providers' base-URL variables, plus the environment a
 * `pulumi` process needs to use them (tokens come from the environment, as for a user).
 */
import { FakeAzureDevOps, PAT, TENANT } from "../azuredevops/fakeAzureDevOps";
import { DBT_TOKEN, FakeDbtCloud, FakeDeployment } from "../dbtcloud/fakeDbtCloud";
import { DEFAULT_DEPLOYER_SECRET, FakeEntra } from "../entra/fakeEntra";
import { installAuditRoutes } from "../entra/fakeGraphAudit";
import { FAST_HTTP_ENV, RecordedRequest } from "../http/fakeServer";
import { DEFAULT_DEPLOYER_CLIENT_ID, readTenant, Tenant } from "./fakeAzuread/tenant";
import { EngineWorkspace, requireEngine } from "./workspace";

export { PAT, DBT_TOKEN, TENANT };

export interface FakeCloudsOptions {
    /** Organizations connected to the tenant (default: the dev stack's). */
    organizations?: string[];
    /** dbt Cloud accounts the fake serves (default: the dev stack's). */
    accounts?: string[];
    /** Project names the fake organizations hold, besides the fake's own. */
    projects?: string[];
    /** The dbt Cloud deployment's `oauth_redirect_uri_domain` (default: the dev stack's host, ab123.us1.dbt.com). */
    oauthRedirectUriDomain?: string;
}

export class FakeClouds {
    public readonly ado = new FakeAzureDevOps();
    public readonly dbt: FakeDbtCloud;
    /** Entra's token endpoint and Microsoft Graph, over the workspace's tenant file: see `startEntra`. */
    public entra: FakeEntra | undefined;
    public env: Record<string, string> = {};

    constructor(options: FakeCloudsOptions = {}) {
        this.dbt = new FakeDbtCloud(new FakeDeployment(501, options.accounts ?? ["70403103926931"], options.oauthRedirectUriDomain));
        for (const org of options.organizations ?? ["contoso-data"]) {
            this.ado.orgTenants.set(org, TENANT);
        }
        (options.projects ?? ["Data Platform"]).forEach((name, i) => {
            this.ado.projects.push({ id: `0a1b2c3d-0000-4000-8000-0000000001${String(i).padStart(2, "0")}`, name });
        });
    }

    public async start(): Promise<Record<string, string>> {
        const adoEnv = await this.ado.start();
        const dbtBase = await this.dbt.server.start();
        this.env = {
            ...adoEnv,
            ...FAST_HTTP_ENV,
            // The fakes answer at once, but a loaded machine runs several engines' plugins: no
            // engine test is about timeouts, so give each call room.
            DBT_ADO_HTTP_TIMEOUT_MS: "20000",
            DBT_ADO_CONNECT_VERIFY_PAUSE_MS: "10",
            DBT_ADO_IDENTITY_PAUSE_MS: "10",
            DBT_ADO_READ_PAUSE_MS: "10",
            DBT_CLOUD_HOST_URL: `${dbtBase}/api`,
            DBT_CLOUD_TOKEN: DBT_TOKEN,
            AZDO_PERSONAL_ACCESS_TOKEN: PAT,
            // Every base-URL override above is a test override.
            DBT_ADO_TEST_OVERRIDES: "1",
            // A new secret proves itself with 8 token requests: 50 ms apart here, one second for real.
            DBT_ADO_READINESS_PAUSE_MS: "50",
            DBT_ADO_GRAPH_LAG_PAUSE_MS: "50",
        };
        return this.env;
    }

    /**
     * Starts the fake identity platform and Graph over `tenantFile` (one directory with the fake
     * azuread plugin) and returns the variables that point @azure/identity and the Graph client at
     * it: the deploying identity signs in with a client secret (EnvironmentCredential), as a
     * pipeline's service principal could.
     */
    public async startEntra(tenantFile: string): Promise<Record<string, string>> {
        this.entra = new FakeEntra(tenantFile);
        // The Graph reads of the drift audit too: the CI steps' drift job runs it against this tenant.
        installAuditRoutes(this.entra);
        const entraEnv = await this.entra.start();
        const added = { ...entraEnv, AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: DEFAULT_DEPLOYER_CLIENT_ID, AZURE_CLIENT_SECRET: DEFAULT_DEPLOYER_SECRET };
        this.env = { ...this.env, ...added };
        return added;
    }

    public async stop(): Promise<void> {
        await Promise.all([this.ado.server.stop(), this.dbt.server.stop(), this.entra?.stop()]);
    }

    /** Requests the fakes answered, since the last `forget()`. */
    public requests(): RecordedRequest[] {
        return [...this.ado.server.requests, ...this.dbt.server.requests, ...(this.entra?.server.requests ?? [])];
    }

    public forget(): void {
        this.ado.server.reset();
        this.dbt.server.reset();
        this.entra?.server.reset();
    }

    /** The client secret dbt Cloud's record holds now (undefined without an active record). */
    public dbtSecret(): string | undefined {
        const record = this.dbt.records.find((r) => r.active);
        return record?.fields.client_secret as string | undefined;
    }
}

/** "GET 12, POST 0" style counts of what a fake answered, by method. */
export function countByMethod(requests: RecordedRequest[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of requests) {
        counts[r.method] = (counts[r.method] ?? 0) + 1;
    }
    return counts;
}

/** One write of a client secret to dbt Cloud, seen by the fake as it arrived. */
export interface DbtSecretWrite {
    secret: string;
    /** How far the fake tenant's call log had got at that moment (calls numbered up to this one came before). */
    tenantCalls: number;
    /** keyId -> value of every password in the tenant at that moment. */
    passwords: Map<string, string>;
}

/**
 * Watches every client secret written to dbt Cloud and checks, as each arrives, that the tenant
 * holds it and still holds the one dbt Cloud had until then. Problems are collected, not thrown:
 * a throw inside the fake's handler would break the fake rather than fail the test.
 */
export function watchDbtSecretWrites(clouds: FakeClouds, tenantFile: string): { writes: DbtSecretWrite[]; problems: string[] } {
    const writes: DbtSecretWrite[] = [];
    const problems: string[] = [];
    clouds.dbt.server.onRequest = (request) => {
        const body = request.body as { client_secret?: string } | undefined;
        if (request.method !== "POST" || !body?.client_secret) {
            return;
        }
        const tenant = readTenant(tenantFile);
        const passwords = new Map(tenant.applications.flatMap((a) => a.passwords.map((p): [string, string] => [p.keyId, p.value])));
        const values = [...passwords.values()];
        if (!values.includes(body.client_secret)) {
            problems.push(`write ${writes.length + 1}: dbt Cloud was given a secret the tenant does not hold`);
        }
        const held = writes[writes.length - 1]?.secret;
        if (held !== undefined && !values.includes(held)) {
            problems.push(`write ${writes.length + 1}: the secret dbt Cloud held was deleted before its successor reached dbt Cloud`);
        }
        writes.push({ secret: body.client_secret, tenantCalls: tenant.calls.length, passwords });
    };
    return { writes, problems };
}

export interface EngineStack {
    clouds: FakeClouds;
    ws: EngineWorkspace;
}

/**
 * The fake clouds, started, and a workspace for `stack` whose fake tenant is the one the Azure
 * DevOps fake's organizations trust. Call from a suite's `before` (it skips the suite, or fails
 * it under CI, when there is no engine).
 */
export async function startEngineStack(
    context: Mocha.Context,
    options: { stack?: string; stackFile?: string; clouds?: FakeCloudsOptions; programRoot?: string; needsFaketime?: boolean } = {},
): Promise<EngineStack> {
    const bin = requireEngine(context, options.needsFaketime);
    const clouds = new FakeClouds(options.clouds);
    try {
        const env = await clouds.start();
        const ws = await EngineWorkspace.create({ bin, stack: options.stack ?? "dev", stackFile: options.stackFile, programRoot: options.programRoot, env, tenant: { tenantId: TENANT } });
        try {
            ws.addEnv(await clouds.startEntra(ws.tenantFile));
        } catch (error) {
            ws.dispose();
            throw error;
        }
        return { clouds, ws };
    } catch (error) {
        await clouds.stop();
        throw error;
    }
}

/** Stops what `startEngineStack` started (either part may be missing after a skip). */
export async function stopEngineStack(stack: Partial<EngineStack>): Promise<void> {
    await stack.clouds?.stop();
    stack.ws?.dispose();
}

/** Every secret a leak check looks for: the tokens in the environment and every client secret the tenant holds. */
export function allSecrets(tenant: Tenant): string[] {
    return [DBT_TOKEN, PAT, DEFAULT_DEPLOYER_SECRET, ...tenant.applications.flatMap((a) => a.passwords.map((p) => p.value))];
}
