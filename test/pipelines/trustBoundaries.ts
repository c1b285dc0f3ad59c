/**
 * Trust-boundary checks over the CI files, as text in, problems out, so each check can be shown
 * to fail on a mutated copy. Every problem names the file and the job (or stage) at fault.
 *
 * What counts as "runs pull-request code":
 * - GitHub Actions: every job of a workflow triggered by `pull_request` or `pull_request_target`;
 * - Azure Pipelines: every stage whose condition is not `and(...)` with
 *   `eq(variables['Build.SourceBranch'], 'refs/heads/main')` as one of its arguments.
 *
 * These checks keep this repository's own files honest. They are not the security boundary: a
 * pull request can edit these files. The boundary is enforced by GitHub and Azure DevOps
 * (environment branch policies, federated-credential subjects, branch control checks); the README's
 * "CI identities" section lists what must be configured there.
 */
import YAML from "yaml";
import { parsePipeline } from "./azurePipelinesSchema";

/** The environment whose branch policy (GitHub) / branch control check (Azure DevOps) admits main alone. */
export const MAIN_ONLY_ENVIRONMENT = "dbt-azure-devops-dev";
/** GitHub: the deploy identity's client id, a secret of the main-only environment. */
export const DEPLOY_CLIENT_ID = "AZURE_DEPLOY_CLIENT_ID";
/** GitHub: the preview identity's client id, the only identity pull-request jobs may sign in as. */
export const PREVIEW_CLIENT_ID = "AZURE_PREVIEW_CLIENT_ID";
export const DBT_TOKEN = "DBT_CLOUD_TOKEN";
/** Azure Pipelines: the root variable naming the deploy service connection. */
export const DEPLOY_CONNECTION_VARIABLE = "deployServiceConnection";
export const MIN_NODE_MAJOR = 22;
/** The checksum-verifying installer both CI systems run instead of `curl | sh`. */
export const PULUMI_INSTALLER = ".github/scripts/install-pulumi-cli.sh";
/** Makes the installer refuse a version with no pinned checksum; required where deploy credentials are. */
export const REQUIRE_PIN = "PULUMI_REQUIRE_PIN";
/**
 * GitHub: the only secrets a job that runs pull-request code may read. The preview signs in with
 * OIDC as the preview identity (client and tenant id; a subscription id if ever needed), state is
 * Azure Blob Storage with a Key Vault secrets provider (no passphrase), and GITHUB_TOKEN posts
 * the comment. Anything else (a PAT, the deploy identity, DBT_CLOUD_TOKEN) stays out.
 */
export const PULL_REQUEST_SECRETS = ["AZURE_PREVIEW_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "GITHUB_TOKEN"];
/**
 * Azure Pipelines: predefined variables a pull-request stage may reference. Every other
 * `$(name)`, `$[variables.name]` or `${{ variables.name }}` must be a plain variable declared in
 * this file; a name from nowhere is a pipeline (UI) variable, possibly secret, or a group's.
 * System.AccessToken (the build service's token, for the preview comment) is the one secret.
 */
const PREDEFINED_VARIABLE = /^(Agent|Build|Pipeline|Environment|Resources)\.[\w.]+$|^System\.(AccessToken|PullRequest\.[\w.]+|CollectionUri|TeamProject|TeamProjectId|TeamFoundationCollectionUri|DefinitionId|JobId|StageName|JobName|Debug)$/;

const MAIN_BRANCH_CONDITION = "eq(variables['Build.SourceBranch'], 'refs/heads/main')";
const CURL_PIPE_SHELL = /\b(curl|wget)\b[^|\n]*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/;
const USES_LINE = /^\s*(?:-\s+)?uses:\s*(.*)$/;
const PINNED_USES = /^([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s*v\d+(\.\d+)*\s*$/;

export type CiFile = { path: string; text: string };

/** The first script line that pipes curl or wget into a shell, if any. */
function pipedDownload(script: string): string | undefined {
    return script.split("\n").map((line) => line.trim()).find((line) => CURL_PIPE_SHELL.test(line));
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions
// ---------------------------------------------------------------------------------------------

type GhStep = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type GhJob = {
    if?: string;
    environment?: string | { name?: string };
    permissions?: string | Record<string, string>;
    env?: Record<string, unknown>;
    steps?: GhStep[];
};
type GhWorkflow = { on?: unknown; permissions?: string | Record<string, string>; env?: Record<string, unknown>; jobs?: Record<string, GhJob> };

function triggers(on: unknown): string[] {
    if (typeof on === "string") return [on];
    if (Array.isArray(on)) return on.map(String);
    return on && typeof on === "object" ? Object.keys(on) : [];
}

function runsPullRequestCode(workflow: GhWorkflow): boolean {
    return triggers(workflow.on).some((t) => t === "pull_request" || t === "pull_request_target");
}

function environmentName(job: GhJob): string | undefined {
    return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

function canMintIdToken(job: GhJob, workflow: GhWorkflow): boolean {
    const permissions = job.permissions ?? workflow.permissions;
    return permissions === "write-all" || (typeof permissions === "object" && permissions["id-token"] === "write");
}

/** The client ids a job signs in with: azure/login's `client-id` and `ARM_CLIENT_ID`/`AZURE_CLIENT_ID`. */
function clientIds(job: GhJob, workflow: GhWorkflow): string[] {
    const ids: unknown[] = [];
    for (const env of [workflow.env, job.env, ...(job.steps ?? []).map((s) => s.env)]) {
        ids.push(env?.ARM_CLIENT_ID, env?.AZURE_CLIENT_ID);
    }
    for (const step of job.steps ?? []) {
        if (/^azure\/login@/i.test(step.uses ?? "")) ids.push(step.with?.["client-id"]);
    }
    return ids.filter((id): id is string => typeof id === "string");
}

function nodeMajor(version: unknown): number | undefined {
    const match = /^v?(\d+)/.exec(String(version ?? ""));
    return match ? Number(match[1]) : undefined;
}

/**
 * The secrets a job can read: every `secrets.<name>` (or `secrets['<name>']`) in its expressions
 * and `if:` conditions, in upper case; any other use of the `secrets` context (`toJSON(secrets)`,
 * `secrets[format(...)]`, a reusable workflow's `secrets: inherit`) as `*`, meaning all of them.
 */
function secretsRead(job: GhJob & { secrets?: unknown }, workflow: GhWorkflow): string[] {
    const expressions = [...`${YAML.stringify(job)}\n${YAML.stringify({ env: workflow.env ?? {} })}`.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
    expressions.push(String(job.if ?? ""), ...(job.steps ?? []).map((s) => String((s as { if?: unknown }).if ?? "")));
    const names: string[] = [];
    for (const expression of expressions) {
        for (const m of expression.matchAll(/(?<![\w.-])secrets(?:\s*\.\s*([A-Za-z_][\w-]*)|\s*\[\s*'([A-Za-z_][\w-]*)'\s*\]|(?![\w-]))/gi)) {
            names.push((m[1] ?? m[2] ?? "*").toUpperCase());
        }
    }
    if (job.secrets !== undefined) names.push("*");
    return [...new Set(names)];
}

/** The value `name` has in a step's environment (step, then job, then workflow), or an inline `NAME=value` prefix of its run. */
function stepEnv(step: GhStep, job: GhJob, workflow: GhWorkflow, name: string): string | undefined {
    const inline = new RegExp(`(^|\\s)${name}=["']?(\\w*)`).exec(step.run ?? "")?.[2];
    const value = inline ?? step.env?.[name] ?? job.env?.[name] ?? workflow.env?.[name];
    return value === undefined ? undefined : String(value);
}

function envValue(expression: unknown, workflow: GhWorkflow, job: GhJob): string {
    const match = /^\$\{\{\s*env\.(\w+)\s*\}\}$/.exec(String(expression ?? ""));
    return match ? String(job.env?.[match[1]] ?? workflow.env?.[match[1]] ?? "") : String(expression ?? "");
}

/** Problems with a GitHub workflow file; every message starts with "<path> job <id>:". */
export function githubWorkflowProblems(file: CiFile): string[] {
    const workflow = YAML.parse(file.text) as GhWorkflow;
    const problems: string[] = [];
    const pullRequest = runsPullRequestCode(workflow);
    const workflowText = YAML.stringify({ env: workflow.env ?? {}, permissions: workflow.permissions ?? {} });

    for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
        const where = `${file.path} job ${id}`;
        const jobText = YAML.stringify(job) + workflowText;
        const steps = job.steps ?? [];
        const holdsDeployCredentials = jobText.includes(DEPLOY_CLIENT_ID) || jobText.includes(DBT_TOKEN);

        if (pullRequest) {
            if (jobText.includes(DEPLOY_CLIENT_ID)) {
                problems.push(`${where}: runs pull-request code but references the deploy client id (${DEPLOY_CLIENT_ID})`);
            }
            if (jobText.includes(DBT_TOKEN)) {
                problems.push(`${where}: runs pull-request code but references ${DBT_TOKEN}`);
            }
            for (const secret of secretsRead(job, workflow).filter((name) => !PULL_REQUEST_SECRETS.includes(name))) {
                problems.push(secret === "*"
                    ? `${where}: runs pull-request code and reads the whole secrets context (toJSON(secrets), a computed name or secrets: inherit)`
                    : `${where}: runs pull-request code but reads secret ${secret}, not one of ${PULL_REQUEST_SECRETS.join(", ")}`);
            }
            if (environmentName(job) === MAIN_ONLY_ENVIRONMENT) {
                problems.push(`${where}: runs pull-request code but uses the deploy environment ${MAIN_ONLY_ENVIRONMENT}`);
            }
            if (canMintIdToken(job, workflow)) {
                for (const clientId of clientIds(job, workflow)) {
                    if (!clientId.includes(PREVIEW_CLIENT_ID)) {
                        problems.push(`${where}: runs pull-request code with id-token: write and signs in with ${clientId}, not the preview identity (${PREVIEW_CLIENT_ID})`);
                    }
                }
            }
        } else if (holdsDeployCredentials) {
            if (environmentName(job) !== MAIN_ONLY_ENVIRONMENT) {
                problems.push(`${where}: holds deploy credentials outside the main-only environment ${MAIN_ONLY_ENVIRONMENT} (environment: ${environmentName(job) ?? "none"})`);
            }
            if (!/github\.ref\s*==\s*'refs\/heads\/main'/.test(job.if ?? "")) {
                problems.push(`${where}: holds deploy credentials without "if: github.ref == 'refs/heads/main'"`);
            }
            for (const step of steps.filter((s) => (s.run ?? "").includes(PULUMI_INSTALLER))) {
                if (stepEnv(step, job, workflow, REQUIRE_PIN) !== "1") {
                    problems.push(`${where}: holds deploy credentials but installs Pulumi without ${REQUIRE_PIN}: "1" (an unpinned CLI would run with them)`);
                }
            }
        }

        for (const step of steps) {
            const piped = pipedDownload(step.run ?? "");
            if (piped) {
                problems.push(`${where}: pipes a download into a shell: ${piped}`);
            }
            if (/^actions\/setup-node@/.test(step.uses ?? "")) {
                const major = nodeMajor(step.with?.["node-version"]);
                if (major === undefined || major < MIN_NODE_MAJOR) {
                    problems.push(`${where}: sets up Node ${String(step.with?.["node-version"] ?? "(unset)")}; CI runs Node >= ${MIN_NODE_MAJOR}`);
                }
            }
        }
        const runsNpm = steps.some((s) => /(^|\s)npm\s/.test(s.run ?? ""));
        if (runsNpm && !steps.some((s) => /^actions\/setup-node@/.test(s.uses ?? ""))) {
            problems.push(`${where}: runs npm without actions/setup-node, so on whatever Node the runner has`);
        }

        const firstPulumi = steps.findIndex((s) => /^pulumi\/actions@/.test(s.uses ?? "") || /(^|\n)\s*pulumi\s/.test(s.run ?? ""));
        if (firstPulumi >= 0) {
            const installer = steps.findIndex((s) => (s.run ?? "").includes(PULUMI_INSTALLER));
            if (installer < 0 || installer > firstPulumi) {
                problems.push(`${where}: uses Pulumi without first installing it with ${PULUMI_INSTALLER} (pinned version, checksum verified)`);
            }
            for (const step of steps.filter((s) => /^pulumi\/actions@/.test(s.uses ?? ""))) {
                const version = envValue(step.with?.["pulumi-version"], workflow, job);
                if (!/^\d+\.\d+\.\d+$/.test(version)) {
                    problems.push(`${where}: pulumi/actions has pulumi-version "${version}", not an exact version (it would download a CLI of its own, unverified)`);
                }
            }
        }
    }

    // Pins are checked on the text: the tag lives in a comment, which parsing drops.
    const jobOfLine = jobLineIndex(file.text);
    file.text.split("\n").forEach((line, index) => {
        const value = USES_LINE.exec(line)?.[1].trim();
        if (value === undefined || /^["']?(\.\/|docker:\/\/)/.test(value)) return;
        if (!PINNED_USES.test(value)) {
            problems.push(`${file.path} job ${jobOfLine(index)}: uses ${value}, not pinned to a full 40-hex commit SHA with its release tag in a comment (# vX.Y.Z)`);
        }
    });
    return [...new Set(problems)];
}

/** Maps a line index to the id of the job it sits in (by indentation under `jobs:`). */
function jobLineIndex(text: string): (line: number) => string {
    const starts: { line: number; id: string }[] = [];
    let inJobs = false;
    text.split("\n").forEach((line, index) => {
        if (/^jobs:\s*$/.test(line)) inJobs = true;
        else if (/^\S/.test(line)) inJobs = false;
        const match = inJobs ? /^ {2}([A-Za-z_][\w-]*):\s*$/.exec(line) : null;
        if (match) starts.push({ line: index, id: match[1] });
    });
    return (line) => [...starts].reverse().find((s) => s.line <= line)?.id ?? "(none)";
}

// ---------------------------------------------------------------------------------------------
// Azure Pipelines
// ---------------------------------------------------------------------------------------------

type AzVariable = { name?: string; value?: string; group?: string };
type AzStep = Record<string, unknown> & { task?: string; script?: string; bash?: string; inputs?: Record<string, string>; env?: Record<string, string> };
type AzJob = {
    job?: string;
    deployment?: string;
    environment?: string | { name?: string };
    variables?: AzVariable[] | Record<string, string>;
    steps?: AzStep[];
    strategy?: Record<string, Record<string, { steps?: AzStep[] }>>;
};
type AzStage = { stage: string; condition?: string; variables?: AzVariable[] | Record<string, string>; jobs?: AzJob[] };
type AzPipeline = { variables?: AzVariable[] | Record<string, string>; stages?: AzStage[] };

function variableList(variables: AzVariable[] | Record<string, string> | undefined): AzVariable[] {
    if (!variables) return [];
    return Array.isArray(variables) ? variables : Object.entries(variables).map(([name, value]) => ({ name, value }));
}

function namedValues(variables: AzVariable[]): Record<string, string> {
    return Object.fromEntries(variables.filter((v) => v.name !== undefined).map((v) => [v.name as string, v.value ?? ""]));
}

/** Expands `$(name)` and `${{ variables.name }}` / `${{ variables['name'] }}` with the given variables. */
export function expandMacros(text: string, values: Record<string, string>): string {
    let current = text;
    for (let pass = 0; pass < 5; pass++) {
        const next = current
            .replace(/\$\(([\w.]+)\)/g, (whole, name: string) => values[name] ?? whole)
            .replace(/\$\{\{\s*variables(?:\.([\w.]+)|\['([\w.]+)'\])\s*\}\}/g, (whole, a?: string, b?: string) => values[(a ?? b) as string] ?? whole);
        if (next === current) break;
        current = next;
    }
    return current;
}

/** The top-level arguments of `and(...)`, or undefined when the expression is not an `and`. */
function andArguments(condition: string): string[] | undefined {
    const text = condition.trim();
    if (!text.startsWith("and(") || !text.endsWith(")")) return undefined;
    const args: string[] = [];
    let depth = 0;
    let quoted = false;
    let start = 4;
    for (let i = 4; i < text.length - 1; i++) {
        const c = text[i];
        if (c === "'") quoted = !quoted;
        if (quoted) continue;
        if (c === "(") depth++;
        if (c === ")") depth--;
        if (c === "," && depth === 0) {
            args.push(text.slice(start, i).trim());
            start = i + 1;
        }
    }
    if (depth !== 0) return undefined;
    args.push(text.slice(start, text.length - 1).trim());
    return args;
}

export function isMainOnlyStage(stage: AzStage): boolean {
    return (andArguments(stage.condition ?? "") ?? []).includes(MAIN_BRANCH_CONDITION);
}

function stepsOfJob(job: AzJob): AzStep[] {
    const nested = Object.values(job.strategy ?? {}).flatMap((strategy) => Object.values(strategy ?? {}).flatMap((hook) => hook?.steps ?? []));
    return [...(job.steps ?? []), ...nested];
}

function scriptOf(step: AzStep): string {
    return String(step.script ?? step.bash ?? step.inputs?.inlineScript ?? step.inputs?.script ?? "");
}

/** Problems with azure-pipelines.yml; every message names "pipeline root" or "stage S, job J". */
export function azurePipelineProblems(file: CiFile): string[] {
    const pipeline = parsePipeline(file.text) as AzPipeline;
    const problems: string[] = [];
    const root = variableList(pipeline.variables);
    const rootValues = namedValues(root);
    if (!rootValues[DEPLOY_CONNECTION_VARIABLE]) {
        problems.push(`${file.path} pipeline root: no variable ${DEPLOY_CONNECTION_VARIABLE} naming the deploy service connection`);
    }
    for (const group of root.filter((v) => v.group)) {
        problems.push(`${file.path} pipeline root: links variable group ${group.group}, which would reach every stage, pull requests' included; link it in the Deploy and Rotate stages only`);
    }

    const stages = pipeline.stages ?? [];
    const jobsOf = (stage: AzStage) => (stage.jobs ?? []).map((job) => {
        const stageVariables = variableList(stage.variables);
        const jobVariables = variableList(job.variables);
        const values = { ...rootValues, ...namedValues(stageVariables), ...namedValues(jobVariables) };
        const steps = stepsOfJob(job);
        const connections = steps.map((s) => expandMacros(String(s.inputs?.azureSubscription ?? s.inputs?.connectedServiceNameARM ?? ""), values)).filter(Boolean);
        const groups = [...stageVariables, ...jobVariables].filter((v) => v.group).map((v) => v.group as string);
        return { job, values, steps, connections, groups };
    });
    // Deploy connections and groups: the one the root names, and whatever the main-only stages use.
    const mainOnlyJobs = stages.filter(isMainOnlyStage).flatMap(jobsOf);
    const deployConnections = new Set([rootValues[DEPLOY_CONNECTION_VARIABLE], ...mainOnlyJobs.flatMap((j) => j.connections)].filter(Boolean));
    const deployGroups = new Set(mainOnlyJobs.flatMap((j) => j.groups));

    for (const stage of stages) {
        const mainOnly = isMainOnlyStage(stage);
        for (const { job, values, steps, connections, groups } of jobsOf(stage)) {
            const where = `${file.path} stage ${stage.stage}, job ${job.deployment ?? job.job ?? "(unnamed)"}`;
            const expanded = expandMacros(YAML.stringify(job), values);
            const named = (name: string) => connections.includes(name) || new RegExp(`(^|[^\\w-])${escapeRegExp(name)}($|[^\\w-])`).test(expanded);
            const deployConnectionsUsed = [...deployConnections].filter(named);
            const usesToken = expanded.includes(DBT_TOKEN);
            const usesDeployGroup = groups.some((g) => deployGroups.has(g));

            if (!mainOnly) {
                for (const connection of deployConnectionsUsed) {
                    problems.push(`${where}: runs pull-request code but uses the deploy service connection ${connection}`);
                }
                if (usesToken) {
                    problems.push(`${where}: runs pull-request code but references ${DBT_TOKEN}`);
                }
                for (const group of groups) {
                    problems.push(`${where}: runs pull-request code but links variable group ${group}`);
                }
                for (const name of variableReferences(YAML.stringify(job)).filter((n) => !(n in values) && !PREDEFINED_VARIABLE.test(n))) {
                    problems.push(`${where}: runs pull-request code but references variable ${name}, which this file does not declare ` +
                        "(a pipeline variable set outside it, possibly secret, or a variable group's)");
                }
            } else if (deployConnectionsUsed.length > 0 || usesToken || usesDeployGroup) {
                const environment = expandMacros(String(typeof job.environment === "object" ? job.environment?.name ?? "" : job.environment ?? ""), values);
                if (!job.deployment || environment !== MAIN_ONLY_ENVIRONMENT) {
                    problems.push(`${where}: holds deploy credentials outside a deployment job on the main-only environment ${MAIN_ONLY_ENVIRONMENT} (environment: ${environment || "none"})`);
                }
                for (const step of steps.filter((s) => scriptOf(s).includes(PULUMI_INSTALLER))) {
                    const inline = new RegExp(`(^|\\s)${REQUIRE_PIN}=["']?(\\w*)`).exec(scriptOf(step))?.[2];
                    if (String(inline ?? step.env?.[REQUIRE_PIN] ?? values[REQUIRE_PIN] ?? "") !== "1") {
                        problems.push(`${where}: holds deploy credentials but installs Pulumi without ${REQUIRE_PIN}: "1" (an unpinned CLI would run with them)`);
                    }
                }
            }

            for (const step of steps) {
                const piped = pipedDownload(scriptOf(step));
                if (piped) {
                    problems.push(`${where}: pipes a download into a shell: ${piped}`);
                }
                if (/^(NodeTool@0|UseNode@1)$/.test(step.task ?? "")) {
                    const spec = expandMacros(String(step.inputs?.versionSpec ?? step.inputs?.version ?? ""), values);
                    const major = nodeMajor(spec);
                    if (major === undefined || major < MIN_NODE_MAJOR) {
                        problems.push(`${where}: uses Node ${spec || "(unset)"}; CI runs Node >= ${MIN_NODE_MAJOR}`);
                    }
                }
            }
            if (steps.some((s) => /(^|\s)npm\s/.test(scriptOf(s))) && !steps.some((s) => /^(NodeTool@0|UseNode@1)$/.test(s.task ?? ""))) {
                problems.push(`${where}: runs npm without NodeTool@0, so on whatever Node the agent has`);
            }
            const firstPulumi = steps.findIndex((s) => /(^|\n)\s*pulumi\s/.test(scriptOf(s)));
            if (firstPulumi >= 0) {
                const installer = steps.findIndex((s) => scriptOf(s).includes(PULUMI_INSTALLER));
                const version = installer >= 0 ? /install-pulumi-cli\.sh\s+"?([^"\s]+)"?/.exec(expandMacros(scriptOf(steps[installer]), values))?.[1] ?? "" : "";
                if (installer < 0 || installer > firstPulumi) {
                    problems.push(`${where}: runs pulumi without first installing it with ${PULUMI_INSTALLER} (pinned version, checksum verified)`);
                } else if (!/^\d+\.\d+\.\d+$/.test(version)) {
                    problems.push(`${where}: installs Pulumi "${version}", not an exact version`);
                }
            }
        }
    }
    return [...new Set(problems)];
}

/** The variable names a piece of pipeline YAML references: `$(name)`, `$[variables.name]`, `${{ variables.name }}` (or `['name']`). */
function variableReferences(text: string): string[] {
    const names = [
        ...[...text.matchAll(/\$\(([\w.]+)\)/g)].map((m) => m[1]),
        ...[...text.matchAll(/(?:\$\[|\$\{\{)[^\]}]*?\bvariables(?:\.([\w.]+)|\[\s*'([\w.]+)'\s*\])/g)].map((m) => m[1] ?? m[2]),
    ];
    return [...new Set(names)];
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
