/** dbt Cloud serves its API under the access URL of each region, cell or single-tenant host. */
export function dbtCloudApiBaseUrl(accessHost: string): string {
    return `https://${accessHost}/api`;
}
