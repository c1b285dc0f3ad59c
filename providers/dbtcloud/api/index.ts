/** dbt Cloud REST calls the provider makes. */
export * from "./azureAdApplications";
