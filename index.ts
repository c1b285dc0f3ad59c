/**
 * Pulumi's entry point. The Node.js runtime calls an exported function and makes what it returns
 * the stack outputs; `export =` (not `export default`) is what a CommonJS program must use for
 * the runtime to see a function.
 */
import { readStackConfig } from "./config";
import { buildProgram } from "./program";

export = () => buildProgram(readStackConfig(), new Date());
