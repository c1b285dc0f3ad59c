/**
 * Inputs as the policy pack sees them during a preview: wrapped in @pulumi/policy's own
 * unknown-checking proxy, with the values not known yet as its sentinels. The module is the pack
 * runtime's (node_modules/@pulumi/policy/proxy.js); it is not in the package's typings.
 */
import { PlannedResource } from "../../policy/evaluate";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(value: T): T; unknownStringValue: string; unknownArrayValue: string; unknownObjectValue: string };

/** How the engine marks a value not known yet, by type. */
export const NOT_KNOWN_YET = { string: proxy.unknownStringValue, array: proxy.unknownArrayValue, object: proxy.unknownObjectValue };

/** `resource` with its inputs behind the pack's preview proxy. */
export function inPreview(resource: PlannedResource): PlannedResource {
    return { ...resource, inputs: proxy.unknownCheckingProxy(resource.inputs) };
}
