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


/** The plan command run in-process, with what it printed. */
export async function plan(argv: string[], cwd = REPO_ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runPlanCommand(argv, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}
