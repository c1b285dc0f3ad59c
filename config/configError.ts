import * as pulumi from "@pulumi/pulumi";

/**
 * Every problem found in a stack's configuration, reported at once. A RunError, so `pulumi up`
 * prints the list without a stack trace, and before any resource is registered.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        public readonly stack: string,
        public readonly problems: string[],
    ) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
    }
}

function formatProblems(stack: string, problems: string[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [`Stack "${stack}" has invalid configuration (${count}):`, ...problems.map((p) => `  - ${p}`)].join("\n");
}
