/**
 * How the dbt Cloud provider authenticates: DBT_CLOUD_TOKEN only (the dbtcloud provider's
 * convention), sent as "Authorization: Token <token>" as terraform-provider-dbtcloud does.
 */
import { makeHttpError } from "./httpError";

export interface DbtCloudCredentials {
    authorization: string;
    secrets: string[];
    source: string;
}

export const HOW_TO_GET_DBT_CLOUD_TOKEN =
    "Create a service token in dbt Cloud (Account settings > Service tokens > New token) with the Account Admin permission set " +
    "(Azure DevOps integration settings are account-level; a narrower set has not been verified), copy it once, and export it as " +
    "DBT_CLOUD_TOKEN for the `pulumi up` process. A personal access token of an account admin also works.";

export function dbtCloudCredentials(env: NodeJS.ProcessEnv = process.env): DbtCloudCredentials {
    const token = env.DBT_CLOUD_TOKEN?.trim();
    if (!token) {
        throw makeHttpError(`DBT_CLOUD_TOKEN is not set. ${HOW_TO_GET_DBT_CLOUD_TOKEN}`, { kind: "credentials", endpoint: "dbt Cloud" });
    }
    return { authorization: `Token ${token}`, secrets: [token], source: "DBT_CLOUD_TOKEN" };
}
