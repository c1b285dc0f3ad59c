/** The rules of the domain, each defined once: plain values and functions, no Pulumi, no I/O. */
export * from "./accessLevel";
export * from "./authMode";
export * from "./dbtCloudHost";
export * from "./directoryMode";
export * from "./guid";
export * from "./organizationName";
export * from "./parseResult";
export * from "./projectAccess";
export * from "./projectName";
export * from "./redirectUris";
export * from "./rotationSchedule";
export * from "./wellKnownIds";
