/**
 * The CI trust boundaries (README "CI identities"), checked on the real files, and each check
 * shown to fail, naming the job, on a copy mutated in memory.
 */
import * as assert from "node:assert/strict";
import { readRepoFile, workflowFiles } from "./repoFiles";
import { azurePipelineProblems, CiFile, githubWorkflowProblems } from "./trustBoundaries";

const AZURE = "azure-pipelines.yml";
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

describe("CI trust boundaries", () => {
    describe("on the real files", () => {
        it("GitHub workflows have no problems", () => {
            for (const path of workflowFiles()) {
                assert.deepEqual(githubWorkflowProblems(file(path)), [], path);
            }
        });

        it("azure-pipelines.yml has no problems", () => {
            assert.deepEqual(azurePipelineProblems(file(AZURE)), []);
        });
    });

    describe("GitHub: pull-request jobs get neither the deploy identity nor the dbt token", () => {
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
            const bracket = mutated(PR, "github-token: ${{ secrets.GITHUB_TOKEN }}", "github-token: ${{ secrets['PULUMI_ACCESS_TOKEN'] }}");
            assertFlags(githubWorkflowProblems(bracket), /job preview: runs pull-request code but reads secret PULUMI_ACCESS_TOKEN/);
            const inChecks = mutated(PR, "      - run: npm test\n", "      - run: npm test\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n");
            assertFlags(githubWorkflowProblems(inChecks), /pull-request\.yml job checks: runs pull-request code but reads secret NPM_TOKEN/);
            const inCondition = mutated(PR, "    if: github.event.pull_request.head.repo.full_name == github.repository\n", "    if: github.event.pull_request.head.repo.full_name == github.repository && secrets.SOME_FLAG != ''\n");
            assertFlags(githubWorkflowProblems(inCondition), /job preview: runs pull-request code but reads secret SOME_FLAG/);
            const workflowWide = mutated(PR, "env:\n  STACK: dev\n", "env:\n  STACK: dev\n  SLACK_WEBHOOK: ${{ secrets.SLACK_WEBHOOK }}\n");
            assertFlags(githubWorkflowProblems(workflowWide), /job checks: runs pull-request code but reads secret SLACK_WEBHOOK/);
        });

        it("flags a pull-request job that reads the whole secrets context", () => {
            const json = mutated(PR, "github-token: ${{ secrets.GITHUB_TOKEN }}", "github-token: ${{ toJSON(secrets) }}");
            assertFlags(githubWorkflowProblems(json), /job preview: runs pull-request code and reads the whole secrets context/);
            const computed = mutated(PR, "github-token: ${{ secrets.GITHUB_TOKEN }}", "github-token: ${{ secrets[format('{0}_TOKEN', 'GITHUB')] }}");
            assertFlags(githubWorkflowProblems(computed), /job preview: runs pull-request code and reads the whole secrets context/);
            const inherit = mutated(PR, "jobs:\n", "jobs:\n  reuse:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n");
            assertFlags(githubWorkflowProblems(inherit), /job reuse: runs pull-request code and reads the whole secrets context/);
        });

        it("allows the preview's own secrets, and secrets in jobs that do not run pull-request code", () => {
            const subscription = mutated(PR, "      ARM_USE_OIDC: \"true\"\n", "      ARM_USE_OIDC: \"true\"\n      ARM_SUBSCRIPTION_ID: ${{ secrets.AZURE_SUBSCRIPTION_ID }}\n");
            assert.deepEqual(githubWorkflowProblems(subscription), []);
            assert.deepEqual(githubWorkflowProblems(file(DEPLOY)), [], "DBT_CLOUD_TOKEN in deploy.yml is not a pull-request problem");
        });

        it("flags a pull-request job that uses the deploy environment", () => {
            const broken = mutated(PR, "    needs: checks\n    runs-on: ubuntu-latest\n    # Fork", "    needs: checks\n    runs-on: ubuntu-latest\n    environment: dbt-azure-devops-dev\n    # Fork");
            assertFlags(githubWorkflowProblems(broken), /job preview: runs pull-request code but uses the deploy environment dbt-azure-devops-dev/);
        });

        it("flags pull_request added to a deploying workflow's triggers", () => {
            const broken = mutated(DEPLOY, "on:\n  push:", "on:\n  pull_request:\n  push:");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job up: runs pull-request code but references the deploy client id/);
        });
    });

    describe("GitHub: deploy and rotate run in the main-only environment", () => {
        it("flags the deploy job without the environment", () => {
            const broken = mutated(DEPLOY, "    environment: dbt-azure-devops-dev\n", "");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job up: holds deploy credentials outside the main-only environment dbt-azure-devops-dev \(environment: none\)/);
        });

        it("flags the rotate job in another environment", () => {
            const broken = mutated(ROTATE, "    environment: dbt-azure-devops-dev\n", "    environment: staging\n");
            assertFlags(githubWorkflowProblems(broken), /rotate\.yml job rotate: holds deploy credentials outside the main-only environment .*\(environment: staging\)/);
        });

        it("flags deploy and rotate installing Pulumi without PULUMI_REQUIRE_PIN=1", () => {
            const removed = mutated(DEPLOY, /        env:\n          # Deploy credentials.*\n          PULUMI_REQUIRE_PIN: "1"\n/, "");
            assertFlags(githubWorkflowProblems(removed), /deploy\.yml job up: holds deploy credentials but installs Pulumi without PULUMI_REQUIRE_PIN: "1"/);
            const zero = mutated(ROTATE, 'PULUMI_REQUIRE_PIN: "1"', 'PULUMI_REQUIRE_PIN: "0"');
            assertFlags(githubWorkflowProblems(zero), /rotate\.yml job rotate: holds deploy credentials but installs Pulumi without PULUMI_REQUIRE_PIN/);
            // Inline or job-wide is as good as on the step.
            const inline = mutated(DEPLOY, /        env:\n          # Deploy credentials.*\n          PULUMI_REQUIRE_PIN: "1"\n        run: bash/, "        run: PULUMI_REQUIRE_PIN=1 bash");
            assert.deepEqual(githubWorkflowProblems(inline), []);
        });

        it("flags a deploying job that does not skip other branches", () => {
            const broken = mutated(DEPLOY, "    if: github.ref == 'refs/heads/main'\n", "");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job up: holds deploy credentials without "if: github\.ref == 'refs\/heads\/main'"/);
        });

        it("flags DBT_CLOUD_TOKEN moved to a workflow-wide env (it reaches the checks job)", () => {
            const broken = mutated(DEPLOY, "env:\n  STACK: dev\n", "env:\n  STACK: dev\n  DBT_CLOUD_TOKEN: ${{ secrets.DBT_CLOUD_TOKEN }}\n");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job checks: holds deploy credentials outside the main-only environment/);
        });
    });

    describe("GitHub: supply chain and runtime", () => {
        it("flags an action pinned to a tag instead of a commit", () => {
            const broken = mutated(DEPLOY, /actions\/checkout@[0-9a-f]{40} # v[\d.]+/, "actions/checkout@v7");
            assertFlags(githubWorkflowProblems(broken), /deploy\.yml job checks: uses actions\/checkout@v7, not pinned to a full 40-hex commit SHA/);
        });

        it("flags a commit pin without its tag comment, and a short SHA", () => {
            const noTag = mutated(ROTATE, /(pulumi\/actions@[0-9a-f]{40}) # v[\d.]+/, "$1");
            assertFlags(githubWorkflowProblems(noTag), /rotate\.yml job rotate: uses pulumi\/actions@[0-9a-f]{40}, not pinned/);
            const short = mutated(PR, /azure\/login@([0-9a-f]{7})[0-9a-f]{33}/, "azure/login@$1");
            assertFlags(githubWorkflowProblems(short), /pull-request\.yml job preview: uses azure\/login@[0-9a-f]{7} # v[\d.]+, not pinned/);
        });

        it("flags curl piped into a shell", () => {
            const broken = mutated(PR, "run: bash .github/scripts/install-pulumi-cli.sh \"$PULUMI_VERSION\"", "run: curl -fsSL https://get.pulumi.com | sh");
            assertFlags(githubWorkflowProblems(broken), /pull-request\.yml job preview: pipes a download into a shell: curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
        });

        it("flags Pulumi used without the checksum-verifying install, or at an inexact version", () => {
            const noInstall = mutated(DEPLOY, /      - name: Install Pulumi CLI.*\n(?: {8}.*\n)+/, "");
            assertFlags(githubWorkflowProblems(noInstall), /deploy\.yml job up: uses Pulumi without first installing it with \.github\/scripts\/install-pulumi-cli\.sh/);
            const range = mutated(ROTATE, "  PULUMI_VERSION: 3.276.0", "  PULUMI_VERSION: ^3");
            assertFlags(githubWorkflowProblems(range), /rotate\.yml job rotate: pulumi\/actions has pulumi-version "\^3", not an exact version/);
        });

        it("flags Node older than 22", () => {
            const broken = mutated(ROTATE, "node-version: 22", "node-version: 20");
            assertFlags(githubWorkflowProblems(broken), /rotate\.yml job rotate: sets up Node 20; CI runs Node >= 22/);
        });
    });

    describe("Azure Pipelines: pull-request stages get neither the deploy identity nor the dbt token", () => {
        it("flags the variable group linked at the pipeline root", () => {
            const broken = mutated(AZURE, /\nvariables:\n/, "\nvariables:\n  - group: dbt-azure-devops\n");
            assertFlags(azurePipelineProblems(broken), /azure-pipelines\.yml pipeline root: links variable group dbt-azure-devops/);
        });

        it("flags the Preview stage using the deploy service connection, by variable or by name", () => {
            const byVariable = mutated(AZURE, "azureSubscription: $(previewServiceConnection)", "azureSubscription: $(deployServiceConnection)");
            assertFlags(azurePipelineProblems(byVariable), /stage Preview, job preview: runs pull-request code but uses the deploy service connection dbt-azure-devops-deploy/);
            const byName = mutated(AZURE, "azureSubscription: $(previewServiceConnection)", "azureSubscription: dbt-azure-devops-deploy");
            assertFlags(azurePipelineProblems(byName), /stage Preview, job preview: runs pull-request code but uses the deploy service connection/);
        });

        it("flags a connection shared by Preview and a main-only stage, whatever the root variable says", () => {
            const broken = mutated(AZURE, /(- deployment: up[\s\S]*?)azureSubscription: \$\(deployServiceConnection\)/, "$1azureSubscription: $(previewServiceConnection)");
            assertFlags(azurePipelineProblems(broken), /stage Preview, job preview: runs pull-request code but uses the deploy service connection dbt-azure-devops-preview/);
        });

        it("flags the Preview stage referencing DBT_CLOUD_TOKEN or linking a variable group", () => {
            const token = mutated(AZURE, "              SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n", "              SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n              DBT_CLOUD_TOKEN: $(DBT_CLOUD_TOKEN)\n");
            assertFlags(azurePipelineProblems(token), /stage Preview, job preview: runs pull-request code but references DBT_CLOUD_TOKEN/);
            const group = mutated(AZURE, "    condition: and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))\n", "    condition: and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))\n    variables:\n      - group: dbt-azure-devops\n");
            assertFlags(azurePipelineProblems(group), /stage Preview, job preview: runs pull-request code but links variable group dbt-azure-devops/);
        });

        it("flags the Preview stage referencing a variable this file does not declare (a secret variable, a group's)", () => {
            const secret = mutated(AZURE, "              SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n", "              SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n              AZDO_PAT: $(azdoPersonalAccessToken)\n");
            assertFlags(azurePipelineProblems(secret), /stage Preview, job preview: runs pull-request code but references variable azdoPersonalAccessToken, which this file does not declare/);
            const inScript = mutated(AZURE, "                pulumi login \"$(pulumiBackendUrl)\"\n                pulumi stack select", "                pulumi login \"$(pulumiBackendUrl)\"\n                export PULUMI_CONFIG_PASSPHRASE='${{ variables.statePassphrase }}'\n                pulumi stack select");
            assertFlags(azurePipelineProblems(inScript), /stage Preview, job preview: runs pull-request code but references variable statePassphrase/);
            const runtime = mutated(AZURE, "              STACK: $(stack)\n", "              STACK: $(stack)\n              X: $[variables['ARM_CLIENT_SECRET']]\n");
            assertFlags(azurePipelineProblems(runtime), /stage Preview, job preview: runs pull-request code but references variable ARM_CLIENT_SECRET/);
            const system = mutated(AZURE, "              STACK: $(stack)\n", "              STACK: $(stack)\n              X: $(System.SomeSecret)\n");
            assertFlags(azurePipelineProblems(system), /references variable System\.SomeSecret/);
        });

        it("allows the Preview stage the file's own variables and the predefined ones it uses", () => {
            const declared = mutated(AZURE, "              STACK: $(stack)\n", "              STACK: $(stack)\n              BACKEND: $(pulumiBackendUrl)\n              REASON: $(Build.Reason)\n");
            assert.deepEqual(azurePipelineProblems(declared), []);
        });

        it("treats a Deploy stage not restricted to main as running pull-request code", () => {
            const broken = mutated(AZURE, "condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'), in(", "condition: and(succeeded(), in(");
            assertFlags(azurePipelineProblems(broken), /stage Deploy, job up: runs pull-request code but uses the deploy service connection/);
            const disguised = mutated(AZURE, "condition: and(eq(variables['Build.Reason'], 'Schedule'), eq(variables['Build.SourceBranch'], 'refs/heads/main'))", "condition: or(eq(variables['Build.Reason'], 'PullRequest'), eq(variables['Build.SourceBranch'], 'refs/heads/main'))");
            assertFlags(azurePipelineProblems(disguised), /stage Rotate, job rotate: runs pull-request code but references DBT_CLOUD_TOKEN/);
        });

        it("flags deploy credentials outside the main-only environment", () => {
            const broken = mutated(AZURE, /(- deployment: rotate\n\s+displayName: .*\n\s+)environment: \$\(deployEnvironment\)/, "$1environment: dbt-azure-devops-sandbox");
            assertFlags(azurePipelineProblems(broken), /stage Rotate, job rotate: holds deploy credentials outside a deployment job on the main-only environment dbt-azure-devops-dev \(environment: dbt-azure-devops-sandbox\)/);
        });
    });

    describe("Azure Pipelines: deploy and rotate require a pinned Pulumi CLI", () => {
        it("flags the Deploy or Rotate install step without PULUMI_REQUIRE_PIN=1", () => {
            const deploy = mutated(AZURE, /(- deployment: up[\s\S]*?)                  env:\n                    # Deploy credentials.*\n                    PULUMI_REQUIRE_PIN: "1"\n/, "$1");
            assertFlags(azurePipelineProblems(deploy), /stage Deploy, job up: holds deploy credentials but installs Pulumi without PULUMI_REQUIRE_PIN: "1"/);
            const rotate = mutated(AZURE, /(- deployment: rotate[\s\S]*?PULUMI_REQUIRE_PIN: )"1"/, '$1"yes"');
            assertFlags(azurePipelineProblems(rotate), /stage Rotate, job rotate: holds deploy credentials but installs Pulumi without PULUMI_REQUIRE_PIN/);
        });
    });

    describe("Azure Pipelines: supply chain and runtime", () => {
        it("flags curl piped into a shell", () => {
            const broken = mutated(AZURE, "- script: bash .github/scripts/install-pulumi-cli.sh \"$(pulumiVersion)\"\n            displayName", "- script: curl -fsSL https://get.pulumi.com | sh -s -- --version \"$(pulumiVersion)\"\n            displayName");
            assertFlags(azurePipelineProblems(broken), /stage Preview, job preview: pipes a download into a shell: curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
            assertFlags(azurePipelineProblems(broken), /stage Preview, job preview: runs pulumi without first installing it with \.github\/scripts\/install-pulumi-cli\.sh/);
        });

        it("flags an inexact Pulumi version", () => {
            const broken = mutated(AZURE, "    value: 3.276.0", "    value: latest");
            assertFlags(azurePipelineProblems(broken), /stage Deploy, job up: installs Pulumi "latest", not an exact version/);
        });

        it("flags Node older than 22", () => {
            const broken = mutated(AZURE, /(- deployment: up[\s\S]*?)versionSpec: 22\.x/, "$1versionSpec: 20.x");
            assertFlags(azurePipelineProblems(broken), /stage Deploy, job up: uses Node 20\.x; CI runs Node >= 22/);
        });
    });
});
