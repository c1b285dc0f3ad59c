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
import { expandPipeline } from "./azurePipelinesSchema";
import { readRepoFile } from "./repoFiles";

/**
 * The main-only environments, one per CI stack: `dbt-azure-devops-<stack>`, whose branch policy
 * (GitHub) / branch control check (Azure DevOps) admits main alone. In a workflow the stack is
 * the matrix's (`dbt-azure-devops-${{ matrix.stack }}`); in azure-pipelines.yml, once expanded, a
 * stack name.
 */
export const MAIN_ONLY_ENVIRONMENT_PREFIX = "dbt-azure-devops-";
/** The pull-request preview's environment: required reviewers (GitHub) approve before it runs. */
export const PREVIEW_ENVIRONMENT = "dbt-azure-devops-preview";
/** GitHub: the deploy identity's client id, a secret of the main-only environments. */
export const DEPLOY_CLIENT_ID = "AZURE_DEPLOY_CLIENT_ID";
/** GitHub: the preview identity's client id, the only identity pull-request jobs may sign in as. */
export const PREVIEW_CLIENT_ID = "AZURE_PREVIEW_CLIENT_ID";
export const DBT_TOKEN = "DBT_CLOUD_TOKEN";
/** Azure Pipelines: the root variable naming the deploy service connection. */
export const DEPLOY_CONNECTION_VARIABLE = "deployServiceConnection";
export const MIN_NODE_MAJOR = 22;
/** The one entry point of every CI step both systems run. */
export const CI_STEP = ".ci/step";
/** The modes whose install requires a pinned checksum: every mode but preview (see tools/ci/steps.ts). */
const PINNED_MODES = ["deploy", "rotate", "drift"];

/** A main-only environment name: the prefix and a stack (or the matrix's stack), never the preview's. */
export function isMainOnlyEnvironment(name: string | undefined): boolean {
    return name !== undefined && name.startsWith(MAIN_ONLY_ENVIRONMENT_PREFIX) && name !== PREVIEW_ENVIRONMENT && name.length > MAIN_ONLY_ENVIRONMENT_PREFIX.length;
}

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

/** One `.ci/step <step> ...` call in a script, with its arguments as written. */
export type StepCall = { step: string; args: string[]; text: string };

/** The `.ci/step` calls of a script, in order. */
export function stepCalls(script: string): StepCall[] {
    return [...script.matchAll(/(?:^|[\s;&|(])\.ci\/step\s+([a-z]+)((?:[ \t]+[^\s;&|#]+)*)/gm)].map((m) => ({
        step: m[1],
        args: m[2].trim() === "" ? [] : m[2].trim().split(/[ \t]+/),
        text: `.ci/step ${m[1]}${m[2]}`.trim(),
    }));
}

function flagValue(call: StepCall, flag: string): string | undefined {
    const i = call.args.indexOf(flag);
    return i >= 0 ? call.args[i + 1]?.replace(/^["']|["']$/g, "") : undefined;
}

/** Package installs that would run install scripts: `npm ci`/`npm install`/`npm i`, yarn, pnpm, without --ignore-scripts. */
const PACKAGE_INSTALL = /(^|[\s;&|(])(npm\s+(ci|install|i|add)|yarn(\s+install)?|pnpm\s+(install|i|add))(?=\s|$)[^\n;&|]*/gm;

/**
 * What every job's scripts must respect, whatever the CI system, as problems: no `pulumi` outside
 * `.ci/step` (it installs the verified CLI and runs nothing else); the install before any step
 * that runs pulumi; in a job that can mint an identity token, dependencies installed only by
 * `.ci/step setup` (npm ci --ignore-scripts) or with --ignore-scripts; in a job holding deploy
 * credentials, an install in a mode that requires the pinned checksum.
 */
function scriptProblems(where: string, scripts: string[], options: { canMintToken: boolean; holdsDeployCredentials: boolean }): string[] {
    const problems: string[] = [];
    const calls = scripts.flatMap(stepCalls);
    const installAt = calls.findIndex((c) => c.step === "install");
    calls.forEach((call, index) => {
        if (["recover", "preview", "up", "expiry", "drift"].includes(call.step) && (installAt < 0 || installAt > index)) {
            problems.push(`${where}: runs ${call.text} without first installing the Pulumi CLI with .ci/step install (pinned version, checksum verified)`);
        }
    });
    for (const script of scripts) {
        const raw = script.split("\n").map((l) => l.trim()).find((l) => /^(\S+=\S*\s+)*pulumi\s/.test(l));
        if (raw) {
            problems.push(`${where}: runs pulumi outside ${CI_STEP} (${raw}): every pulumi command goes through the shared steps`);
        }
        if (options.canMintToken) {
            for (const m of script.matchAll(PACKAGE_INSTALL)) {
                if (!/--ignore-scripts\b/.test(m[0])) {
                    problems.push(`${where}: can mint an identity token but installs packages with their install scripts (${m[0].trim()}): use .ci/step setup (npm ci --ignore-scripts)`);
                }
            }
        }
    }
    if (options.holdsDeployCredentials) {
        for (const call of calls.filter((c) => c.step === "install")) {
            const mode = flagValue(call, "--mode");
            if (!PINNED_MODES.includes(mode ?? "")) {
                problems.push(`${where}: holds deploy credentials but installs Pulumi in mode "${mode ?? "(none)"}", which does not require the pinned checksum (an unpinned CLI would run with them; use ${PINNED_MODES.join(", ")})`);
            }
        }
    }
    return problems;
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
            if (isMainOnlyEnvironment(environmentName(job))) {
                problems.push(`${where}: runs pull-request code but uses the deploy environment ${environmentName(job)}`);
            }
            if (canMintIdToken(job, workflow)) {
                for (const clientId of clientIds(job, workflow)) {
                    if (!clientId.includes(PREVIEW_CLIENT_ID)) {
                        problems.push(`${where}: runs pull-request code with id-token: write and signs in with ${clientId}, not the preview identity (${PREVIEW_CLIENT_ID})`);
                    }
                }
                if (environmentName(job) !== PREVIEW_ENVIRONMENT) {
                    problems.push(`${where}: runs pull-request code with id-token: write outside the environment ${PREVIEW_ENVIRONMENT} (environment: ${environmentName(job) ?? "none"}), so no reviewer approves before an identity runs`);
                }
            }
        } else if (holdsDeployCredentials) {
            if (!isMainOnlyEnvironment(environmentName(job))) {
                problems.push(`${where}: holds deploy credentials outside a main-only environment ${MAIN_ONLY_ENVIRONMENT_PREFIX}<stack> (environment: ${environmentName(job) ?? "none"})`);
            }
            if (!/github\.ref\s*==\s*'refs\/heads\/main'/.test(job.if ?? "")) {
                problems.push(`${where}: holds deploy credentials without "if: github.ref == 'refs/heads/main'"`);
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
            if (/^pulumi\/actions@/.test(step.uses ?? "")) {
                problems.push(`${where}: uses pulumi/actions, which runs up with --skip-preview and downloads its own CLI: run the shared steps (${CI_STEP}) instead`);
            }
        }
        const runsNode = steps.some((s) => /(^|\s)npm\s/.test(s.run ?? "") || stepCalls(s.run ?? "").some((c) => !["stacks"].includes(c.step)));
        if (runsNode && !steps.some((s) => /^actions\/setup-node@/.test(s.uses ?? ""))) {
            problems.push(`${where}: runs npm or node without actions/setup-node, so on whatever Node the runner has`);
        }
        problems.push(...scriptProblems(where, steps.map((s) => s.run ?? ""), { canMintToken: canMintIdToken(job, workflow), holdsDeployCredentials: !pullRequest && holdsDeployCredentials }));
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
export function azurePipelineProblems(file: CiFile, values: Record<string, string> = {}, readFile: (relative: string) => string = readRepoFile): string[] {
    // As Azure DevOps runs it: the variables template inlined, one job per CI stack (`values`
    // can set the stack list, so a check does not depend on the stacks a user lists).
    const pipeline = expandPipeline(file.text, readFile, values) as AzPipeline;
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
                if (!job.deployment || !isMainOnlyEnvironment(environment)) {
                    problems.push(`${where}: holds deploy credentials outside a deployment job on a main-only environment ${MAIN_ONLY_ENVIRONMENT_PREFIX}<stack> (environment: ${environment || "none"})`);
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
            const runsNode = steps.some((s) => /(^|\s)npm\s/.test(scriptOf(s)) || stepCalls(scriptOf(s)).some((c) => c.step !== "stacks"));
            if (runsNode && !steps.some((s) => /^(NodeTool@0|UseNode@1)$/.test(s.task ?? ""))) {
                problems.push(`${where}: runs npm or node without NodeTool@0, so on whatever Node the agent has`);
            }
            problems.push(...scriptProblems(where, steps.map(scriptOf), {
                canMintToken: connections.length > 0,
                holdsDeployCredentials: mainOnly && (deployConnectionsUsed.length > 0 || usesToken || usesDeployGroup),
            }));
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
