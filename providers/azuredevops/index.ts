/** Azure DevOps dynamic resources and their providers; their REST calls are in ./api. */
export * from "./directoryConnection";
export * from "./projectPermissions";
export * from "./servicePrincipalEntitlement";
