/** The program's Pulumi components: each class beside its args interface. */
export * from "./dbtAzureDevOpsApp";
export * from "./dbtAzureDevOpsAppArgs";
export * from "./organizationAccess";
export * from "./organizationAccessArgs";
export * from "./rotatingClientSecret";
