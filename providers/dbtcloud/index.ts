/** dbt Cloud dynamic resource and its provider; its REST calls are in ./api. */
export * from "./azureAdApplication";
