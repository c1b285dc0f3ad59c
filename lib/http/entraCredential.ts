/**
 * Entra tokens, from @azure/identity, for the two identities the providers act as:
 * - the deploying identity (whoever runs `pulumi up`: `az login`, workload identity federation in
 *   CI, a managed identity, AZURE_CLIENT_ID/AZURE_CLIENT_SECRET...), through DefaultAzureCredential,
 *   for Microsoft Graph and Azure DevOps;
 * - the dbt app itself, with a client secret just minted, through ClientSecretCredential, to prove
 *   the secret works before anyone is handed it.
 * Both ask the authority of domain/entraEndpoints.ts. @azure/identity is required lazily: the
 * providers are serialized with their closures, and the library must load from node_modules in
 * the provider process.
 */
import { authorityHost } from "../../domain/entraEndpoints";

/** The part of @azure/identity's TokenCredential the providers use; tests inject their own. */
export interface TokenSource {
    getToken(scope: string | string[]): Promise<{ token: string; expiresOnTimestamp?: number } | null>;
}

interface IdentityModule {
    DefaultAzureCredential: new (options?: Record<string, unknown>) => TokenSource;
    ClientSecretCredential: new (tenantId: string, clientId: string, secret: string, options?: Record<string, unknown>) => TokenSource;
}

function identity(): IdentityModule {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require("@azure/identity") as IdentityModule;
}

function authorityOptions(env: NodeJS.ProcessEnv): Record<string, unknown> {
    const authority = authorityHost(env);
    return { authorityHost: authority.url, ...(authority.isTestAuthority ? { disableInstanceDiscovery: true } : {}) };
}

/** The deploying identity, however it signed in. */
export function deployerCredential(env: NodeJS.ProcessEnv = process.env): TokenSource {
    return new (identity().DefaultAzureCredential)(authorityOptions(env));
}

/**
 * The app with one client secret. A new credential object each time: msal caches a token per
 * object, and a cached answer would prove nothing about the secret.
 */
export function appSecretCredential(tenantId: string, clientId: string, secret: string, env: NodeJS.ProcessEnv = process.env): TokenSource {
    return new (identity().ClientSecretCredential)(tenantId, clientId, secret, authorityOptions(env));
}

/** The first line of an @azure/identity error (its later lines list every credential it tried). */
export function credentialErrorText(error: unknown): string {
    return String((error as Error)?.message ?? error).split("\n")[0];
}
