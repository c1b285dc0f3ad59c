import * as assert from "assert/strict";
import { execFile } from "child_process";
import * as path from "path";
import { runExpiryCommand } from "../../tools/expiry/cli";
import { REPO_ROOT } from "../harness/runProgram";

const NOW = new Date("2027-03-01T12:00:00Z");
const SECRET = "AbC8Q~thisMustNeverBePrintedAnywhere01234";

function outputs(expiresAt: unknown): string {
    return JSON.stringify({ adoOrganization: "contoso-data", clientSecret: SECRET, clientSecretExpiresAt: expiresAt, authMode: "service_principal" });
}

function check(stdin: string, argv: string[] = []): { code: number; out: string; err: string } {
    let out = "";
    let err = "";
    const code = runExpiryCommand(argv, { stdin, stdout: (t) => (out += t), stderr: (t) => (err += t), now: () => NOW });
    assert.ok(!(out + err).includes(SECRET), "the check printed the secret");
    return { code, out, err };
}

describe("client-secret expiry check", () => {
    it("passes a fresh secret", () => {
        const result = check(outputs("2027-06-01T00:00:00Z"));
        assert.equal(result.code, 0);
        assert.match(result.out, /expires at 2027-06-01T00:00:00Z, in 91\.5 days: more than 14/);
    });

    it("fails a secret expiring within the default 14 days, saying what to do", () => {
        const result = check(outputs("2027-03-10T00:00:00Z"));
        assert.equal(result.code, 1);
        assert.match(result.err, /expires at 2027-03-10T00:00:00Z, in 8\.5 days \(threshold 14\)\. Run the scheduled rotation now \(pulumi up/);
    });

    it("takes the threshold from --days", () => {
        assert.equal(check(outputs("2027-03-10T00:00:00Z"), ["--days", "7"]).code, 0);
        assert.equal(check(outputs("2027-04-10T00:00:00Z"), ["--days", "45"]).code, 1);
    });

    it("fails an expired secret", () => {
        const result = check(outputs("2027-02-28T00:00:00Z"));
        assert.equal(result.code, 1);
        assert.match(result.err, /expired at 2027-02-28T00:00:00Z/);
    });

    it("fails with status 2 when the output is missing", () => {
        const result = check(JSON.stringify({ adoOrganization: "contoso-data", clientSecret: SECRET }));
        assert.equal(result.code, 2);
        assert.match(result.err, /no clientSecretExpiresAt output/);
    });

    it("fails with status 2 on malformed input, without echoing it", () => {
        const notJson = check(`{"clientSecret": "${SECRET}", `);
        assert.equal(notJson.code, 2);
        assert.match(notJson.err, /is not JSON/);
        assert.equal(check("[]").code, 2);
        const badDate = check(outputs("next tuesday"));
        assert.equal(badDate.code, 2);
        assert.match(badDate.err, /not an RFC 3339 date-time/);
        assert.equal(check(outputs(1767225600)).code, 2);
    });

    it("refuses bad flags with status 2", () => {
        assert.equal(check(outputs("2027-06-01T00:00:00Z"), ["--days", "soon"]).code, 2);
        assert.equal(check(outputs("2027-06-01T00:00:00Z"), ["--verbose"]).code, 2);
    });

    it("reads standard input and sets the exit status as a process", async () => {
        const cli = path.join(REPO_ROOT, "dist", "tools", "expiry", "cli.js");
        const code = await new Promise<number>((resolve) => {
            const child = execFile(process.execPath, [cli, "--now", NOW.toISOString()], (error) => resolve(error ? Number(error.code) : 0));
            child.stdin!.end(outputs("2027-03-05T00:00:00Z"));
        });
        assert.equal(code, 1);
    });
});
