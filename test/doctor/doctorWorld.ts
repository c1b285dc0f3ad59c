/**
 * A world for `npm run doctor` to check: the fake Entra and Graph (with the directory routes), Azure
 * DevOps (with the rights routes), dbt Cloud, Azure storage, Key Vault and Pulumi Cloud, on 127.0.0.1,
 * and a project folder with one stack file. Nothing is wrong in it until a test seeds a problem.
 * The doctor runs in this process with the world's environment, as a user's shell would give it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { createTenantFile, Tenant, updateTenant } from "../engine/fakeAzuread/tenant";
import { FakeClouds, TENANT } from "../engine/fakeClouds";
import { addDirectoryRoutes } from "../entra/fakeGraphDirectory";
import { REPO_ROOT } from "../harness/runProgram";
import { runDoctorCommand } from "../../tools/doctor/cli";
import { AdoRights } from "./fakeAdoRights";
import { FakeAzureServices } from "./fakeAzureServices";

export const STACK = "prod";
export const PASSPHRASE = "doctor-test-passphrase";
/** What the Pulumi 3.276 CLI (built here by npm run engine) wrote as encryptionsalt for PASSPHRASE. */
export const ENCRYPTION_SALT = "v1:61YDnAQwMYQ=:v1:HHN5KttnhluobXB9:U3gbCJ6lONb8LOdynTabppFNXJWDxg==";

export const STACK_CONFIG: Record<string, unknown> = {
    "dbt-azure-devops:adoOrganization": "contoso-data",
    "dbt-azure-devops:dbtCloudHost": "ab123.us1.dbt.com",
    "dbt-azure-devops:appDisplayName": "dbt Labs Azure DevOps App (prod)",
    "dbt-azure-devops:adoProjects": ["Data Platform"],
    "dbt-azure-devops:dbtCloudAccountId": 70403103926931,
};

export interface DoctorRun {
    code: number;
    stdout: string;
    stderr: string;
}

export interface CheckView {
    id: string;
    status: "pass" | "fail" | "warn";
    detail: string;
    fix?: string;
}

export class DoctorWorld {
    public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-doctor-"));
    public readonly tenantFile = path.join(this.dir, "tenant.json");
    public readonly backend = path.join(this.dir, "backend");
    public readonly clouds = new FakeClouds();
    public readonly rights = new AdoRights(this.clouds.ado);
    public readonly azure = new FakeAzureServices();
    /** The environment the doctor runs with; tests change it to seed a problem. */
    public env: Record<string, string | undefined> = {};
    private stackFile: Record<string, unknown> = { config: { ...STACK_CONFIG }, encryptionsalt: ENCRYPTION_SALT };

    public static async start(): Promise<DoctorWorld> {
        const world = new DoctorWorld();
        fs.mkdirSync(world.backend);
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(world.dir, "Pulumi.yaml"));
        fs.mkdirSync(path.join(world.dir, "stacks"));
        world.writeStack();
        createTenantFile(world.tenantFile, { tenantId: TENANT });
        const cloudEnv = await world.clouds.start();
        const entraEnv = await world.clouds.startEntra(world.tenantFile);
        addDirectoryRoutes(world.clouds.entra!);
        world.clouds.ado.acceptEntraTokens = true;
        const azureBase = await world.azure.start();
        world.env = {
            ...cloudEnv,
            ...entraEnv,
            DBT_ADO_TEST_AZURE_BASE_URL: azureBase,
            PULUMI_BACKEND_URL: `file://${world.backend}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_HOME: path.join(world.dir, "pulumi-home"),
            DBT_ADO_HTTP_MAX_RETRIES: "0",
        };
        return world;
    }

    /** Replaces the stack file's config keys given (null removes one) and its other top-level keys. */
    public writeStack(config: Record<string, unknown> = {}, top: Record<string, unknown> = {}): void {
        const merged = { ...(this.stackFile.config as Record<string, unknown>), ...config };
        for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
        this.stackFile = { ...this.stackFile, ...top, config: merged };
        for (const [key, value] of Object.entries(this.stackFile)) if (value === null) delete this.stackFile[key];
        fs.writeFileSync(path.join(this.dir, "stacks", `Pulumi.${STACK}.yaml`), YAML.stringify(this.stackFile));
    }

    public updateTenant(fn: (tenant: Tenant) => void): void {
        updateTenant(this.tenantFile, fn);
    }

    /** The doctor as `npm run doctor -- <argv>` runs it, with the world's environment in place of the process's. */
    public async run(argv: string[] = ["--stack", STACK, "--json"]): Promise<DoctorRun> {
        const saved = process.env;
        process.env = Object.fromEntries(Object.entries({ PATH: saved.PATH, NODE_EXTRA_CA_CERTS: saved.NODE_EXTRA_CA_CERTS, ...this.env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
        let stdout = "";
        let stderr = "";
        try {
            const code = await runDoctorCommand(argv, { cwd: this.dir, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), now: () => new Date("2026-12-06T12:00:00Z") });
            return { code, stdout, stderr };
        } finally {
            process.env = saved;
        }
    }

    /** The checks of a --json run, by id. */
    public async checks(): Promise<{ run: DoctorRun; byId: Map<string, CheckView> }> {
        const run = await this.run();
        const parsed = JSON.parse(run.stdout) as { checks: CheckView[] };
        return { run, byId: new Map(parsed.checks.map((c) => [c.id, c])) };
    }

    public async stop(): Promise<void> {
        await Promise.all([this.clouds.stop(), this.azure.stop()]);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
