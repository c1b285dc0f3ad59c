/**
 * Stand-in for azure/login (test/workflows): what the workflows rely on, and nothing else.
 *
 * The real action (v3.0.1, src/common/LoginConfig.ts, src/Cli/AzureCliLogin.ts) asks GitHub for
 * the job's OIDC token (which needs `id-token: write`), then runs `az login --service-principal
 * --federated-token`; Entra accepts the token only if the app's federated credentials list its
 * subject claim, compared case-sensitively (AADSTS700213 otherwise; Azure/login#482, #515, #617).
 * Later steps then reach Azure as that identity through the az CLI session.
 *
 * Does: the same input checks as upstream; works out the subject claim GitHub would put in the
 * job's token (`repo:<owner>/<repo>:environment:<name>` for a job with an environment, else
 * `repo:<owner>/<repo>:pull_request` for pull-request events, else `repo:<owner>/<repo>:ref:<ref>`),
 * refuses a job without `id-token: write`, and signs in only an identity of the test's fake
 * directory (`WORKFLOW_TEST_DIRECTORY`) whose federated credentials list that subject. Each
 * sign-in is appended to the directory's sign-in log. The identity's Azure DevOps credential, if
 * it has one, is masked and exported to the job's later steps as AZDO_PERSONAL_ACCESS_TOKEN.
 * In place of the az CLI session the real action leaves, a signed-in identity with an Entra
 * secret in the fake directory gets a minimal `az` on the job's PATH that answers only
 * `az account get-access-token --output json --resource R [--tenant T]` (what @azure/identity's
 * AzureCliCredential runs: its azureCliCredential.ts), by asking the fake Entra's token endpoint
 * (`AZURE_AUTHORITY_HOST`) for a client-credentials token of that identity, and prints the fields
 * AzureCliCredential reads (accessToken, expiresOn, expires_on, tenant). Any other `az` command fails.
 * Does not: check any OIDC token, select a subscription, or sign in to Azure PowerShell.
 */
import * as fs from "fs";
import YAML from "yaml";
import * as os from "os";
import * as path from "path";
import { addPath, announce, booleanInput, exportVariable, info, input, refuseUnimplementedInputs, runStandIn, setSecret, WORKFLOW_FILE_VAR } from "../standin";

export const DIRECTORY_VAR = "WORKFLOW_TEST_DIRECTORY";

export interface DirectoryIdentity {
    /** For the log and the tests: "deploy identity", "preview identity". */
    name: string;
    clientId: string;
    /** Subjects of the app's federated credentials (issuer GitHub, audience api://AzureADTokenExchange). */
    federatedSubjects: string[];
    /** What the identity's Entra token would open at Azure DevOps, as the fake Azure DevOps accepts it. */
    azureDevOpsToken?: string;
    /**
     * The identity's client secret at the fake Entra (test/entra/fakeEntra.ts): the stand-in's `az`
     * gets Entra tokens with it, in place of the federated exchange the real az login made.
     */
    entraSecret?: string;
}

export interface FakeDirectory {
    tenantId: string;
    identities: DirectoryIdentity[];
    /** JSON lines, one per sign-in. */
    signInLog: string;
}

export interface SignIn {
    identity: string;
    clientId: string;
    subject: string;
    workflow: string;
    job: string;
    step: string;
}

type Permissions = string | Record<string, string> | undefined;
type Job = { environment?: string | { name?: string }; permissions?: Permissions; env?: Record<string, unknown> };
type Workflow = { permissions?: Permissions; jobs?: Record<string, Job> };

function grantsIdToken(permissions: Permissions): boolean {
    return permissions === "write-all" || (typeof permissions === "object" && permissions !== null && permissions["id-token"] === "write");
}

/**
 * An environment name such as `dbt-azure-devops-${{ matrix.stack }}`, evaluated without an
 * expression engine: each `${{ expr }}` must also be the whole value of one of the job's `env:`
 * variables (`STACK: ${{ matrix.stack }}`), whose value act has evaluated into this step's environment.
 */
function evaluateWithJobEnv(text: string, jobEnv: Record<string, unknown>, env: NodeJS.ProcessEnv, jobId: string): string {
    const normalize = (expression: string) => expression.replace(/\s+/g, " ").trim();
    return text.replace(/\$\{\{(.+?)\}\}/g, (whole, expression: string) => {
        const name = Object.keys(jobEnv).find((key) => {
            const m = /^\s*\$\{\{(.+?)\}\}\s*$/.exec(String(jobEnv[key]));
            return m !== null && normalize(m[1]) === normalize(expression);
        });
        if (name === undefined || env[name] === undefined) {
            throw new Error(`job '${jobId}' names its environment with ${whole}; the stand-in can work out the token's subject only when the job's env sets a variable to exactly that expression`);
        }
        return env[name]!;
    });
}

/** The subject claim GitHub puts in the OIDC token of job `jobId`, and whether the job may ask for one at all. */
export function jobTokenClaims(workflowText: string, jobId: string, env: NodeJS.ProcessEnv): { subject: string; idTokenWrite: boolean } {
    const workflow = YAML.parse(workflowText) as Workflow;
    const job = workflow.jobs?.[jobId];
    if (!job) {
        throw new Error(`job '${jobId}' is not in the workflow file ${env[WORKFLOW_FILE_VAR]}`);
    }
    // A job's permissions replace the workflow's; with neither, GitHub's default grants no id-token.
    const idTokenWrite = grantsIdToken(job.permissions !== undefined ? job.permissions : workflow.permissions);
    const repository = env.GITHUB_REPOSITORY ?? "";
    const named = typeof job.environment === "string" ? job.environment : job.environment?.name;
    const environment = named === undefined ? undefined : evaluateWithJobEnv(named, job.env ?? {}, env, jobId);
    const event = env.GITHUB_EVENT_NAME ?? "";
    const subject = environment
        ? `repo:${repository}:environment:${environment}`
        : event === "pull_request" || event === "pull_request_target"
            ? `repo:${repository}:pull_request`
            : `repo:${repository}:ref:${env.GITHUB_REF ?? ""}`;
    return { subject, idTokenWrite };
}

export function run(): void {
    runStandIn("azure-login", async () => {
        announce("azure/login", "signs in an identity of the test's fake directory if its federated credentials trust this job's subject claim.", [
            "no OIDC token is issued; in place of the Azure CLI session a minimal az answers `az account get-access-token` from the fake Entra, and the identity's Azure DevOps credential is handed to later steps as AZDO_PERSONAL_ACCESS_TOKEN",
            "no subscription is selected and Azure PowerShell is not signed in",
        ]);
        refuseUnimplementedInputs(["client-id", "tenant-id", "allow-no-subscriptions", "audience", "auth-type", "environment"], { "enable-AzPSSession": ["false"] });
        const env = process.env;
        const clientId = input("client-id");
        const tenantId = input("tenant-id");
        setSecret(clientId);
        if (input("environment").toLowerCase() !== "azurecloud") {
            throw new Error(`The stand-in signs in to azurecloud only; the step asks for '${input("environment")}'.`);
        }
        if (input("auth-type").toUpperCase() !== "SERVICE_PRINCIPAL") {
            throw new Error(`The stand-in implements auth-type SERVICE_PRINCIPAL only; the step asks for '${input("auth-type")}'.`);
        }
        if (!clientId || !tenantId) {
            throw new Error("Using auth-type: SERVICE_PRINCIPAL. Not all values are present. Ensure 'client-id' and 'tenant-id' are supplied.");
        }
        if (!booleanInput("allow-no-subscriptions")) {
            throw new Error("Ensure 'subscription-id' is supplied or 'allow-no-subscriptions' is 'true'.");
        }
        const directoryFile = env[DIRECTORY_VAR];
        const workflowFile = env[WORKFLOW_FILE_VAR];
        if (!directoryFile || !fs.existsSync(directoryFile) || !workflowFile || !fs.existsSync(workflowFile)) {
            throw new Error(`${DIRECTORY_VAR} and ${WORKFLOW_FILE_VAR} must name the fake directory and the running workflow file (the harness in test/workflows sets both).`);
        }
        const { subject, idTokenWrite } = jobTokenClaims(fs.readFileSync(workflowFile, "utf8"), env.GITHUB_JOB ?? "", env);
        if (!idTokenWrite) {
            throw new Error("Failed to fetch federated token from GitHub. Please make sure to give write permissions to id-token in the workflow.");
        }
        info("Federated token details (worked out by the stand-in; no token is issued):");
        info(` subject claim - ${subject}`);
        info(` audience - ${input("audience")}`);
        const directory = JSON.parse(fs.readFileSync(directoryFile, "utf8")) as FakeDirectory;
        if (tenantId !== directory.tenantId) {
            throw new Error(`AADSTS90002: Tenant '${tenantId}' not found. (The fake directory is tenant ${directory.tenantId}.)`);
        }
        const identity = directory.identities.find((i) => i.clientId === clientId);
        if (!identity) {
            throw new Error(`AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`);
        }
        if (!identity.federatedSubjects.includes(subject)) {
            throw new Error(`AADSTS700213: No matching federated identity record found for presented assertion subject '${subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`);
        }
        const signIn: SignIn = { identity: identity.name, clientId, subject, workflow: env.GITHUB_WORKFLOW ?? "", job: env.GITHUB_JOB ?? "", step: env.GITHUB_ACTION ?? "" };
        fs.appendFileSync(directory.signInLog, `${JSON.stringify(signIn)}\n`);
        info(`stand-in: signed in as the ${identity.name}.`);
        if (identity.entraSecret) {
            setSecret(identity.entraSecret);
            addPath(layAzureCli(identity.clientId, tenantId, identity.entraSecret));
            info("stand-in: later steps get Entra tokens as this identity from `az account get-access-token` (AzureCliCredential), as after the real az login.");
        }
        if (identity.azureDevOpsToken) {
            setSecret(identity.azureDevOpsToken);
            exportVariable("AZDO_PERSONAL_ACCESS_TOKEN", identity.azureDevOpsToken);
            info("stand-in: later steps reach Azure DevOps as this identity through AZDO_PERSONAL_ACCESS_TOKEN (the real action leaves an az CLI session that DefaultAzureCredential reads).");
        } else {
            info("stand-in: this identity has no access to Azure DevOps.");
        }
    });
}

/**
 * Writes the stand-in's `az` into a folder of the job's temp directory and returns the folder. Its
 * session (client id, tenant, secret) sits beside it, readable by the job's user only.
 */
function layAzureCli(clientId: string, tenantId: string, secret: string): string {
    const dir = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), "azure-login-standin-"));
    fs.writeFileSync(path.join(dir, "session.json"), JSON.stringify({ clientId, tenantId, secret }), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "az.js"), `(${azureCli.toString()})(${JSON.stringify(path.join(dir, "session.json"))});\n`);
    fs.writeFileSync(path.join(dir, "az"), `#!/bin/sh\nexec node "${path.join(dir, "az.js")}" "$@"\n`, { mode: 0o755 });
    return dir;
}

/** The body of the stand-in's `az` (serialized by `layAzureCli`: self-contained, no imports). */
function azureCli(sessionFile: string): void {
    /* eslint-disable @typescript-eslint/no-var-requires */
    const fsm = require("fs") as typeof import("fs");
    const args = process.argv.slice(2);
    const option = (name: string): string | undefined => {
        const i = args.indexOf(name);
        return i >= 0 ? args[i + 1] : undefined;
    };
    if (args[0] !== "account" || args[1] !== "get-access-token" || !option("--resource")) {
        process.stderr.write(`ERROR: the azure/login stand-in's az answers only 'az account get-access-token --resource R' (test/workflows/actions/azure-login); asked: az ${args.join(" ")}\n`);
        process.exit(2);
    }
    const session = JSON.parse(fsm.readFileSync(sessionFile, "utf8")) as { clientId: string; tenantId: string; secret: string };
    const tenant = option("--tenant") ?? session.tenantId;
    const authority = (process.env.AZURE_AUTHORITY_HOST ?? "https://login.microsoftonline.com").replace(/\/+$/, "");
    const body = new URLSearchParams({ grant_type: "client_credentials", client_id: session.clientId, client_secret: session.secret, scope: `${option("--resource")!.replace(/\/+$/, "")}/.default` });
    fetch(`${authority}/${tenant}/oauth2/v2.0/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }).then(async (response) => {
        const answer = await response.json() as { access_token?: string; expires_in?: number; error_description?: string };
        if (!response.ok || !answer.access_token) {
            process.stderr.write(`ERROR: AADSTS: ${answer.error_description ?? `HTTP ${response.status}`}\nPlease run 'az login' to setup account.\n`);
            process.exit(1);
        }
        const expires = Math.floor(Date.now() / 1000) + (answer.expires_in ?? 3599);
        const local = new Date(expires * 1000).toISOString().replace("T", " ").replace("Z", "000");
        process.stdout.write(JSON.stringify({ accessToken: answer.access_token, expiresOn: local, expires_on: expires, subscription: "", tenant, tokenType: "Bearer" }, null, 2) + "\n");
    }, (error: Error) => {
        process.stderr.write(`ERROR: ${error.message}\n`);
        process.exit(1);
    });
}
