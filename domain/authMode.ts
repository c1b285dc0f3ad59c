/**
 * How dbt Cloud authenticates to Azure DevOps; the values are dbt Cloud's API spelling
 * (`azure_service_authentication_method`). service_user is deprecated by dbt, and needs a
 * second redirect URI.
 */
export const AUTH_MODES = ["service_principal", "service_user"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
