/**
 * `@pulumi/pulumi` loads the TypeScript compiler (via its `typescript-shim`) as soon as it is
 * imported, for serializing dynamic providers' closures: about 400 ms, a third of the plan's time.
 * The plan process never serializes them (see offlinePlan's `serializeProviders`), so in that
 * process the shim is pre-registered as a stand-in that loads the real compiler on first use.
 * Behaviour is unchanged if anything does use it; only the plan's own entry points install it,
 * and only when imported before `@pulumi/pulumi` (cli.ts imports this module first).
 */
import * as path from "path";

type Loaded = Record<PropertyKey, unknown>;

function installLazyTypeScript(): void {
    let shim: string;
    try {
        shim = require.resolve("@pulumi/pulumi/typescript-shim");
    } catch {
        return; // another @pulumi/pulumi layout: load it the normal way
    }
    if (require.cache[shim]) {
        return;
    }
    let real: Loaded | undefined;
    const load = (): Loaded => {
        if (!real) {
            delete require.cache[shim];
            real = require(shim) as Loaded;
        }
        return real;
    };
    const stand = new Proxy({} as Loaded, {
        get: (_target, key) => load()[key],
        has: (_target, key) => key in load(),
    });
    const Module = require("module") as { new (id: string, parent?: NodeModule): NodeModule };
    const entry = new Module(shim, module);
    Object.assign(entry, { filename: shim, loaded: true, exports: stand, paths: [path.dirname(shim)] });
    require.cache[shim] = entry;
}

const main = require.main?.filename ?? "";
if (/[\\/]tools[\\/]plan[\\/](cli|start)\.js$/.test(main)) {
    installLazyTypeScript();
}
