/** The HTTP layer every provider calls through: retries, timeouts, auth from the environment, redaction. */
export * from "./azureDevOpsAuth";
export * from "./backoff";
export * from "./dbtCloudAuth";
export * from "./httpError";
export * from "./redact";
export * from "./request";
export * from "./retryAfter";
export * from "./settings";
