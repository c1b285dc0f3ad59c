/**
 * `npm run doctor -- --stack NAME [--json]`: a read-only, live preflight of one stack with the
 * user's own credentials. Exit status: 0 nothing will fail (a `!` may remain: something it could
 * not tell, or advice), 1 something will fail, 2 bad usage.
 */
import * as fs from "fs";
import * as path from "path";
import { createRedactor } from "../../lib/http/redact";
import { FlagKinds, parseFlags } from "../cliFlags";
import { StackFileError } from "../plan/stackFiles";
import { projectRoot } from "../projectRoot";
import { CHECKS, CheckSpec, Status, SYMBOLS } from "./checks";
import { DoctorReport, runDoctor } from "./runDoctor";

const USAGE = "Usage: npm run doctor -- --stack NAME [--json]   (--stack=NAME works too; --help)";

function wrap(text: string, indent: string, width = 100): string {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(/\s+/)) {
        if (line && (indent + line + " " + word).length > width) {
            lines.push(indent + line);
            line = word;
        } else {
            line = line ? `${line} ${word}` : word;
        }
    }
    return [...lines, indent + line].join("\n");
}

export const DOCTOR_FLAGS: FlagKinds = { stack: "value", json: "switch" };

export function helpText(): string {
    const areas = [...new Set(CHECKS.map((c) => c.area))];
    const checks = areas.map((area) => [
        area,
        ...(CHECKS as readonly CheckSpec[]).filter((c) => c.area === area).map((c) => `  ${c.id}: ${c.title}\n${wrap(c.help, "      ")}`),
    ].join("\n")).join("\n\n");
    return `${USAGE}

A read-only, live preflight of one stack, run with your own credentials, that names everything the
first pulumi preview or up would fail on, each with the exact fix. Run it after configuring the stack
(stacks/Pulumi.NAME.yaml) and signing in, before the first pulumi preview against a tenant, and again
whenever a run fails for a reason you do not recognise. It only reads: no Graph, Azure DevOps, dbt Cloud
or Pulumi state is changed. Checks run concurrently; each prints ✓ (will work), ✗ (will fail; the fix
follows) or ! (could not tell, or advice).

  --stack NAME   the stack to check: stacks/Pulumi.NAME.yaml (required)
  --json         print {"stack", "at", "checks": [{"id", "area", "title", "status": "pass"|"fail"|"warn",
                 "detail", "fix"}], "notes", "summary"} instead of text

Credentials, from the environment only (as pulumi up uses them): the Entra sign-in of
DefaultAzureCredential (az login, workload identity, a managed identity, AZURE_TENANT_ID + AZURE_CLIENT_ID
+ AZURE_CLIENT_SECRET), AZDO_PERSONAL_ACCESS_TOKEN (else an Entra token for Azure DevOps), DBT_CLOUD_TOKEN,
and what your Pulumi backend and secrets provider use. A missing one is a ✗ saying how to sign in.

Exit status: 0 nothing will fail (! may remain), 1 something will fail, 2 bad usage (flags, no stack file).

Checks (docs/doctor.md explains each):

${checks}
`;
}

function symbolLine(status: Status): string {
    return SYMBOLS[status];
}

export function renderText(report: DoctorReport): string {
    const specs = new Map((CHECKS as readonly CheckSpec[]).map((c) => [c.id, c]));
    const out: string[] = [`npm run doctor: stack ${report.stack}, ${report.at}, read-only`];
    for (const note of report.notes) out.push(`Note: ${note}`);
    let area = "";
    for (const result of report.results) {
        const spec = specs.get(result.id)!;
        if (spec.area !== area) {
            area = spec.area;
            out.push("", area);
        }
        out.push(`  ${symbolLine(result.status)} ${spec.id}  ${spec.title}`);
        out.push(wrap(result.detail, "      "));
        if (result.fix && result.status !== "pass") out.push(wrap(`fix: ${result.fix}`, "      "));
    }
    const { line } = summary(report);
    out.push("", line, "");
    return out.join("\n");
}

export function summary(report: DoctorReport): { pass: number; fail: number; warn: number; exitCode: number; line: string } {
    const count = (status: Status) => report.results.filter((r) => r.status === status).length;
    const [passed, failed, warned] = [count("pass"), count("fail"), count("warn")];
    const exitCode = failed > 0 ? 1 : 0;
    const verdict = failed > 0 ? "something will fail" : warned > 0 ? "nothing will fail; see the ! lines" : "all clear";
    return { pass: passed, fail: failed, warn: warned, exitCode, line: `doctor: ${report.results.length} checks, ${passed} ✓, ${failed} ✗, ${warned} ! (exit ${exitCode}: ${verdict})` };
}

export function renderJson(report: DoctorReport): string {
    const specs = new Map((CHECKS as readonly CheckSpec[]).map((c) => [c.id, c]));
    const { pass: passed, fail: failed, warn: warned, exitCode } = summary(report);
    return `${JSON.stringify({
        stack: report.stack,
        at: report.at,
        checks: report.results.map((r) => ({ id: r.id, area: specs.get(r.id)!.area, title: specs.get(r.id)!.title, status: r.status, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}) })),
        notes: report.notes,
        summary: { pass: passed, fail: failed, warn: warned, exitCode },
    }, null, 2)}\n`;
}

export interface DoctorIo {
    cwd: string;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    now?: () => Date;
    /** Tests: the Entra sign-in to use. */
    credential?: import("../../lib/http/entraCredential").TokenSource;
}

/** Every credential value in the environment: nothing the doctor prints may hold one. */
const SECRET_VARIABLES = ["DBT_CLOUD_TOKEN", "AZDO_PERSONAL_ACCESS_TOKEN", "AZURE_CLIENT_SECRET", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "ARM_CLIENT_SECRET"];

export async function runDoctorCommand(argv: string[], io: DoctorIo): Promise<number> {
    const { values, help, problems } = parseFlags(argv, DOCTOR_FLAGS);
    if (help) {
        io.stdout(helpText());
        return 0;
    }
    if (typeof values.stack !== "string" && problems.length === 0) {
        problems.push("--stack is required: name the stack to check, e.g. --stack dev.");
    }
    if (problems.length > 0) {
        io.stderr(`${[...problems, USAGE].join("\n")}\n`);
        return 2;
    }
    let root: string;
    try {
        root = fs.existsSync(path.join(io.cwd, "Pulumi.yaml")) ? io.cwd : projectRoot();
    } catch {
        io.stderr(`No Pulumi.yaml in ${io.cwd} or above: run npm run doctor from the project's folder.\n`);
        return 2;
    }
    let report: DoctorReport;
    try {
        report = await runDoctor({ root, stack: values.stack as string, at: (io.now ?? (() => new Date()))(), credential: io.credential });
    } catch (error) {
        if (error instanceof StackFileError) {
            io.stderr(`${error.message}\n`);
            return 2;
        }
        io.stderr(`npm run doctor failed: ${String((error as Error)?.message ?? error).split("\n")[0]}${process.env.DEBUG ? `\n${(error as Error)?.stack}` : " (set DEBUG=1 for the stack trace)"}\n`);
        return 1;
    }
    const redact = createRedactor([...SECRET_VARIABLES.map((name) => process.env[name]), ...report.secrets]);
    io.stdout(redact(values.json === true ? renderJson(report) : renderText(report)));
    return summary(report).exitCode;
}

if (require.main === module) {
    runDoctorCommand(process.argv.slice(2), {
        cwd: process.cwd(),
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
    }).then((code) => {
        process.exitCode = code;
    });
}
