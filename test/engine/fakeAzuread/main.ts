/**
 * Entry point of the fake `azuread` provider plugin (dist/test/engine/fakeAzuread/main.js).
 * `main()` serves the ResourceProvider gRPC service on 127.0.0.1 and prints only the port on
 * stdout, which is the plugin handshake the engine reads. Nothing else may write to stdout.
 * install.ts writes the `pulumi-resource-azuread` launcher that runs this file.
 */
import { main } from "@pulumi/pulumi/provider";
import { FakeAzureadProvider } from "./provider";

main(new FakeAzureadProvider(), process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`fake azuread: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
});
