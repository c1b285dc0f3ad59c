/** Azure DevOps REST calls the providers make, one module per API area. */
export * from "./client";
export * from "./connectionData";
export * from "./endpoints";
export * from "./entitlements";
export * from "./grants";
export * from "./graph";
export * from "./projects";
export * from "./security";
