/**
 * The CI trust boundaries (docs/ci-github.md, docs/ci-azure-pipelines.md), checked on the real
 * files, and each check shown to fail, naming the job, on a copy mutated in memory. A CI system
 * whose files were deleted (a team that uses only the other one) skips its part.
 */
import * as assert from "node:assert/strict";
import { AZURE_PIPELINES_FILE, readRepoFile, repoFileExists, workflowFiles } from "./repoFiles";
import { azurePipelineProblems as problemsOf, CiFile, githubWorkflowProblems } from "./trustBoundaries";

/** Expanded over one stack, `prod`, whatever .ci/stacks.yml lists, so job names are known. */
const azurePipelineProblems = (file: CiFile) => problemsOf(file, { ciStacks: "prod" });

const AZURE = AZURE_PIPELINES_FILE;
const PR = ".github/workflows/pull-request.yml";
const DEPLOY = ".github/workflows/deploy.yml";
const ROTATE = ".github/workflows/rotate.yml";

function file(path: string): CiFile {
    return { path, text: readRepoFile(path) };
}

/** The file with `from` replaced by `to`; fails when `from` is absent, so no mutation goes stale. */
function mutated(path: string, from: string | RegExp, to: string): CiFile {
    const original = readRepoFile(path);
    const text = original.replace(from, to);
    assert.notEqual(text, original, `mutation of ${path} did not apply: ${String(from)}`);
    return { path, text };
}

function assertFlags(problems: string[], pattern: RegExp): void {
    assert.ok(problems.some((p) => pattern.test(p)), `expected a problem matching ${pattern}, got:\n${problems.join("\n") || "(none)"}`);
}

function whenPresent(path: string): (this: Mocha.Context) => void {
    return function () {
        if (!repoFileExists(path)) {
            this.skip();
        }
    };
}

describe("CI trust boundaries", () => {
    describe("on the real files", () => {
        it("GitHub workflows have no problems", () => {
            for (const path of workflowFiles()) {
                assert.deepEqual(githubWorkflowProblems(file(path)), [], path);
            }
        });

        it("azure-pipelines.yml has no problems", function () {
            whenPresent(AZURE).call(this);
            assert.deepEqual(problemsOf(file(AZURE)), [], "over the stacks .ci/stacks.yml lists");
            assert.deepEqual(problemsOf(file(AZURE), { ciStacks: "prod,eu-west" }), [], "over two stacks");
        });
    });

    describe("GitHub: pull-request jobs get neither the deploy identity nor the dbt token, and an identity only after approval", () => {
        before(whenPresent(PR));

        it("flags a pull-request job that references the deploy client id", () => {
            const broken = mutated(PR, "client-id: ${{ secrets.AZURE_PREVIEW_CLIENT_ID }}", "client-id: ${{ secrets.AZURE_DEPLOY_CLIENT_ID }}");
            assertFlags(githubWorkflowProblems(broken), /pull-request\.yml job preview: runs pull-request code but references the deploy client id/);
        });

        it("flags id-token: write together with a client id other than the preview identity's", () => {
            const broken = mutated(PR, "ARM_CLIENT_ID: ${{ secrets.AZURE_PREVIEW_CLIENT_ID }}", "ARM_CLIENT_ID: ${{ vars.AZURE_CLIENT_ID }}");
            assertFlags(githubWorkflowProblems(broken), /job preview: runs pull-request code with id-token: write and signs in with \$\{\{ vars\.AZURE_CLIENT_ID \}\}/);
        });

        it("flags a pull-request job that references DBT_CLOUD_TOKEN", () => {
            const broken = mutated(PR, "      ARM_USE_OIDC: \"true\"\n", "      ARM_USE_OIDC: \"true\"\n      DBT_CLOUD_TOKEN: ${{ secrets.DBT_CLOUD_TOKEN }}\n");
            assertFlags(githubWorkflowProblems(broken), /job preview: runs pull-request code but references DBT_CLOUD_TOKEN/);
        });

        it("flags a pull-request job that reads any secret outside the preview's allow-list", () => {
            const pat = mutated(PR, "      ARM_USE_OIDC: \"true\"\n", "      ARM_USE_OIDC: \"true\"\n      AZURE_DEVOPS_EXT_PAT: ${{ secrets.AZDO_PERSONAL_ACCESS_TOKEN }}\n");
            assertFlags(githubWorkflowProblems(pat), /pull-request\.yml job preview: runs pull-request code but reads secret AZDO_PERSONAL_ACCESS_TOKEN, not one of AZURE_PREVIEW_CLIENT_ID, AZURE_TENANT_ID/);
            const bracket = mutated(PR, "ARM_TENANT_ID: ${{ secrets.AZURE_TENANT_ID }}", "ARM_TENANT_ID: ${{ secrets['PULUMI_ACCESS_TOKEN'] }}");
            assertFlags(githubWorkflowProblems(bracket), /job preview: runs pull-request code but reads secret PULUMI_ACCESS_TOKEN/);
            const inChecks = mutated(PR, "      - run: .ci/step checks\n", "      - run: .ci/step checks\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n");
            assertFlags(githubWorkflowProblems(inChecks), /pull-request\.yml job checks: runs pull-request code but reads secret NPM_TOKEN/);
            const inCondition = mutated(PR, "    if: github.event.pull_request.head.repo.full_name == github.repository\n", "    if: github.event.pull_request.head.repo.full_name == github.repository && secrets.SOME_FLAG != ''\n");
            assertFlags(githubWorkflowProblems(inCondition), /job preview: runs pull-request code but reads secret SOME_FLAG/);
            const workflowWide = mutated(PR, "permissions:\n  contents: read\n\n", "permissions:\n  contents: read\n\nenv:\n  SLACK_WEBHOOK: ${{ secrets.SLACK_WEBHOOK }}\n\n");
            assertFlags(githubWorkflowProblems(workflowWide), /job checks: runs pull-request code but reads secret SLACK_WEBHOOK/);
        });

        it("flags a pull-request job that reads the whole secrets context", () => {
            const json = mutated(PR, "ARM_TENANT_ID: ${{ secrets.AZURE_TENANT_ID }}", "ARM_TENANT_ID: ${{ toJSON(secrets) }}");
            assertFlags(githubWorkflowProblems(json), /job preview: runs pull-request code and reads the whole secrets context/);
            const computed = mutated(PR, "ARM_TENANT_ID: ${{ secrets.AZURE_TENANT_ID }}", "ARM_TENANT_ID: ${{ secrets[format('{0}_ID', 'AZURE_TENANT')] }}");
            assertFlags(githubWorkflowProblems(computed), /job preview: runs pull-request code and reads the whole secrets context/);
            const inherit = mutated(PR, "jobs:\n", "jobs:\n  reuse:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n");
            assertFlags(githubWorkflowProblems(inherit), /job reuse: runs pull-request code and reads the whole secrets context/);
        });

        it("allows the preview's own secrets, and secrets in jobs that do not run pull-request code", function () {
            const subscription = mutated(PR, "      ARM_USE_OIDC: \"true\"\n", "      ARM_USE_OIDC: \"true\"\n      ARM_SUBSCRIPTION_ID: ${{ secrets.AZURE_SUBSCRIPTION_ID }}\n");
            assert.deepEqual(githubWorkflowProblems(subscription), []);
            if (repoFileExists(DEPLOY)) {
                assert.deepEqual(githubWorkflowProblems(file(DEPLOY)), [], "DBT_CLOUD_TOKEN in deploy.yml is not a pull-request problem");
            }
        });

        it("flags a pull-request job that uses a stack's deploy environment", () => {
            const broken = mutated(PR, "    environment: dbt-azure-devops-preview\n", "    environment: dbt-azure-devops-${{ matrix.stack }}\n");
            assertFlags(githubWorkflowProblems(broken), /job preview: runs pull-request code but uses the deploy environment dbt-azure-devops-\$\{\{ matrix\.stack \}\}/);
        });

        it("flags a pull-request job that can mint an identity token outside the approval environment", () => {
            const none = mutated(PR, "    environment: dbt-azure-devops-preview\n", "");
            assertFlags(githubWorkflowProblems(none), /job preview: runs pull-request code with id-token: write outside the environment dbt-azure-devops-preview \(environment: none\), so no reviewer approves/);
            const other = mutated(PR, "    environment: dbt-azure-devops-preview\n", "    environment: pr-previews\n");
            assertFlags(githubWorkflowProblems(other), /outside the environment dbt-azure-devops-preview \(environment: pr-previews\)/);
        });

        it("flags pull_request added to a deploying workflow's triggers", function () {
            if (!repoFileExists(DEPLOY)) this.skip();
            const broken = mutated(DEPLOY, "on:\n  push:", "on:\n  pull_request:\n  push:");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job up: runs pull-request code but references the deploy client id/);
        });
    });

    describe("GitHub: deploy and rotate run in a main-only environment, with the pinned CLI and no install scripts", () => {
        before(whenPresent(DEPLOY));

        it("flags the deploy job without an environment, or in one that is not a stack's main-only one", () => {
            const none = mutated(DEPLOY, "    environment: dbt-azure-devops-${{ matrix.stack }}\n", "");
            assertFlags(githubWorkflowProblems(none), /deploy\.yml job up: holds deploy credentials outside a main-only environment dbt-azure-devops-<stack> \(environment: none\)/);
            const preview = mutated(ROTATE, "    environment: dbt-azure-devops-${{ matrix.stack }}\n", "    environment: dbt-azure-devops-preview\n");
            assertFlags(githubWorkflowProblems(preview), /rotate\.yml job rotate: holds deploy credentials outside a main-only environment .*\(environment: dbt-azure-devops-preview\)/);
            const staging = mutated(ROTATE, "    environment: dbt-azure-devops-${{ matrix.stack }}\n", "    environment: staging\n");
            assertFlags(githubWorkflowProblems(staging), /rotate\.yml job rotate: holds deploy credentials outside a main-only environment .*\(environment: staging\)/);
        });

        it("flags deploy and rotate installing Pulumi in a mode that does not require the pin", () => {
            const deploy = mutated(DEPLOY, '.ci/step install --stack "$STACK" --mode deploy', '.ci/step install --stack "$STACK" --mode preview');
            assertFlags(githubWorkflowProblems(deploy), /deploy\.yml job up: holds deploy credentials but installs Pulumi in mode "preview", which does not require the pinned checksum/);
            const rotate = mutated(ROTATE, '.ci/step install --stack "$STACK" --mode rotate', '.ci/step install --stack "$STACK"');
            assertFlags(githubWorkflowProblems(rotate), /rotate\.yml job rotate: holds deploy credentials but installs Pulumi in mode "\(none\)"/);
        });

        it("flags a deploying job that does not skip other branches", () => {
            const broken = mutated(DEPLOY, "    if: github.ref == 'refs/heads/main'\n", "");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job up: holds deploy credentials without "if: github\.ref == 'refs\/heads\/main'"/);
        });

        it("flags DBT_CLOUD_TOKEN moved to a workflow-wide env (it reaches the checks job)", () => {
            const broken = mutated(DEPLOY, "permissions:\n  contents: read\n\n", "permissions:\n  contents: read\n\nenv:\n  DBT_CLOUD_TOKEN: ${{ secrets.DBT_CLOUD_TOKEN }}\n\n");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job checks: holds deploy credentials outside a main-only environment/);
        });

        it("flags install scripts where an identity token can be minted, and only there", () => {
            const rotate = mutated(ROTATE, "      - run: .ci/step setup\n", "      - run: npm ci --no-audit --no-fund\n");
            assertFlags(githubWorkflowProblems(rotate), /rotate\.yml job rotate: can mint an identity token but installs packages with their install scripts \(npm ci --no-audit --no-fund\): use \.ci\/step setup/);
            const install = mutated(ROTATE, "      - run: .ci/step setup\n", "      - run: npm install && npm run build\n");
            assertFlags(githubWorkflowProblems(install), /can mint an identity token but installs packages with their install scripts \(npm install\)/);
            const ignored = mutated(ROTATE, "      - run: .ci/step setup\n", "      - run: npm ci --ignore-scripts --no-audit\n");
            assert.deepEqual(githubWorkflowProblems(ignored), []);
            // The checks job holds no token: its install scripts are not the boundary.
            const checks = mutated(DEPLOY, "          cache: npm\n      - run: .ci/step setup\n", "          cache: npm\n      - run: npm ci\n");
            assert.deepEqual(githubWorkflowProblems(checks), []);
        });

        it("flags pulumi run outside the shared steps, a step before the install, and pulumi/actions", () => {
            const raw = mutated(ROTATE, '.ci/step up --stack "$STACK" --mode rotate', 'pulumi up --yes --stack "$STACK"');
            assertFlags(githubWorkflowProblems(raw), /rotate\.yml job rotate: runs pulumi outside \.ci\/step \(pulumi up --yes --stack "\$STACK"\)/);
            const noInstall = mutated(DEPLOY, '.ci/step install --stack "$STACK" --mode deploy', "echo no install");
            assertFlags(githubWorkflowProblems(noInstall), /deploy\.yml job up: runs \.ci\/step recover --stack "\$STACK" --mode deploy without first installing the Pulumi CLI/);
            const action = mutated(DEPLOY, /      - run: \.ci\/step up .*\n/, "      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0\n        with:\n          command: up\n");
            assertFlags(githubWorkflowProblems(action), /deploy\.yml job up: uses pulumi\/actions, which runs up with --skip-preview/);
        });
    });

    describe("GitHub: supply chain and runtime", () => {
        before(whenPresent(DEPLOY));

        it("flags an action pinned to a tag instead of a commit", () => {
            const broken = mutated(DEPLOY, /actions\/checkout@[0-9a-f]{40} # v[\d.]+/, "actions/checkout@v7");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job checks: uses actions\/checkout@v7, not pinned to a full 40-hex commit SHA/);
        });

        it("flags a commit pin without its tag comment, and a short SHA", () => {
            const noTag = mutated(ROTATE, /(azure\/login@[0-9a-f]{40}) # v[\d.]+/, "$1");
            assertFlags(githubWorkflowProblems(noTag), /rotate\.yml job rotate: uses azure\/login@[0-9a-f]{40}, not pinned/);
            const short = mutated(PR, /azure\/login@([0-9a-f]{7})[0-9a-f]{33}/, "azure/login@$1");
            assertFlags(githubWorkflowProblems(short), /pull-request\.yml job preview: uses azure\/login@[0-9a-f]{7} # v[\d.]+, not pinned/);
        });

        it("flags curl piped into a shell", () => {
            const broken = mutated(PR, 'run: .ci/step install --stack "$STACK" --mode preview', "run: curl -fsSL https://get.pulumi.com | sh");
            assertFlags(githubWorkflowProblems(broken), /pull-request\.yml job preview: pipes a download into a shell: curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
            assertFlags(githubWorkflowProblems(broken), /pull-request\.yml job preview: runs \.ci\/step preview .* without first installing the Pulumi CLI/);
        });

        it("flags Node older than 22, and node run without setup-node", () => {
            const old = mutated(ROTATE, "node-version: 22", "node-version: 20");
            assertFlags(githubWorkflowProblems(old), /rotate\.yml job rotate: sets up Node 20; CI runs Node >= 22/);
            const none = mutated(ROTATE, /      - uses: actions\/setup-node@.*\n        with:\n          node-version: 22\n/, "");
            assertFlags(githubWorkflowProblems(none), /rotate\.yml job rotate: runs npm or node without actions\/setup-node/);
        });
    });

    describe("Azure Pipelines: pull-request stages get neither the deploy identity nor the dbt token", () => {
        before(whenPresent(AZURE));

        it("flags the variable group linked at the pipeline root", () => {
            const broken = mutated(AZURE, /\nvariables:\n/, "\nvariables:\n  - group: dbt-azure-devops-prod\n");
            assertFlags(azurePipelineProblems(broken), /azure-pipelines\.yml pipeline root: links variable group dbt-azure-devops-prod/);
        });

        it("flags the Preview stage using the deploy service connection, by variable or by name", () => {
            const byVariable = mutated(AZURE, "azureSubscription: $(previewServiceConnection)", "azureSubscription: $(deployServiceConnection)");
            assertFlags(azurePipelineProblems(byVariable), /stage Preview, job preview_prod: runs pull-request code but uses the deploy service connection dbt-azure-devops-deploy/);
            const byName = mutated(AZURE, "azureSubscription: $(previewServiceConnection)", "azureSubscription: dbt-azure-devops-deploy");
            assertFlags(azurePipelineProblems(byName), /stage Preview, job preview_prod: runs pull-request code but uses the deploy service connection/);
        });

        it("flags a connection shared by Preview and a main-only stage, whatever the root variable says", () => {
            const broken = mutated(AZURE, /(- deployment: up[\s\S]*?)azureSubscription: \$\(deployServiceConnection\)/, "$1azureSubscription: $(previewServiceConnection)");
            assertFlags(azurePipelineProblems(broken), /stage Preview, job preview_prod: runs pull-request code but uses the deploy service connection dbt-azure-devops-preview/);
        });

        const PREVIEW_INSTALL = "                displayName: Install the Pulumi CLI (checksum verified)\n";

        it("flags the Preview stage referencing DBT_CLOUD_TOKEN or linking a variable group", () => {
            const token = mutated(AZURE, PREVIEW_INSTALL, `${PREVIEW_INSTALL}                env:\n                  DBT_CLOUD_TOKEN: $(DBT_CLOUD_TOKEN)\n`);
            assertFlags(azurePipelineProblems(token), /stage Preview, job preview_prod: runs pull-request code but references DBT_CLOUD_TOKEN/);
            const group = mutated(AZURE, "    condition: and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))\n", "    condition: and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))\n    variables:\n      - group: dbt-azure-devops-prod\n");
            assertFlags(azurePipelineProblems(group), /stage Preview, job preview_prod: runs pull-request code but links variable group dbt-azure-devops-prod/);
        });

        it("flags the Preview stage referencing a variable this file does not declare (a secret variable, a group's)", () => {
            const secret = mutated(AZURE, PREVIEW_INSTALL, `${PREVIEW_INSTALL}                env:\n                  AZDO_PAT: $(azdoPersonalAccessToken)\n`);
            assertFlags(azurePipelineProblems(secret), /stage Preview, job preview_prod: runs pull-request code but references variable azdoPersonalAccessToken, which this file does not declare/);
            const inScript = mutated(AZURE, '                    .ci/step preview --stack "${{ stack }}" --mode preview\n', "                    export PULUMI_CONFIG_PASSPHRASE='${{ variables.statePassphrase }}'\n                    .ci/step preview --stack \"${{ stack }}\" --mode preview\n");
            assertFlags(azurePipelineProblems(inScript), /stage Preview, job preview_prod: runs pull-request code but references variable statePassphrase/);
            const runtime = mutated(AZURE, PREVIEW_INSTALL, `${PREVIEW_INSTALL}                env:\n                  X: $[variables['ARM_CLIENT_SECRET']]\n`);
            assertFlags(azurePipelineProblems(runtime), /stage Preview, job preview_prod: runs pull-request code but references variable ARM_CLIENT_SECRET/);
            const system = mutated(AZURE, PREVIEW_INSTALL, `${PREVIEW_INSTALL}                env:\n                  X: $(System.SomeSecret)\n`);
            assertFlags(azurePipelineProblems(system), /references variable System\.SomeSecret/);
        });

        it("allows the Preview stage the file's own variables, the stacks template's, and the predefined ones", () => {
            const declared = mutated(AZURE, PREVIEW_INSTALL, `${PREVIEW_INSTALL}                env:\n                  BACKEND: $(ciStateBackend)\n                  REASON: $(Build.Reason)\n`);
            assert.deepEqual(azurePipelineProblems(declared), []);
        });

        it("treats a Deploy stage not restricted to main as running pull-request code", () => {
            const broken = mutated(AZURE, "condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'), in(", "condition: and(succeeded(), in(");
            assertFlags(azurePipelineProblems(broken), /stage Deploy, job up_prod: runs pull-request code but uses the deploy service connection/);
            const disguised = mutated(AZURE, "condition: and(eq(variables['Build.Reason'], 'Schedule'), eq(variables['Build.SourceBranch'], 'refs/heads/main'))", "condition: or(eq(variables['Build.Reason'], 'PullRequest'), eq(variables['Build.SourceBranch'], 'refs/heads/main'))");
            assertFlags(azurePipelineProblems(disguised), /stage Rotate, job rotate_prod: runs pull-request code but references DBT_CLOUD_TOKEN/);
        });

        it("flags deploy credentials outside a stack's main-only environment", () => {
            const broken = mutated(AZURE, /(- deployment: rotate.*\n\s+displayName: .*\n\s+)environment: dbt-azure-devops-\$\{\{ stack \}\}/, "$1environment: dbt-azure-devops-preview");
            assertFlags(azurePipelineProblems(broken), /stage Rotate, job rotate_prod: holds deploy credentials outside a deployment job on a main-only environment dbt-azure-devops-<stack> \(environment: dbt-azure-devops-preview\)/);
        });
    });

    describe("Azure Pipelines: deploy, rotate and drift run the pinned CLI, the shared steps, and no install scripts", () => {
        before(whenPresent(AZURE));

        it("flags an install in a mode that does not require the pin", () => {
            const deploy = mutated(AZURE, '.ci/step install --stack "${{ stack }}" --mode deploy', '.ci/step install --stack "${{ stack }}" --mode preview');
            assertFlags(azurePipelineProblems(deploy), /stage Deploy, job up_prod: holds deploy credentials but installs Pulumi in mode "preview"/);
            const drift = mutated(AZURE, '.ci/step install --stack "${{ stack }}" --mode drift', '.ci/step install --stack "${{ stack }}" --mode preview');
            assertFlags(azurePipelineProblems(drift), /stage Drift, job drift_prod: holds deploy credentials but installs Pulumi in mode "preview"/);
        });

        it("flags install scripts in a job with a service connection, and only there", () => {
            const rotate = mutated(AZURE, /(- deployment: rotate[\s\S]*?)- script: \.ci\/step setup\n/, "$1- script: npm ci --no-audit --no-fund\n");
            assertFlags(azurePipelineProblems(rotate), /stage Rotate, job rotate_prod: can mint an identity token but installs packages with their install scripts \(npm ci --no-audit --no-fund\)/);
            const checks = mutated(AZURE, "          - script: .ci/step setup\n", "          - script: npm ci\n");
            assert.deepEqual(azurePipelineProblems(checks), [], "the Checks job has no service connection");
        });

        it("flags pulumi outside the shared steps and a step before the install", () => {
            const raw = mutated(AZURE, '                          .ci/step up --stack "${{ stack }}" --mode rotate\n', "                          pulumi up --yes --stack prod\n");
            assertFlags(azurePipelineProblems(raw), /stage Rotate, job rotate_prod: runs pulumi outside \.ci\/step \(pulumi up --yes --stack prod\)/);
            const curl = mutated(AZURE, '- script: .ci/step install --stack "${{ stack }}" --mode preview\n', "- script: curl -fsSL https://get.pulumi.com | sh\n");
            assertFlags(azurePipelineProblems(curl), /stage Preview, job preview_prod: pipes a download into a shell: curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
            assertFlags(azurePipelineProblems(curl), /stage Preview, job preview_prod: runs \.ci\/step preview --stack "prod" --mode preview without first installing the Pulumi CLI/);
        });

        it("flags Node older than 22", () => {
            const broken = mutated(AZURE, /(- deployment: up[\s\S]*?)versionSpec: 22\.x/, "$1versionSpec: 20.x");
            assertFlags(azurePipelineProblems(broken), /stage Deploy, job up_prod: uses Node 20\.x; CI runs Node >= 22/);
        });
    });
});
