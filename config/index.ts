/** The stack's configuration: parsers, cross-key rules, and the one error that lists every problem. */
export * from "./configError";
export * from "./readStackConfig";
export * from "./stackConfigSchema";
