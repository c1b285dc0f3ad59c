import * as pulumi from "@pulumi/pulumi";
import { baseUrlOverridesInForce } from "../../domain/baseUrlOverride";
import { entraOverridesInForce } from "../../domain/entraEndpoints";

/**
 * Logs each API-host override (AZDO_*_BASE_URL, DBT_CLOUD_HOST_URL, AZURE_AUTHORITY_HOST, AZURE_GRAPH_BASE_URL) in force for this run: the
 * providers, started by the engine with the same environment, send their calls there. A bad one
 * (not https, or http to anything but the local machine) fails the run before anything is declared.
 */
export function logBaseUrlOverrides(env: Record<string, string | undefined>, log: (line: string) => void = (line) => pulumi.log.info(line)): void {
    let lines: string[];
    try {
        lines = [...baseUrlOverridesInForce(env), ...entraOverridesInForce(env)];
    } catch (error) {
        throw new pulumi.RunError((error as Error).message);
    }
    lines.forEach((line) => log(line));
}
