/**
 * Azure DevOps reads can lag its writes: a security ACE, a group membership or an entitlement
 * just written (or removed) may read back as before for a moment. terraform-provider-azuredevops
 * polls after writing for the same reason (azuredevops/internal/service/permissions/utils/
 * securityHelper.go, SetPrincipalPermissions: a retry.StateChangeConf that re-reads the
 * principal's permissions until they match what was set). These providers poll too, bounded,
 * before recording a write, so a destroy followed at once by a create never mistakes
 * just-removed bits for pre-existing ones.
 */
import { EnvKnob, envInteger } from "../../../lib/http/settings";

/** DBT_ADO_READ_ATTEMPTS / DBT_ADO_READ_PAUSE_MS: how long to wait for a write to read back. */
export const READ_LAG_KNOBS = {
    attempts: { name: "DBT_ADO_READ_ATTEMPTS", fallback: 10, min: 1, max: 100, unit: "attempts" },
    pauseMs: { name: "DBT_ADO_READ_PAUSE_MS", fallback: 2_000, min: 0, max: 60_000, unit: "ms" },
} satisfies Record<string, EnvKnob>;

export interface ReadLagPolling {
    attempts: number;
    pauseMs: number;
}

/** Read (and validated) before any write, so a typo fails before anything changes. */
export function readLagPollingFromEnv(): ReadLagPolling {
    return { attempts: envInteger(READ_LAG_KNOBS.attempts), pauseMs: envInteger(READ_LAG_KNOBS.pauseMs) };
}

/**
 * Reads until `done` holds of what was read, at most `polling.attempts` times; returns the last
 * read either way, so the caller decides how to report a write that never showed.
 */
export async function readUntil<T>(polling: ReadLagPolling, read: () => Promise<T>, done: (value: T) => boolean): Promise<{ value: T; settled: boolean }> {
    for (let attempt = 1; ; attempt++) {
        const value = await read();
        if (done(value)) {
            return { value, settled: true };
        }
        if (attempt >= polling.attempts) {
            return { value, settled: false };
        }
        await new Promise((resolve) => setTimeout(resolve, polling.pauseMs));
    }
}

/** The message for a write that did not read back in time. */
export function notVisibleYet(what: string, polling: ReadLagPolling): string {
    return `${what}, but Azure DevOps still did not show it after ${polling.attempts} reads ${polling.pauseMs} ms apart ` +
        `(its reads can lag its writes). Re-run \`pulumi up\` in a minute, or raise ${READ_LAG_KNOBS.attempts.name} / ${READ_LAG_KNOBS.pauseMs.name}.`;
}
