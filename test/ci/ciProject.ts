/**
 * A throw-away project folder for running `.ci/step` as CI does: its own Pulumi.yaml, stacks/,
 * package.json and `.ci/stacks.yml`, with `.ci/step` linked from this repository (so the steps
 * come from here, as in the engine tests' workspaces).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../tools/projectRoot";

export const REPO = projectRoot(__dirname);

export const STACKS_YML = (stacks: string, extra = "") => `variables:
  - name: ciStacks
    value: ${stacks}
  - name: ciStateBackend
    value: azblob://pulumi-state
  - name: ciStateStorageAccount
    value: stdbtazuredevopsstate
  - name: ciSecretsProvider
    value: azurekeyvault://kv.vault.azure.net/keys/k
  - name: ciExpiryWarningDays
    value: 14
${extra}`;

export interface CiProject {
    dir: string;
    out: string;
    run(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }>;
    dispose(): void;
}

export function ciProject(options: { stacks?: Record<string, string>; stacksYml?: string } = {}): CiProject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-project-"));
    fs.mkdirSync(path.join(dir, ".ci"));
    fs.symlinkSync(path.join(REPO, ".ci", "step"), path.join(dir, ".ci", "step"));
    fs.writeFileSync(path.join(dir, ".ci", "stacks.yml"), options.stacksYml ?? STACKS_YML("prod"));
    fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(path.join(REPO, "package.json"), path.join(dir, "package.json"));
    fs.mkdirSync(path.join(dir, "stacks"));
    for (const [stack, text] of Object.entries(options.stacks ?? { prod: "config: {}\n" })) {
        fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${stack}.yaml`), text);
    }
    const out = path.join(dir, "out");
    return {
        dir,
        out,
        run: (args, env = {}) =>
            new Promise((resolve) => {
                // A clean environment: what a runner would hand a step, plus what the test sets.
                const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, DBT_ADO_CI_OUT: out };
                const child = spawn(path.join(dir, ".ci", "step"), args, { cwd: dir, env: { ...base, ...env } });
                let stdout = "";
                let stderr = "";
                child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
                child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
                child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
            }),
        dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
