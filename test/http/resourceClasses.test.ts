import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

describe("resource classes under Pulumi mocks (child process)", () => {
    it("construct, expose their outputs, default the access level and keep the client secret secret", function () {
        // Loading @pulumi/pulumi in a fresh process takes 3 s on an idle machine and past 15 s on a
        // loaded one (the workflow tests run this suite inside act's checks jobs): the bound only stops a hang.
        this.timeout(90_000);
        const script = path.join(__dirname, "resourceClassesUnderMocks.js");
        const output = execFileSync(process.execPath, [script], { encoding: "utf8", timeout: 75_000 });
        const seen = JSON.parse(output.trim().split("\n").pop()!);
        assert.deepStrictEqual(seen, {
            mode: "verify",
            accessLevel: "express",
            identityDescriptor: "Microsoft.X;y",
            servicePrincipal: { subjectDescriptor: "aadsp.x", identityDescriptor: "Microsoft.X;y" },
            applicationId: 501,
            secretIsSecret: true,
        });
    });
});
