/**
 * How the Azure DevOps providers authenticate: a PAT from AZDO_PERSONAL_ACCESS_TOKEN
 * (the azuredevops Terraform/Pulumi provider's convention), or else an Entra access token
 * for the Azure DevOps resource from @azure/identity's DefaultAzureCredential
 * (az login, managed identity, workload identity, AZURE_CLIENT_ID/SECRET, ...).
 * Never an input: credentials must not land in Pulumi state.
 */
import { AZURE_DEVOPS_APP_ID } from "../../domain/wellKnownIds";
import { deployerCredential, TokenSource } from "./entraCredential";
import { makeHttpError } from "./httpError";
import { createRedactor } from "./redact";

/** The Azure DevOps first-party application; "/.default" asks for its configured permissions. */
export const AZURE_DEVOPS_SCOPE = `${AZURE_DEVOPS_APP_ID}/.default`;

export interface AzureDevOpsCredentials {
    /** Value for the Authorization header. */
    authorization: string;
    /** Values the redactor must strip. */
    secrets: string[];
    /** Where it came from, for 401/403 messages. */
    source: string;
}

export type { TokenSource };
export type TokenSourceFactory = () => TokenSource;

function defaultTokenSource(): TokenSource {
    return deployerCredential();
}

export const HOW_TO_GET_AZURE_DEVOPS_CREDENTIALS =
    "Set AZDO_PERSONAL_ACCESS_TOKEN to a personal access token created at https://dev.azure.com/<organization>/_usersSettings/tokens " +
    "for this organization only, with the scopes listed in the README (Member Entitlement Management: Read & write; Graph: Read & manage; " +
    "Identity: Read; Project and Team: Read; Security: Manage), or sign in so that DefaultAzureCredential can get an Entra token for " +
    `${AZURE_DEVOPS_SCOPE} (for example \`az login\`, a managed identity, or AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET).`;

export async function azureDevOpsCredentials(
    env: NodeJS.ProcessEnv = process.env,
    tokenSourceFactory: TokenSourceFactory = defaultTokenSource,
): Promise<AzureDevOpsCredentials> {
    const pat = env.AZDO_PERSONAL_ACCESS_TOKEN?.trim();
    if (pat) {
        const encoded = Buffer.from(`:${pat}`, "utf8").toString("base64");
        return { authorization: `Basic ${encoded}`, secrets: [pat, encoded], source: "AZDO_PERSONAL_ACCESS_TOKEN" };
    }
    let reason: string;
    try {
        const token = await tokenSourceFactory().getToken(AZURE_DEVOPS_SCOPE);
        if (token && token.token) {
            return { authorization: `Bearer ${token.token}`, secrets: [token.token], source: "an Entra token from DefaultAzureCredential" };
        }
        reason = "DefaultAzureCredential returned no token";
    } catch (error) {
        reason = createRedactor([])(String((error as Error)?.message ?? error)).split("\n")[0];
    }
    throw makeHttpError(`No Azure DevOps credential: AZDO_PERSONAL_ACCESS_TOKEN is not set and DefaultAzureCredential failed (${reason}). ${HOW_TO_GET_AZURE_DEVOPS_CREDENTIALS}`, {
        kind: "credentials",
        endpoint: "Azure DevOps",
    });
}
