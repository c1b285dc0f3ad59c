import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { runPlanCommand } from "../../tools/plan/cli";
import { readProjectFile } from "../../tools/plan/stackFiles";
import { REPO_ROOT } from "../harness/runProgram";

/** A throwaway project: the real Pulumi.yaml, and a stack file holding `stackFile` as its YAML document. */
export function projectWith(stack: string, stackFile: unknown): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-gate-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const { stackDir } = readProjectFile(dir);
    fs.mkdirSync(stackDir, { recursive: true });
    fs.writeFileSync(path.join(stackDir, `Pulumi.${stack}.yaml`), YAML.stringify(stackFile));
    return dir;
}


/**
 * An environment without the developer's Pulumi settings: a PULUMI_HOME of its own (empty), so a
 * `pulumi stack select` made on this machine does not change which stack a test plans.
 */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { PULUMI_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "dbt-plan-home-")), ...extra };
}

/** The plan command run in-process, with what it printed. */
export async function plan(argv: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = isolatedEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runPlanCommand(argv, { cwd, env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}
