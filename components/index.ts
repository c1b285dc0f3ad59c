/** The program's Pulumi components, each class beside its args interface. */
export * from "./dbtAzureDevOpsApp";
export * from "./organizationAccess";
export * from "./rotatingClientSecret";
