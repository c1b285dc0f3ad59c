/**
 * Proof that a client secret works before anyone is handed it. A new Entra secret is not usable at
 * once (4-18 s reported in microsoftgraph/microsoft-graph-docs#17966), and even once it works,
 * requests can fail now and then for a while: HashiCorp Vault's Azure secrets engine therefore
 * waits for 8 token requests in a row, one second apart, to succeed, within 300 s, and users still
 * report intermittent AADSTS7000215 (terraform-provider-vault#2079). Here the request is the one
 * dbt Cloud's service principal mode depends on: client credentials, in the app's home tenant, for
 * Azure DevOps (`499b84ac-1321-427f-aa17-267ca6975798/.default`).
 */
import { explainKnownError } from "../../domain/knownErrors";
import { AZURE_DEVOPS_APP_ID } from "../../domain/wellKnownIds";
import { appSecretCredential, credentialErrorText, TokenSource } from "../../lib/http/entraCredential";
import { EnvKnob, envInteger } from "../../lib/http/settings";

export const AZURE_DEVOPS_DEFAULT_SCOPE = `${AZURE_DEVOPS_APP_ID}/.default`;

/** Pause between token requests (DBT_ADO_READINESS_PAUSE_MS, for tests; Vault's one second by default). */
export const READINESS_PAUSE_KNOB: EnvKnob = { name: "DBT_ADO_READINESS_PAUSE_MS", fallback: 1_000, min: 0, max: 60_000, unit: "ms" };

export interface ReadinessSettings {
    /** Token requests that must succeed in a row. */
    successes: number;
    /** Give up after this long. */
    timeoutSeconds: number;
}

export interface ReadinessHooks {
    credential: (secret: string) => TokenSource;
    sleep: (ms: number) => Promise<void>;
    now: () => number;
}

export function realReadinessHooks(tenantId: string, clientId: string): ReadinessHooks {
    return {
        credential: (secret) => appSecretCredential(tenantId, clientId, secret),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => Date.now(),
    };
}

export interface ReadinessProof {
    requests: number;
    elapsedMs: number;
}

/**
 * Asks for a token with `secret` until `settings.successes` requests in a row succeed; a failure
 * starts the count again. Throws, naming the wait it gave up after and Entra's last answer
 * explained, when that does not happen within `settings.timeoutSeconds`.
 */
export async function proveSecret(secret: string, settings: ReadinessSettings, hooks: ReadinessHooks): Promise<ReadinessProof> {
    const pauseMs = envInteger(READINESS_PAUSE_KNOB);
    const started = hooks.now();
    const deadline = started + settings.timeoutSeconds * 1000;
    let streak = 0;
    let requests = 0;
    let lastFailure = "";
    for (;;) {
        requests++;
        try {
            const token = await hooks.credential(secret).getToken(AZURE_DEVOPS_DEFAULT_SCOPE);
            if (!token?.token) {
                throw new Error("no token was returned");
            }
            streak++;
        } catch (error) {
            streak = 0;
            // The secret never appears in @azure/identity's messages; stripped anyway by the caller's redactor.
            lastFailure = credentialErrorText(error);
        }
        if (streak >= settings.successes) {
            return { requests, elapsedMs: hooks.now() - started };
        }
        if (hooks.now() + pauseMs > deadline) {
            const last = lastFailure ? ` The last failure: ${lastFailure}${explainKnownError(lastFailure) ? ` (${explainKnownError(lastFailure)})` : ""}` : "";
            throw new Error(`The new client secret did not obtain an Azure DevOps token ${settings.successes} times in a row within ` +
                `${settings.timeoutSeconds} s (secretReadinessTimeoutSeconds); ${requests} requests were made.${last} ` +
                "Entra usually accepts a new secret within a minute; re-run later, or raise secretReadinessTimeoutSeconds.");
        }
        await hooks.sleep(pauseMs);
    }
}
