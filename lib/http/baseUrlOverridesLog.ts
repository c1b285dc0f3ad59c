import * as pulumi from "@pulumi/pulumi";
import { baseUrlOverridesInForce, ignoredBaseUrlOverrides } from "../../domain/baseUrlOverride";
import { entraOverridesInForce } from "../../domain/entraEndpoints";

export type OverrideLogSeverity = "info" | "warning";

/**
 * Logs the API-host overrides (AZDO_*_BASE_URL, DBT_CLOUD_HOST_URL, AZURE_GRAPH_BASE_URL, and Entra's
 * AZURE_AUTHORITY_HOST when it is not Microsoft's public one) of this
 * run: each one honoured (only under the test switch DBT_ADO_TEST_OVERRIDES=1) as information, since
 * the providers, started by the engine with the same environment, send their calls there; each one
 * set without the switch as a warning that it is ignored, and why. A bad honoured one (not https, or
 * http to anything but the local machine) fails the run before anything is declared.
 */
export function logBaseUrlOverrides(
    env: Record<string, string | undefined>,
    log: (line: string, severity: OverrideLogSeverity) => void = (line, severity) => (severity === "warning" ? pulumi.log.warn(line) : pulumi.log.info(line)),
): void {
    let lines: string[];
    try {
        lines = [...baseUrlOverridesInForce(env), ...entraOverridesInForce(env)];
    } catch (error) {
        throw new pulumi.RunError((error as Error).message);
    }
    ignoredBaseUrlOverrides(env).forEach((line) => log(line, "warning"));
    lines.forEach((line) => log(line, "info"));
}
