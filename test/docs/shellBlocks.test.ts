/**
 * The shell blocks of the user docs (README.md, CONTRIBUTING.md, docs/*.md) say only what exists,
 * and the offline ones run (issue 18, item 1). A block is a fenced block tagged `sh`, `bash`,
 * `shell` or `console` (in `console`, only `$ ` lines are commands); a block of commands left
 * untagged is itself a finding, so no command escapes the checks. Output goes in untagged blocks.
 *
 * In every command (comments stripped, `\` continuations joined, split at `&&`, `||`, `|`, `;`):
 * - `npm run [-s] <script>` names a script of package.json; besides `npm run`, only `npm start`,
 *   `npm test` and `npm ci` are allowed, and flags for the script go after `--` (npm keeps the
 *   others for itself);
 * - the flags after `--` of `npm start` (the offline plan), `npm run doctor`, `npm run check-expiry`
 *   and `npm run audit-app`, and of `node dist/tools/<tool>/cli.js`, are parsed with that tool's own
 *   flag list (exported by each tool, read here, never copied) and must parse without a problem;
 * - `pulumi config set|rm|get [--path] <key>` names a key of Pulumi.yaml's `config`, with or
 *   without the project's namespace, or a key of the azuread provider (`azuread:tenantId`; the list
 *   is @pulumi/azuread's own config module);
 * - `pulumi preview|up|destroy|refresh` with `--policy-pack` also passes
 *   `--policy-pack-config policy/config.json`, as CI does (issue 18: without it a custom-domain
 *   stack's preview fails);
 * - a word that names a repository path exists: one with a `/` whose first part is a top-level
 *   entry of the repository (`stacks/...`, `.ci/step`, `dist/...`, built before the tests), or a
 *   bare file name ending in .yaml, .json, .ts, .md or .sh (at the root). Words with
 *   placeholders (`<stack>`, `$STACK`, `*`) or a URL scheme are not paths, nor are bare names a
 *   tool resolves elsewhere (`--workflow rotate.yml`). Comments are searched for paths too.
 *
 * Offline blocks are the ones whose first line is `# offline`. They may hold only the offline plan
 * (`npm start [-s] -- <flags>`), optionally piped into `npm run -s check-expiry -- <flags>`. Each
 * command runs in-process, from the repository root, with a PULUMI_HOME of its own (so a
 * `pulumi stack select` on this machine does not choose the stack), and must exit 0, or the status
 * its comment names (`# exit 1`); a plan piped into the check must itself exit 0.
 */
import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { FlagKinds, parseFlags } from "../../tools/cliFlags";
import { AUDIT_FLAGS } from "../../tools/audit/cli";
import { DOCTOR_FLAGS } from "../../tools/doctor/cli";
import { EXPIRY_FLAGS, runExpiryCommand } from "../../tools/expiry/cli";
import { PLAN_FLAGS, PLAN_SHORT_FLAGS } from "../../tools/plan/cli";
import { readProjectFile } from "../../tools/plan/stackFiles";
import { REPO_ROOT } from "../harness/runProgram";
import { plan } from "../plan/planHelpers";

const SHELL_TAGS = ["sh", "bash", "shell", "console"];
const OFFLINE_MARK = "# offline";
/** Lines that make an untagged block a block of commands. */
const COMMAND_LINE = /^\s*(?:\$ )?(?:npm (?:ci|start|test|run)\b|npx \S|pulumi [a-z]+\b|az [a-z]+ [a-z]|git [a-z]+ |node \S+\.js\b|bash \S|curl -|export [A-Z_]+=|\.ci\/step )/;
const PATH_ENDINGS = /\.(?:yaml|json|ts|md|sh)$/;

interface Tool {
    flags: FlagKinds;
    short?: Record<string, string>;
}

/** Which tool's flags an npm script or a built CLI takes. */
const TOOLS: Record<string, Tool> = {
    start: { flags: PLAN_FLAGS, short: PLAN_SHORT_FLAGS },
    doctor: { flags: DOCTOR_FLAGS },
    "check-expiry": { flags: EXPIRY_FLAGS },
    "audit-app": { flags: AUDIT_FLAGS },
};
const BUILT_TOOLS: Record<string, string> = {
    "dist/tools/plan/cli.js": "start",
    "dist/tools/doctor/cli.js": "doctor",
    "dist/tools/expiry/cli.js": "check-expiry",
    "dist/tools/audit/cli.js": "audit-app",
};

export interface ShellBlock {
    file: string;
    /** 1-based line of the opening fence. */
    line: number;
    tag: string;
    body: string[];
    offline: boolean;
}

export interface Command {
    /** The words of one simple command, quotes removed. */
    words: string[];
    /** The comment at the end of its line, without `#`. */
    comment: string;
    /** The line of the markdown file it starts on. */
    line: number;
}

/** What the checks need to know about the repository. */
export interface Repository {
    root: string;
    scripts: string[];
    configKeys: string[];
    project: string;
    azureadKeys: string[];
}

export function repository(root = REPO_ROOT): Repository {
    const { declarations, project } = readProjectFile(root);
    const vars = fs.readFileSync(require.resolve("@pulumi/azuread/config/vars.d.ts", { paths: [root] }), "utf8");
    return {
        root,
        scripts: Object.keys(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts),
        configKeys: Object.keys(declarations),
        project,
        azureadKeys: [...vars.matchAll(/export declare const (\w+)/g)].map((m) => m[1]),
    };
}

/** The fenced blocks of a markdown text: shell-tagged ones, and untagged ones that hold commands (a problem each). */
export function shellBlocks(markdown: string, file: string): { blocks: ShellBlock[]; problems: string[] } {
    const blocks: ShellBlock[] = [];
    const problems: string[] = [];
    const lines = markdown.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]);
        if (!open) continue;
        const indent = open[1].length;
        const body: string[] = [];
        let j = i + 1;
        while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) {
            body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
            j++;
        }
        const tag = open[2];
        if (SHELL_TAGS.includes(tag)) {
            blocks.push({ file, line: i + 1, tag, body, offline: body[0]?.trim() === OFFLINE_MARK });
        } else if (tag === "" && body.some((l) => COMMAND_LINE.test(l))) {
            problems.push(`${file}:${i + 1}: an untagged block holds commands (${body.find((l) => COMMAND_LINE.test(l))!.trim()}); tag it sh`);
        }
        i = j;
    }
    return { blocks, problems };
}

/** Shell words and operators of one line, quotes removed; where the comment starts. */
function tokenize(text: string): { tokens: string[]; comment: string } {
    const tokens: string[] = [];
    let word: string | undefined;
    let quote: string | undefined;
    let depth = 0; // inside $( ... )
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quote) {
            if (c === quote && depth === 0) quote = undefined;
            else {
                if (c === "\\" && quote === '"' && i + 1 < text.length) word = (word ?? "") + text[++i];
                else word = (word ?? "") + c;
                if (c === "(" && text[i - 1] === "$") depth++;
                else if (c === ")" && depth > 0) depth--;
            }
            continue;
        }
        if (c === "'" || c === '"') {
            quote = c;
            word = word ?? "";
            continue;
        }
        if (c === "#" && word === undefined) {
            return { tokens, comment: text.slice(i + 1).trim() };
        }
        if (/\s/.test(c)) {
            if (word !== undefined) tokens.push(word);
            word = undefined;
            continue;
        }
        const operator = /^(&&|\|\||\||;)/.exec(text.slice(i))?.[1];
        if (operator) {
            if (word !== undefined) tokens.push(word);
            word = undefined;
            tokens.push(operator);
            i += operator.length - 1;
            continue;
        }
        word = (word ?? "") + c;
    }
    if (word !== undefined) tokens.push(word);
    return { tokens, comment: "" };
}

const OPERATORS = ["&&", "||", "|", ";"];

/** The commands of a block, each line's `\` continuations joined; a pipeline stays together in `pipelines`. */
export function commandsOf(block: ShellBlock): { commands: Command[]; pipelines: Command[][]; comments: string[] } {
    const commands: Command[] = [];
    const pipelines: Command[][] = [];
    const comments: string[] = [];
    for (let i = 0; i < block.body.length; i++) {
        let text = block.body[i];
        const line = block.line + 1 + i;
        if (block.tag === "console") {
            if (!text.startsWith("$ ")) continue;
            text = text.slice(2);
        }
        while (/\\\s*$/.test(text) && i + 1 < block.body.length) {
            text = text.replace(/\\\s*$/, " ") + block.body[++i];
        }
        const { tokens, comment } = tokenize(text);
        if (comment) comments.push(comment);
        let current: string[] = [];
        let pipeline: Command[] = [];
        const flush = (operator?: string) => {
            if (current.length > 0) {
                const command = { words: current, comment, line };
                commands.push(command);
                pipeline.push(command);
            }
            current = [];
            if (operator !== "|" && pipeline.length > 0) {
                pipelines.push(pipeline);
                pipeline = [];
            }
        };
        for (const token of tokens) {
            if (OPERATORS.includes(token)) flush(token);
            else current.push(token);
        }
        flush();
    }
    return { commands, pipelines, comments };
}

/** `npm start`, `npm run [-s] <script>`: the script and the arguments after `--`, or a problem. */
function npmScript(words: string[], repo: Repository): { script?: string; args: string[]; problems: string[] } {
    const problems: string[] = [];
    let rest = words.slice(1);
    let script: string | undefined;
    if (rest[0] === "start" || rest[0] === "test" || rest[0] === "ci") {
        script = rest[0];
        rest = rest.slice(1);
    } else if (rest[0] === "run") {
        rest = rest.slice(1);
        while (rest[0] === "-s" || rest[0] === "--silent") rest = rest.slice(1);
        script = rest[0];
        rest = rest.slice(1);
        if (script === undefined || !repo.scripts.includes(script)) {
            problems.push(`npm run ${script ?? ""}: package.json has no such script (it has ${repo.scripts.join(", ")})`);
            return { problems, args: [] };
        }
    } else {
        problems.push(`npm ${rest[0] ?? ""}: only npm ci, npm start, npm test and npm run <script> are used here`);
        return { problems, args: [] };
    }
    const dashes = rest.indexOf("--");
    const before = dashes < 0 ? rest : rest.slice(0, dashes);
    const npmOwn = before.filter((w) => w !== "-s" && w !== "--silent" && !(script === "ci" && w === "--ignore-scripts"));
    if (npmOwn.length > 0) {
        problems.push(`npm ${script === "start" || script === "test" || script === "ci" ? script : `run ${script}`} ${npmOwn.join(" ")}: arguments for the script go after --, npm keeps these for itself`);
    }
    return { script, args: dashes < 0 ? [] : rest.slice(dashes + 1), problems };
}

function toolFlagProblems(name: string, args: string[]): string[] {
    const tool = TOOLS[name];
    if (!tool) return [];
    return parseFlags(args, tool.flags, { short: tool.short }).problems.map((p) => `${name} ${args.join(" ")}: ${p}`);
}

function configKeyProblem(words: string[], repo: Repository): string | undefined {
    const verb = words[2];
    if (!["set", "rm", "get"].includes(verb)) return undefined;
    const withValue = ["--stack", "-s", "--config-file"];
    let key: string | undefined;
    for (let i = 3; i < words.length; i++) {
        if (withValue.includes(words[i])) i++;
        else if (!words[i].startsWith("-")) {
            key = words[i];
            break;
        }
    }
    if (key === undefined) return `pulumi config ${verb}: no key`;
    const bare = key.replace(/[[.].*$/, "");
    const colon = bare.indexOf(":");
    const [namespace, name] = colon < 0 ? [repo.project, bare] : [bare.slice(0, colon), bare.slice(colon + 1)];
    if (namespace === "azuread") {
        return repo.azureadKeys.includes(name) ? undefined : `pulumi config ${verb} ${key}: the azuread provider has no setting ${name}`;
    }
    if (namespace !== repo.project) return `pulumi config ${verb} ${key}: namespace ${namespace} is neither this project's (${repo.project}) nor azuread`;
    return repo.configKeys.includes(name) ? undefined : `pulumi config ${verb} ${key}: Pulumi.yaml declares no key ${name}`;
}

function policyPackProblem(words: string[]): string | undefined {
    if (!["preview", "up", "destroy", "refresh"].includes(words[1]) || !words.some((w) => w === "--policy-pack" || w.startsWith("--policy-pack="))) {
        return undefined;
    }
    const at = words.indexOf("--policy-pack-config");
    const given = at >= 0 ? words[at + 1] : words.find((w) => w.startsWith("--policy-pack-config="))?.split("=")[1];
    return given === "policy/config.json" ? undefined : `${words.join(" ")}: passes --policy-pack without --policy-pack-config policy/config.json`;
}

/** Words that name a repository path and do not exist there. */
function missingPaths(words: string[], repo: Repository): string[] {
    const topLevel = new Set(fs.readdirSync(repo.root));
    const missing: string[] = [];
    for (const raw of words.flatMap((w) => w.split("="))) {
        const word = raw.replace(/^[(`'"]+/, "").replace(/[),.;:`'"]+$/, "");
        if (word === "" || word.startsWith("-") || /[<>$*{}]|:\/\//.test(word)) continue;
        const first = word.split("/")[0];
        const isPath = word.includes("/") ? topLevel.has(first) : PATH_ENDINGS.test(word);
        if (isPath && !fs.existsSync(path.join(repo.root, word))) missing.push(word);
    }
    return missing;
}

/** Every problem with the shell blocks of one markdown file (the offline blocks are run separately). */
export function checkMarkdown(markdown: string, file: string, repo: Repository): string[] {
    const { blocks, problems } = shellBlocks(markdown, file);
    for (const block of blocks) {
        const { commands, comments } = commandsOf(block);
        for (const { words, line } of commands) {
            const at = `${file}:${line}`;
            if (words[0] === "npm") {
                const { script, args, problems: npmProblems } = npmScript(words, repo);
                problems.push(...npmProblems.map((p) => `${at}: ${p}`));
                if (script) problems.push(...toolFlagProblems(script, args).map((p) => `${at}: ${p}`));
            }
            if (words[0] === "node" && BUILT_TOOLS[words[1]]) {
                problems.push(...toolFlagProblems(BUILT_TOOLS[words[1]], words.slice(2)).map((p) => `${at}: ${p}`));
            }
            if (words[0] === "pulumi") {
                const configProblem = words[1] === "config" ? configKeyProblem(words, repo) : undefined;
                const packProblem = policyPackProblem(words);
                problems.push(...[configProblem, packProblem].filter((p): p is string => p !== undefined).map((p) => `${at}: ${p}`));
            }
            problems.push(...missingPaths(words, repo).map((p) => `${at}: no such path in the repository: ${p}`));
        }
        for (const comment of comments) {
            problems.push(...missingPaths(comment.split(/\s+/), repo).map((p) => `${file}:${block.line}: a comment names a path that does not exist: ${p}`));
        }
        if (block.offline) {
            for (const { words, line } of commands) {
                const offline = (words[0] === "npm" && words[1] === "start") || (words[0] === "npm" && words[1] === "run" && words.includes("check-expiry"));
                if (!offline) problems.push(`${file}:${line}: an offline block runs only npm start and npm run check-expiry, not ${words.join(" ")}`);
            }
        }
    }
    return problems;
}

/** Runs one offline block's pipelines in-process; the problems, one per command that did not exit as its comment says. */
export async function runOfflineBlock(block: ShellBlock): Promise<string[]> {
    const problems: string[] = [];
    for (const pipeline of commandsOf(block).pipelines) {
        const [first, ...rest] = pipeline;
        const expected = Number(/\bexits? (\d+)\b/.exec(first.comment)?.[1] ?? 0);
        const at = `${block.file}:${first.line}`;
        const argsOf = (words: string[]) => (words.includes("--") ? words.slice(words.indexOf("--") + 1) : []);
        if (first.words[0] !== "npm" || first.words[1] !== "start" || rest.length > 1 || (rest.length === 1 && !rest[0].words.includes("check-expiry"))) {
            problems.push(`${at}: cannot run offline: ${pipeline.map((c) => c.words.join(" ")).join(" | ")}`);
            continue;
        }
        const planned = await plan(argsOf(first.words));
        if (rest.length === 0) {
            if (planned.code !== expected) problems.push(`${at}: npm start ${argsOf(first.words).join(" ")} exited ${planned.code}, not ${expected}: ${planned.stderr.trim().split("\n")[0]}`);
            continue;
        }
        if (planned.code !== 0) {
            problems.push(`${at}: the plan piped into the check exited ${planned.code}: ${planned.stderr.trim().split("\n")[0]}`);
            continue;
        }
        let stderr = "";
        const code = runExpiryCommand(argsOf(rest[0].words), { stdin: planned.stdout, stdout: () => undefined, stderr: (t) => (stderr += t), now: () => new Date() });
        if (code !== expected) problems.push(`${at}: check-expiry ${argsOf(rest[0].words).join(" ")} exited ${code}, not ${expected}: ${stderr.trim().split("\n")[0]}`);
    }
    return problems;
}

function userDocs(): string[] {
    return ["README.md", "CONTRIBUTING.md", ...fs.readdirSync(path.join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
}

describe("the docs' shell blocks", function () {
    this.timeout(60_000);
    const repo = repository();

    for (const file of userDocs()) {
        it(`${file}: every npm script, tool flag, path and config key its shell blocks name exists, and every policy-pack run passes its config`, () => {
            assert.deepEqual(checkMarkdown(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"), file, repo), []);
        });
    }

    const offline = userDocs().flatMap((file) => shellBlocks(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"), file).blocks.filter((b) => b.offline));

    it("has offline blocks to run: the README's first steps among them", () => {
        assert.ok(offline.some((b) => b.file === "README.md"), "README.md has a # offline block");
        assert.ok(offline.length >= 3, `${offline.length} offline blocks`);
    });

    for (const block of offline) {
        it(`${block.file}:${block.line}: the offline block runs and exits as it says`, async () => {
            assert.deepEqual(await runOfflineBlock(block), []);
        });
    }
});

describe("the shell-block checker, on mistakes", function () {
    this.timeout(60_000);
    const repo = repository();
    const check = (body: string, tag = "sh") => checkMarkdown(`# Doc\n\n\`\`\`${tag}\n${body}\n\`\`\`\n`, "bad.md", repo);

    it("finds an npm script that does not exist, and an npm command that is not ours", () => {
        assert.match(check("npm run docter -- --stack prod").join("\n"), /npm run docter: package.json has no such script/);
        assert.match(check("npm install left-pad").join("\n"), /only npm ci, npm start, npm test and npm run/);
        assert.deepEqual(check("npm ci && npm start\nnpm test\nnpm run -s check-expiry -- --days 3"), []);
    });

    it("finds a flag the tool does not take, one given before --, and a positional where a flag belongs", () => {
        assert.match(check("npm start -- --stak emea").join("\n"), /unknown flag --stak \(did you mean --stack\?\)/);
        assert.match(check("npm run doctor -- --stack prod --verbose").join("\n"), /unknown flag --verbose/);
        assert.match(check("npm run -s check-expiry -- --day 14").join("\n"), /unknown flag --day/);
        assert.match(check("npm start --stack emea").join("\n"), /arguments for the script go after --/);
        assert.match(check("node dist/tools/plan/cli.js emea").join("\n"), /unexpected argument "emea"/);
        assert.deepEqual(check("npm start -- -s emea --json --at 2027-03-20\nnpm run doctor -- --stack <stack> --json"), []);
    });

    it("finds a path that does not exist, in a command or a comment, and leaves placeholders and URLs alone", () => {
        assert.match(check("cp stacks/Pulumi.staging.yaml /tmp").join("\n"), /no such path in the repository: stacks\/Pulumi\.staging\.yaml/);
        assert.match(check("pulumi up   # reads policy/settings.json").join("\n"), /a comment names a path that does not exist: policy\/settings\.json/);
        assert.deepEqual(check("cp stacks/Pulumi.dev.yaml stacks/Pulumi.<stack>.yaml\npulumi login azblob://pulumi-state\n.ci/step recover --stack prod"), []);
    });

    it("finds a config key Pulumi.yaml does not declare, and a provider setting azuread does not have", () => {
        assert.match(check("pulumi config set adoOrganisation contoso").join("\n"), /Pulumi.yaml declares no key adoOrganisation/);
        assert.match(check("pulumi config set --path 'adoProject[0]' Analytics").join("\n"), /declares no key adoProject$/m);
        assert.match(check("pulumi config set azuread:tenant <tenant-guid>").join("\n"), /the azuread provider has no setting tenant/);
        assert.match(check("pulumi config set dbt-azure-devop:adoProjects x").join("\n"), /namespace dbt-azure-devop is neither/);
        assert.deepEqual(check("pulumi config set azuread:tenantId <tenant-guid>\npulumi config rm --path 'dbtCloudAdditionalHosts[0]'\npulumi config set dbt-azure-devops:authMode service_user --stack emea"), []);
    });

    it("finds a policy-pack run without the pack's config", () => {
        assert.match(check("pulumi preview --diff --policy-pack policy").join("\n"), /without --policy-pack-config policy\/config\.json/);
        assert.match(check("pulumi up --policy-pack policy \\\n  --policy-pack-config other.json").join("\n"), /without --policy-pack-config/);
        assert.deepEqual(check("pulumi up --policy-pack policy --policy-pack-config policy/config.json\npulumi preview --expect-no-changes"), []);
    });

    it("finds commands in an untagged block, and reads only the $ lines of a console block", () => {
        assert.match(check("npm run doctor -- --stack prod", "").join("\n"), /an untagged block holds commands .*; tag it sh/);
        assert.deepEqual(check("$ npm start -- --stack emea\nunknown flag --stak (the plan's output, not a command)", "console"), []);
    });

    it("refuses anything but the plan and the expiry check in an offline block", () => {
        assert.match(check("# offline\npulumi up").join("\n"), /an offline block runs only npm start and npm run check-expiry/);
    });

    it("runs an offline block and reports a command that does not exit as its comment says", async () => {
        const block = (body: string) => shellBlocks(`\`\`\`sh\n# offline\n${body}\n\`\`\`\n`, "bad.md").blocks[0];
        assert.match((await runOfflineBlock(block("npm start -- --stack nosuch"))).join("\n"), /bad\.md:3: npm start --stack nosuch exited 2, not 0/);
        assert.match((await runOfflineBlock(block("npm start -s -- --json --at 2027-06-01 | npm run -s check-expiry -- --now 2027-09-20"))).join("\n"), /check-expiry --now 2027-09-20 exited 1, not 0/);
        assert.deepEqual(await runOfflineBlock(block("npm start -- --stack nosuch   # exits 2\nnpm start -- --help")), []);
    });
});
