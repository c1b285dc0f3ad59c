/**
 * Installs the fake `azuread` provider into a PULUMI_HOME so that the engine loads it instead of
 * downloading the real one. Rules, from pulumi/pulumi v3.276.0 sdk/go/common/workspace/plugins.go:
 *  - the plugin cache is `$PULUMI_HOME/plugins`; a resource plugin lives in the directory
 *    `resource-<name>-v<version>` (tryPlugin / PluginDescriptor.DirPath);
 *  - it counts as installed when that directory exists and `<dir>.partial` does not
 *    (HasPlugin, GetPluginsFromDir); `<dir>.lock` only serialises installers;
 *  - the executable is `pulumi-resource-<name>` inside it (getPluginPath). When an executable
 *    exists it is run directly (pkg/resource/plugin/plugin.go newPlugin); `PulumiPlugin.yaml`
 *    is only read when it does not, so none is written.
 * A `pulumi-resource-azuread` on PATH would win over the cache ("ambient" plugins) unless
 * PULUMI_IGNORE_AMBIENT_PLUGINS is set.
 */
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_VERSION, VERSION_ENV } from "./provider";
import { TENANT_FILE_ENV } from "./tenant";

export interface InstallFakeAzureadOptions {
    /** Node binary the launcher runs; default: the one running this code. */
    node?: string;
    /** Compiled entry point; default: main.js beside this file, or dist/test/engine/fakeAzuread/main.js. */
    mainJs?: string;
    /** Tenant file the plugin uses when FAKE_AZUREAD_TENANT_FILE is not set in its environment. */
    tenantFile?: string;
}

export interface InstalledPlugin {
    dir: string;
    executable: string;
    mainJs: string;
}

/** POSIX shell single-quoting. */
function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

function defaultMainJs(): string {
    const beside = path.join(__dirname, "main.js");
    if (fs.existsSync(beside)) {
        return beside;
    }
    // Running from the TypeScript sources (ts-node): use the build output.
    const repoRoot = path.resolve(__dirname, "..", "..", "..");
    return path.join(repoRoot, "dist", "test", "engine", "fakeAzuread", "main.js");
}

export function installFakeAzuread(
    pulumiHome: string,
    version = DEFAULT_VERSION,
    options: InstallFakeAzureadOptions = {},
): InstalledPlugin {
    const mainJs = path.resolve(options.mainJs ?? defaultMainJs());
    if (!fs.existsSync(mainJs)) {
        throw new Error(`fake azuread: ${mainJs} does not exist; run \`npm run build\` first`);
    }
    const node = options.node ?? process.execPath;
    const pluginsDir = path.join(path.resolve(pulumiHome), "plugins");
    const dir = path.join(pluginsDir, `resource-azuread-v${version}`);
    fs.mkdirSync(dir, { recursive: true });

    const lines = [
        "#!/bin/sh",
        "# Fake azuread provider for engine tests (test/engine/fakeAzuread): written by install.ts.",
        `${VERSION_ENV}=${shellQuote(version)}`,
        `export ${VERSION_ENV}`,
    ];
    if (options.tenantFile) {
        lines.push(`: "\${${TENANT_FILE_ENV}:=${path.resolve(options.tenantFile).replace(/["\\$`]/g, "\\$&")}}"`);
        lines.push(`export ${TENANT_FILE_ENV}`);
    }
    lines.push(`exec ${shellQuote(node)} ${shellQuote(mainJs)} "$@"`, "");
    const executable = path.join(dir, "pulumi-resource-azuread");
    fs.writeFileSync(executable, lines.join("\n"), { mode: 0o755 });
    fs.chmodSync(executable, 0o755);

    // Installed = directory present and no `.partial` marker beside it.
    fs.rmSync(`${dir}.partial`, { force: true });
    return { dir, executable, mainJs };
}
