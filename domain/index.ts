/** The rules of the domain, each defined once: plain values and functions, no Pulumi, no I/O. */
export * from "./authMode";
export * from "./dbtCloudApiBaseUrl";
export * from "./dbtCloudHost";
export * from "./organizationName";
export * from "./parseResult";
export * from "./projectName";
export * from "./redirectUris";
export * from "./rotationSchedule";
export * from "./wellKnownIds";
