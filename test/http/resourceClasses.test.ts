import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

describe("resource classes under Pulumi mocks (child process)", function () {
    // A cold Node loading the Pulumi SDK: seconds, and many more on a loaded machine.
    this.timeout(90_000);

    it("construct, expose their outputs, and default the access level", () => {
        const script = path.join(__dirname, "resourceClassesUnderMocks.js");
        const output = execFileSync(process.execPath, [script], { encoding: "utf8", timeout: 80_000 });
        const seen = JSON.parse(output.trim().split("\n").pop()!);
        assert.deepStrictEqual(seen, {
            mode: "verify",
            accessLevel: "express",
            identityDescriptor: "Microsoft.X;y",
            servicePrincipal: { subjectDescriptor: "aadsp.x", identityDescriptor: "Microsoft.X;y" },
            keyId: "k-1",
        });
    });
});
