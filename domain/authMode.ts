/** How dbt Cloud authenticates to Azure DevOps; the values are dbt Cloud's API spelling. */
export const AUTH_MODES = ["service_principal", "service_user"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
