/**
 * The world the GitHub workflows run in under `npm run test:workflows`: nektos/act on this host
 * (`-P ubuntu-latest=-self-hosted`, no Docker), the fake clouds, and a runner set up the way a
 * GitHub-hosted one would be, minus the internet. One world holds the clouds and the state; every
 * `run()` is one workflow run on a fresh runner (its own HOME, workspace and log).
 *
 * What stands in for what (test/workflows/README.md has the full list):
 * - github.com: a git repository holding this working tree as one commit (what you would push),
 *   which act reads the workflows from and the checkout stand-in clones;
 * - the pinned actions: the stand-ins in test/workflows/actions, mapped onto each `uses:` with
 *   act's `--local-repository <owner/repo>@<pinned sha>=<folder>`; a workflow using an action with
 *   no stand-in is refused before act starts, so act never fetches one;
 * - Pulumi's GitHub release: a local server with an archive of the engine `npm run engine` built
 *   (`PULUMI_RELEASES_URL`), and a pins file with its checksum (`PULUMI_CLI_PINS`), since the
 *   repository's own pin for the real archive cannot be checked here;
 * - Entra ID: the fake azuread plugin in the runner's plugin cache, and a fake directory of the two
 *   CI identities with their federated credentials, which the azure/login stand-in consults;
 * - Azure DevOps and dbt Cloud: the fakes on 127.0.0.1, through the providers' base-URL variables;
 * - Azure Blob Storage and Key Vault: a file backend (`--env PULUMI_BACKEND_URL=file://...`, which
 *   act lets override the workflow's own value) and a passphrase, the stack created beforehand as
 *   the README's setup does once by hand;
 * - the runner's tool cache: the Node 22 this machine has, behind the engine tests' node shim, so
 *   that a run can be moved in time with libfaketime (`at`).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { projectRoot } from "../../../tools/projectRoot";
import { installFakeAzuread } from "../../engine/fakeAzuread/install";
import { createTenantFile, DEFAULT_DEPLOYER_CLIENT_ID } from "../../engine/fakeAzuread/tenant";
import { DBT_TOKEN, FakeClouds, PAT, TENANT } from "../../engine/fakeClouds";
import { DEFAULT_DEPLOYER_SECRET } from "../../entra/fakeEntra";
import { engineBin, faketimeEnv, libfaketime, nodeShim, PASSPHRASE } from "../../engine/workspace";
import { RecordedRequest } from "../../http/fakeServer";
import { DBT_TOKEN as DBT_TOKEN_SECRET, DEPLOY_CLIENT_ID, MAIN_ONLY_ENVIRONMENT_PREFIX, PREVIEW_CLIENT_ID, PREVIEW_ENVIRONMENT } from "../../pipelines/trustBoundaries";
import { DIRECTORY_VAR, FakeDirectory, SignIn } from "../actions/azure-login";
import { ENV_DUMPS_VAR, WORKFLOW_FILE_VAR } from "../actions/standin";
import { actBinary, pinnedActVersion, WorkflowRun } from "./act";

const ROOT = projectRoot();
/** The machine's network settings a runner keeps: CA bundles and proxies (never a token). */
const NETWORK_SETTINGS = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE|GIT_SSL_CAINFO|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$/;

/** The repository the runs belong to (github.repository). */
export const REPOSITORY = "contoso/dbt-azure-devops";
export const PREVIEW_IDENTITY_CLIENT_ID = "7e57a7e5-0000-4000-8000-0000000000c2";
/** The repository and environment secrets, as act's --secret-file gives them to every job (act has no environment secrets). */
export const SECRETS: Readonly<Record<string, string>> = {
    AZURE_TENANT_ID: TENANT,
    [DEPLOY_CLIENT_ID]: DEFAULT_DEPLOYER_CLIENT_ID,
    [PREVIEW_CLIENT_ID]: PREVIEW_IDENTITY_CLIENT_ID,
    [DBT_TOKEN_SECRET]: DBT_TOKEN,
    GITHUB_TOKEN: "ghs_workflowTestsFakeGitHubToken000000001",
};

/** `uses:` owner/name -> stand-in folder under test/workflows/actions. */
export const STAND_INS: Readonly<Record<string, string>> = {
    "actions/checkout": "checkout",
    "actions/setup-node": "setup-node",
    "azure/login": "azure-login",
    "actions/github-script": "github-script",
};

/**
 * The subjects each identity's federated credentials trust (docs/ci-github.md): the deploy
 * identity, each CI stack's main-only environment; the preview identity, the pull-request
 * environment with required reviewers.
 */
export function federatedSubjects(stacks: string[]): { deploy: string[]; preview: string[] } {
    return {
        deploy: stacks.map((stack) => `repo:${REPOSITORY}:environment:${MAIN_ONLY_ENVIRONMENT_PREFIX}${stack}`),
        preview: [`repo:${REPOSITORY}:environment:${PREVIEW_ENVIRONMENT}`],
    };
}

export interface RunOptions {
    /** The file under .github/workflows. */
    workflow: string;
    event: "push" | "pull_request" | "schedule" | "workflow_dispatch";
    /** The branch pushed or dispatched from, or the pull request's head (default refs/heads/main; a schedule always runs on main). */
    ref?: string;
    /** The node processes of the run (program, providers, scripts) see this instant; Go (act, the engine) keeps real time. */
    at?: Date;
    /** Only this job (and the jobs it needs), as `act -j`. */
    job?: string;
}

/**
 * The payload GitHub sends for `event` at `ref` (a branch for push and workflow_dispatch; the
 * pull request's head branch for pull_request), as far as the workflows and act read it:
 * act takes github.ref from `ref` (push, workflow_dispatch), from `number` (pull_request) or from
 * the repository's default branch (schedule), and github.sha from `after` (push).
 */
export function eventPayload(event: RunOptions["event"], ref: string, commit: string): Record<string, unknown> {
    const repo = { full_name: REPOSITORY };
    switch (event) {
        case "push":
            return { ref, before: "0".repeat(40), after: commit, head_commit: { id: commit } };
        case "workflow_dispatch":
            return { ref, inputs: {} };
        case "pull_request":
            return { number: 7, action: "synchronize", pull_request: { number: 7, head: { ref: ref.replace(/^refs\/heads\//, ""), sha: commit, repo }, base: { ref: "main", repo } } };
        case "schedule":
            return {};
    }
}

export interface EnvDump {
    /** "bash" (every bash a step starts) or the stand-in's name. */
    kind: string;
    job: string;
    step: string;
    env: Record<string, string>;
}

export interface RunReport {
    act: WorkflowRun;
    dumps: EnvDump[];
    signIns: SignIn[];
    /** Requests both fakes answered during the run. */
    requests: RecordedRequest[];
}

/** "job/step" (act's step id: the step's `id`, else its index) of every step whose environment held `value`, in any variable. */
export function stepsSeeing(report: RunReport, value: string): string[] {
    return [...new Set(report.dumps.filter((d) => Object.values(d.env).some((v) => v.includes(value))).map((d) => `${d.job}/${d.step}`))].sort();
}

/** "job/step" of the steps of `job` in `workflowFile` whose own `env:` sets `variable`, as stepsSeeing names them. */
export function stepsDeclaring(workflowFile: string, job: string, variable: string): string[] {
    const workflow = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", workflowFile), "utf8")) as { jobs: Record<string, { steps?: Array<{ id?: string; env?: Record<string, unknown> }> }> };
    return (workflow.jobs[job]?.steps ?? []).flatMap((step, i) => (step.env && variable in step.env ? [`${job}/${step.id ?? i}`] : [])).sort();
}

/** Main-stage steps that ran but left no environment record (a step no check could see into). */
export function unobservedSteps(report: RunReport): string[] {
    return report.act.steps
        .filter((s) => s.stage === "Main" && (s.result === "success" || s.result === "failure"))
        .filter((s) => !report.dumps.some((d) => d.job === s.jobId && d.step === s.id))
        .map((s) => `${s.jobId}/${s.id} "${s.name}"`);
}

/** The Node 22 the runner's tool cache offers: this process's Node when it is 22, else the one .ci/run installs. */
function node22(): string | undefined {
    const candidates = [process.execPath, path.join(ROOT, ".engine", "node22", "node_modules", ".bin", "node")];
    return candidates.find((node) => {
        try {
            return fs.existsSync(node) && execFileSync(node, ["--version"], { encoding: "utf8" }).startsWith("v22.");
        } catch {
            return false;
        }
    });
}

/** Every `uses:` of a workflow file, with its ref. */
function usedActions(workflowText: string): Array<{ uses: string; repo: string; ref: string }> {
    const workflow = YAML.parse(workflowText) as { jobs?: Record<string, { uses?: string; steps?: Array<{ uses?: string }> }> };
    const uses = Object.values(workflow.jobs ?? {}).flatMap((job) => [job.uses, ...(job.steps ?? []).map((s) => s.uses)]).filter((u): u is string => typeof u === "string");
    return uses.filter((u) => !u.startsWith("./")).map((u) => {
        const [repo, ref = ""] = u.split("@");
        return { uses: u, repo: repo.split("/").slice(0, 2).join("/"), ref };
    });
}

function sha256File(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

export class WorkflowWorld {
    public readonly clouds = new FakeClouds();
    public readonly tenantFile: string;
    public readonly backend: string;
    private readonly remote: string;
    private readonly runner: string;
    private readonly standIns: string;
    private readonly runnerBin: string;
    private readonly directoryFile: string;
    private readonly signInLog: string;
    private readonly secretsFile: string;
    private toolCacheNode = "";
    private cloudsEnv: Record<string, string> = {};
    /** The CI stacks, as `.ci/step stacks` lists them (`.ci/stacks.yml`). */
    public stacks: string[] = [];
    private releaseServer: http.Server | undefined;
    private releasesUrl = "";
    private pinsFile = "";
    private runs = 0;
    private readonly running = new Set<ChildProcess>();

    private constructor(public readonly root: string, private readonly act: string, private readonly engine: string, private readonly node: string) {
        this.tenantFile = path.join(root, "tenant.json");
        this.backend = path.join(root, "backend");
        this.remote = path.join(root, "github.com", REPOSITORY);
        this.runner = path.join(root, "runner");
        this.standIns = path.join(root, "stand-ins");
        this.runnerBin = path.join(root, "runner-bin");
        this.directoryFile = path.join(root, "directory.json");
        this.signInLog = path.join(root, "sign-ins.jsonl");
        this.secretsFile = path.join(root, "secrets.env");
    }

    /** What is missing for a run, if anything: act (`bash tools/act/build.sh`), the engine (`npm run engine`), libfaketime, a Node 22. */
    public static missing(): string | undefined {
        return !actBinary() ? `no act: run \`bash tools/act/build.sh\` (needs Go; builds nektos/act ${pinnedActVersion()}), or set ACT_BIN`
            : !engineBin() ? "no Pulumi engine: run `npm run engine` (needs Go), or set PULUMI_ENGINE_BIN"
                : !libfaketime() ? "no libfaketime: `apt-get install faketime` (Debian) to move the runs' clock"
                    : !node22() ? "no Node 22 for the runner's tool cache (the workflows ask setup-node for 22): run under Node 22, as `bash .ci/run` does"
                        : undefined;
    }

    /** A world with its fakes started and its stack created; throws saying what is missing (see `missing()`). */
    public static async create(): Promise<WorkflowWorld> {
        const missing = WorkflowWorld.missing();
        if (missing) {
            throw new Error(`The workflows cannot run here: ${missing}.`);
        }
        const world = new WorkflowWorld(fs.mkdtempSync(path.join(os.tmpdir(), "dbt-ado-workflows-")), actBinary()!, engineBin()!, node22()!);
        try {
            await world.setUp();
        } catch (error) {
            await world.dispose();
            throw error;
        }
        return world;
    }

    private async setUp(): Promise<void> {
        const { [DBT_TOKEN_SECRET]: _token, AZDO_PERSONAL_ACCESS_TOKEN: _pat, ...endpoints } = await this.clouds.start();
        createTenantFile(this.tenantFile, { tenantId: TENANT });
        // Entra's token endpoint and Microsoft Graph over the same tenant (the rotation mints over
        // Graph). Only the endpoints reach the runner: the deployer's credentials do not, the
        // azure/login stand-in signs identities in. The runner trusts the fake's certificate
        // besides this machine's CA bundle (npm ci still reaches the registry).
        const { AZURE_AUTHORITY_HOST, AZURE_GRAPH_BASE_URL, NODE_EXTRA_CA_CERTS: fakeCa } = await this.clouds.startEntra(this.tenantFile);
        const bundle = path.join(this.root, "runner-ca.pem");
        fs.writeFileSync(bundle, [process.env.NODE_EXTRA_CA_CERTS, fakeCa].filter((f): f is string => !!f && fs.existsSync(f)).map((f) => fs.readFileSync(f, "utf8")).join("\n"));
        this.cloudsEnv = { ...endpoints, AZURE_AUTHORITY_HOST, AZURE_GRAPH_BASE_URL, NODE_EXTRA_CA_CERTS: bundle };
        fs.mkdirSync(this.backend);
        this.snapshotRepository();
        this.stacks = execFileSync("bash", [".ci/step", "stacks"], { cwd: this.remote, encoding: "utf8" }).split("\n").filter(Boolean);
        for (const stack of this.stacks) {
            this.createStack(stack);
        }
        await this.startReleaseServer();
        this.layRunner();
        this.assembleStandIns();
        const { deploy, preview } = federatedSubjects(this.stacks);
        const directory: FakeDirectory = {
            tenantId: TENANT,
            identities: [
                { name: "deploy identity", clientId: SECRETS[DEPLOY_CLIENT_ID], federatedSubjects: deploy, azureDevOpsToken: PAT, entraSecret: DEFAULT_DEPLOYER_SECRET },
                { name: "preview identity", clientId: SECRETS[PREVIEW_CLIENT_ID], federatedSubjects: preview },
            ],
            signInLog: this.signInLog,
        };
        fs.writeFileSync(this.directoryFile, JSON.stringify(directory, null, 2));
        fs.writeFileSync(this.signInLog, "");
        fs.writeFileSync(this.secretsFile, Object.entries(SECRETS).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
    }

    /** The environment of the harness's own `pulumi` calls: never the machine's ~/.pulumi. */
    private setupEnv(): NodeJS.ProcessEnv {
        return { ...process.env, PULUMI_HOME: path.join(this.root, "setup-home"), PULUMI_BACKEND_URL: `file://${this.backend}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true" };
    }

    /** A CI stack, created once in the file backend with a passphrase, as the setup creates it by hand. */
    private createStack(stack: string): void {
        const project = path.join(this.root, "setup-project");
        fs.mkdirSync(path.join(project, "stacks"), { recursive: true });
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        execFileSync(path.join(this.engine, "pulumi"), ["stack", "init", stack, "--non-interactive"], {
            cwd: project,
            stdio: ["ignore", "ignore", "pipe"],
            env: this.setupEnv(),
        });
        fs.rmSync(project, { recursive: true, force: true });
    }

    /** This working tree (tracked and untracked files, nothing gitignored) as one commit of a local "github.com" repository. */
    private snapshotRepository(): void {
        const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT }).toString("utf8").split("\0").filter((f) => f && fs.existsSync(path.join(ROOT, f)));
        for (const file of files) {
            const target = path.join(this.remote, file);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.cpSync(path.join(ROOT, file), target, { verbatimSymlinks: true });
        }
        // The checks job runs `npm test`, whose whole unit tier `.ci/run` has just run itself: in this
        // snapshot its mocha config runs the CI tests only (test/pipelines, test/ci), so the job's
        // wiring is what is tested here, at a fifth of the cost. The workflows and .ci/step are as written.
        const mocharc = path.join(this.remote, ".mocharc.json");
        const config = JSON.parse(fs.readFileSync(mocharc, "utf8")) as { spec: string[] };
        config.spec = ["dist/test/pipelines/**/*.test.js", "dist/test/ci/**/*.test.js"];
        fs.writeFileSync(mocharc, `${JSON.stringify(config, null, 2)}\n`);
        const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=workflow-tests", "-c", "user.email=workflow-tests@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: this.remote, stdio: ["ignore", "ignore", "pipe"] });
        git("init", "--quiet", "--initial-branch=main");
        git("add", "--all");
        git("commit", "--quiet", "--no-verify", "--message", `The working tree of ${ROOT}, as the workflow tests push it`);
        git("remote", "add", "origin", `https://github.com/${REPOSITORY}.git`);
    }

    public commit(): string {
        return execFileSync("git", ["rev-parse", "HEAD"], { cwd: this.remote, encoding: "utf8" }).trim();
    }

    /** Pulumi's release, as far as the installer reads it: the linux-x64 archive of the engine built here, and a checksums file. */
    private async startReleaseServer(): Promise<void> {
        const version = execFileSync(path.join(this.engine, "pulumi"), ["version"], { encoding: "utf8", env: this.setupEnv() }).trim().replace(/^v/, "");
        const stage = path.join(this.root, "release-stage");
        fs.mkdirSync(path.join(stage, "pulumi"), { recursive: true });
        for (const file of fs.readdirSync(this.engine)) {
            fs.copyFileSync(path.join(this.engine, file), path.join(stage, "pulumi", file));
            fs.chmodSync(path.join(stage, "pulumi", file), 0o755);
        }
        const releaseDir = path.join(this.root, "releases", `v${version}`);
        fs.mkdirSync(releaseDir, { recursive: true });
        const archiveName = `pulumi-v${version}-linux-x64.tar.gz`;
        const archive = path.join(releaseDir, archiveName);
        execFileSync("sh", ["-c", 'tar -cf - -C "$1" pulumi | gzip -1 > "$2"', "sh", stage, archive]);
        fs.rmSync(stage, { recursive: true, force: true });
        const line = `${sha256File(archive)}  ${archiveName}\n`;
        fs.writeFileSync(path.join(releaseDir, `pulumi-${version}-checksums.txt`), line);
        this.pinsFile = path.join(this.root, "pulumi-cli.sha256");
        fs.writeFileSync(this.pinsFile, `# The archive of the engine built here (test/workflows/harness/world.ts), not Pulumi's release.\n${line}`);

        const releases = path.join(this.root, "releases");
        this.releaseServer = http.createServer((req, res) => {
            const file = path.join(releases, path.normalize(decodeURIComponent((req.url ?? "/").split("?")[0])));
            if (req.method !== "GET" || !file.startsWith(releases + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
                res.writeHead(404).end("Not Found");
                return;
            }
            res.writeHead(200, { "content-length": fs.statSync(file).size });
            fs.createReadStream(file).pipe(res);
        });
        await new Promise<void>((resolve) => this.releaseServer!.listen(0, "127.0.0.1", resolve));
        this.releasesUrl = `http://127.0.0.1:${(this.releaseServer.address() as AddressInfo).port}`;
    }

    /** The runner's own programs: a bash that records each step's environment, and Node 22 in the tool cache. */
    private layRunner(): void {
        fs.mkdirSync(this.runnerBin, { recursive: true });
        fs.writeFileSync(path.join(this.runnerBin, "bash"), [
            "#!/bin/sh",
            "# Runner shim (test/workflows/harness/world.ts): records the environment of every bash a workflow",
            "# step starts, for the trust checks, then runs the real bash.",
            `if [ -n "\${${ENV_DUMPS_VAR}:-}" ] && [ -d "\$${ENV_DUMPS_VAR}" ]; then`,
            `  env -0 > "$(mktemp "\$${ENV_DUMPS_VAR}/bash--XXXXXXXX.env")" 2>/dev/null || true`,
            "fi",
            'exec /bin/bash "$@"',
            "",
        ].join("\n"), { mode: 0o755 });
        const version = execFileSync(this.node, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "");
        const arch = process.arch === "arm64" ? "arm64" : "x64";
        const cached = path.join(this.runner, "tool_cache", "node", version);
        fs.mkdirSync(path.join(cached, arch, "bin"), { recursive: true });
        fs.writeFileSync(path.join(cached, arch, "bin", "node"), nodeShim(this.node), { mode: 0o755 });
        fs.writeFileSync(path.join(cached, `${arch}.complete`), "");
        this.toolCacheNode = path.join(cached, arch, "bin", "node");
    }

    /** Each stand-in as act loads an action: its action.yml, and an index.js that runs the compiled stand-in. */
    private assembleStandIns(): void {
        for (const name of Object.values(STAND_INS)) {
            const dir = path.join(this.standIns, name);
            fs.mkdirSync(dir, { recursive: true });
            fs.copyFileSync(path.join(ROOT, "test", "workflows", "actions", name, "action.yml"), path.join(dir, "action.yml"));
            const compiled = path.join(ROOT, "dist", "test", "workflows", "actions", name, "index.js");
            fs.writeFileSync(path.join(dir, "index.js"), `// Generated by test/workflows/harness/world.ts: the stand-in compiled from test/workflows/actions/${name}/index.ts.\nrequire(${JSON.stringify(compiled)}).run();\n`);
        }
    }

    /** One workflow run on a fresh runner. Rejects only when act cannot be run; a failed workflow is a report. */
    public async run(options: RunOptions): Promise<RunReport> {
        const n = ++this.runs;
        const runDir = path.join(this.root, "runs", `${n}-${options.workflow.replace(/\W+/g, "-")}-${options.event}`);
        const home = path.join(runDir, "home");
        const dumps = path.join(runDir, "env");
        for (const dir of [home, dumps]) {
            fs.mkdirSync(dir, { recursive: true });
        }
        installFakeAzuread(path.join(home, ".pulumi"), undefined, { node: this.toolCacheNode, tenantFile: this.tenantFile });

        const workflowFile = path.join(this.remote, ".github", "workflows", options.workflow);
        const localRepositories = usedActions(fs.readFileSync(workflowFile, "utf8")).map(({ uses, repo, ref }) => {
            const standIn = STAND_INS[repo.toLowerCase()];
            if (!standIn) {
                throw new Error(`${options.workflow} uses ${uses}, which has no stand-in: add one under test/workflows/actions (act would otherwise fetch it from github.com).`);
            }
            return `--local-repository=${repo}@${ref}=${path.join(this.standIns, standIn)}`;
        });
        const eventFile = path.join(runDir, "event.json");
        const repository = { full_name: REPOSITORY, name: REPOSITORY.split("/")[1], owner: { login: REPOSITORY.split("/")[0] }, default_branch: "main" };
        const workflowText = fs.readFileSync(workflowFile, "utf8");
        const cron = (YAML.parse(workflowText) as { on?: { schedule?: Array<{ cron?: string }> } }).on?.schedule?.[0]?.cron;
        const payload = { repository, ...eventPayload(options.event, options.ref ?? "refs/heads/main", this.commit()), ...(options.event === "schedule" ? { schedule: cron } : {}) };
        fs.writeFileSync(eventFile, JSON.stringify(payload, null, 2));
        // --env-file values override the workflow's own `env:` (act merges workflow, job, then these).
        const overrides = path.join(runDir, "overrides.env");
        fs.writeFileSync(overrides, `PULUMI_BACKEND_URL=file://${this.backend}\n`);
        const empty = path.join(runDir, "empty.env");
        fs.writeFileSync(empty, "");

        const args = [
            options.event,
            "--workflows", path.join(".github", "workflows", options.workflow),
            "--directory", this.remote,
            "--platform", "ubuntu-latest=-self-hosted",
            "--eventpath", eventFile,
            "--secret-file", this.secretsFile,
            "--env-file", overrides,
            "--var-file", empty,
            "--input-file", empty,
            "--env", `GITHUB_REPOSITORY=${REPOSITORY}`,
            "--action-offline-mode",
            "--no-cache-server",
            "--no-skip-checkout",
            "--action-cache-path", this.runner,
            "--json",
            "--verbose",
            ...localRepositories,
            ...(options.job ? ["--job", options.job] : []),
        ];
        const env: NodeJS.ProcessEnv = {
            PATH: [this.runnerBin, path.dirname(process.execPath), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(path.delimiter),
            HOME: home,
            // Pulumi finds its home through the account database (/root here), not $HOME; on a GitHub runner both are /home/runner.
            PULUMI_HOME: path.join(home, ".pulumi"),
            LANG: "C.UTF-8",
            // The machine's npm cache, as setup-node's `cache: npm` would restore it (the stand-in does not).
            npm_config_cache: execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim(),
            npm_config_update_notifier: "false",
            // How this machine reaches the package registries (its CA bundle and proxy), as a runner image would carry it.
            ...Object.fromEntries(Object.entries(process.env).filter(([name]) => NETWORK_SETTINGS.test(name))),
            ...this.cloudsEnv,
            // Test-only endpoint overrides are honoured only with this switch.
            DBT_ADO_TEST_OVERRIDES: "1",
            // Without a PAT, DefaultAzureCredential would probe the instance metadata address; here it may only try the (absent) az CLI.
            AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_RELEASES_URL: this.releasesUrl,
            PULUMI_CLI_PINS: this.pinsFile,
            WORKFLOW_CHECKOUT_REMOTE: this.remote,
            [DIRECTORY_VAR]: this.directoryFile,
            [WORKFLOW_FILE_VAR]: workflowFile,
            [ENV_DUMPS_VAR]: dumps,
            ...(options.at ? faketimeEnv(options.at) : {}),
        };

        const signInsBefore = fs.readFileSync(this.signInLog, "utf8").split("\n").filter(Boolean).length;
        const requestsBefore = { ado: this.clouds.ado.server.requests.length, dbt: this.clouds.dbt.server.requests.length };
        const logFile = path.join(runDir, "act.log");
        const code = await this.spawnAct(args, env, logFile);
        const title = `${options.workflow} on ${options.event}${options.at ? ` at ${options.at.toISOString()}` : ""}`;
        return {
            act: new WorkflowRun(title, code, fs.readFileSync(logFile, "utf8")),
            dumps: readDumps(dumps),
            signIns: fs.readFileSync(this.signInLog, "utf8").split("\n").filter(Boolean).slice(signInsBefore).map((line) => JSON.parse(line) as SignIn),
            requests: [...this.clouds.ado.server.requests.slice(requestsBefore.ado), ...this.clouds.dbt.server.requests.slice(requestsBefore.dbt)],
        };
    }

    private async spawnAct(args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs = 20 * 60_000): Promise<number> {
        const out = fs.openSync(logFile, "w");
        // Its own process group, so a timeout or dispose() ends act and everything its steps started.
        const child = spawn(this.act, args, { cwd: this.remote, env, stdio: ["ignore", out, out], detached: true });
        this.running.add(child);
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            killGroup(child);
        }, timeoutMs);
        try {
            const code = await new Promise<number>((resolve, reject) => {
                child.on("error", reject);
                child.on("close", (status) => resolve(status ?? 1));
            });
            if (timedOut) {
                throw new Error(`act ${args.slice(0, 3).join(" ")} did not finish in ${timeoutMs / 60_000} minutes and was killed; its log: ${logFile}`);
            }
            return code;
        } finally {
            clearTimeout(timer);
            fs.closeSync(out);
            this.running.delete(child);
        }
    }

    /** Ends anything still running and removes the world (state, tenant, logs), unless KEEP_WORKFLOW_RUNS is set. */
    public async dispose(): Promise<void> {
        for (const child of this.running) {
            killGroup(child);
        }
        await this.clouds.stop();
        await new Promise<void>((resolve) => (this.releaseServer ? this.releaseServer.close(() => resolve()) : resolve()));
        if (process.env.KEEP_WORKFLOW_RUNS) {
            console.log(`      kept: ${this.root}`);
        } else {
            fs.rmSync(this.root, { recursive: true, force: true });
        }
    }
}

function readDumps(dir: string): EnvDump[] {
    return fs.readdirSync(dir).map((file) => {
        const env: Record<string, string> = {};
        for (const pair of fs.readFileSync(path.join(dir, file), "utf8").split("\0")) {
            const eq = pair.indexOf("=");
            if (eq > 0) {
                env[pair.slice(0, eq)] = pair.slice(eq + 1);
            }
        }
        return { kind: file.split("--")[0], job: env.GITHUB_JOB ?? "", step: env.GITHUB_ACTION ?? "", env };
    });
}

function killGroup(child: ChildProcess): void {
    try {
        process.kill(-child.pid!, "SIGKILL");
    } catch {
        // already gone
    }
}
