import * as pulumi from "@pulumi/pulumi";
import { echoValuesIn } from "./echo";

/**
 * Every problem found in a stack's configuration, reported at once. A RunError, so `pulumi up`
 * prints the list without a stack trace, and before any resource is registered. Values quoted in
 * a problem are echoed cut to a sane length, without any `user:password@`.
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
    return [`Stack "${stack}" has invalid configuration (${count}):`, ...problems.map((p) => `  - ${echoValuesIn(p)}`)].join("\n");
}
