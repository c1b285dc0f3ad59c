/** Dynamic resources (with their providers) for services that have no Pulumi provider here. */
export * from "./azuredevops";
export * from "./dbtcloud";
