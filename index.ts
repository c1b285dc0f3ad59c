/**
 * Pulumi's entry point. The Node.js runtime calls an exported function and makes what it returns
 * the stack outputs; `export =` (not `export default`) is what a CommonJS program must use for
 * the runtime to see a function.
 */
import { readStackConfig } from "./config";
import { logBaseUrlOverrides } from "./lib/http/baseUrlOverridesLog";
import { buildProgram } from "./program";

export = () => {
    logBaseUrlOverrides(process.env);
    // One instant for the whole run: the config's time-bound rules and the rotation schedule.
    const at = new Date();
    return buildProgram(readStackConfig(at), at);
};
