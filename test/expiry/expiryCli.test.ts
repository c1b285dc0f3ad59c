/** Issue 11: the expiry check's flags, its help, a terminal on stdin, and the offline plan's JSON as input. */
import * as assert from "assert/strict";
import { runExpiryCommand, usageForTerminal } from "../../tools/expiry/cli";
import { runPlanCommand } from "../../tools/plan/cli";
import { REPO_ROOT } from "../harness/runProgram";

const NOW = new Date("2027-03-01T12:00:00Z");
const OUTPUTS = JSON.stringify({ clientSecretExpiresAt: "2027-06-01T00:00:00Z" });

function check(stdin: string, argv: string[] = []): { code: number; out: string; err: string } {
    let out = "";
    let err = "";
    const code = runExpiryCommand(argv, { stdin, stdout: (t) => (out += t), stderr: (t) => (err += t), now: () => NOW });
    return { code, out, err };
}

describe("check-expiry command line (issue 11)", () => {
    it("prints its help with --help and exits 0", () => {
        const result = check("", ["--help"]);
        assert.equal(result.code, 0);
        assert.match(result.out, /^Usage: pulumi stack output --json \| npm run -s check-expiry/);
        assert.match(result.out, /Exit status: 0 fresh, 1 expiring or expired, 2 /);
    });

    it("accepts --flag=value", () => {
        assert.equal(check(OUTPUTS, ["--days=200", "--now=2027-03-01"]).code, 1);
        assert.equal(check(OUTPUTS, ["--days=10", "--now=2027-03-01T00:00:00Z"]).code, 0);
    });

    it("refuses a repeated flag", () => {
        const result = check(OUTPUTS, ["--days", "10", "--days=20"]);
        assert.equal(result.code, 2);
        assert.match(result.err, /--days is given more than once/);
    });

    it("is as strict about --now as the plan is about --at: impossible or vague dates are refused", () => {
        for (const now of ["2027-02-30", "2027-03-01T24:00Z", "2027-03-01T12:60:00Z", "March 1 2027", "2027-03-01T12:00:00"]) {
            const result = check(OUTPUTS, ["--now", now]);
            assert.equal(result.code, 2, now);
            assert.match(result.err, /^--now "/, now);
        }
    });

    it("prints its usage instead of waiting when standard input is a terminal", () => {
        const terminal = usageForTerminal([], true);
        assert.ok(terminal);
        assert.equal(terminal.code, 2);
        assert.match(terminal.text, /standard input is a terminal[\s\S]*Usage:/);
        assert.equal(usageForTerminal([], false), undefined, "piped input is read");
        assert.equal(usageForTerminal(["--help"], true), undefined, "--help prints the help instead");
    });

    it("reads the offline plan's JSON (its outputs) as well as pulumi stack output --json", async function () {
        this.timeout(30_000);
        let planJson = "";
        const code = await runPlanCommand(["--json", "--at", "2027-03-01T12:00:00Z"], { cwd: REPO_ROOT, stdout: (t) => (planJson += t), stderr: () => undefined });
        assert.equal(code, 0);
        const result = check(planJson, ["--days", "14"]);
        assert.equal(result.code, 0, result.err);
        assert.match(result.out, /^The client secret expires at 2027-06-28T00:00:00Z/);
        assert.equal(check(planJson, ["--days", "300"]).code, 1);
    });
});
