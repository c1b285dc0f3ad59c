/**
 * The `check` failures the providers share, each from the one rule in `domain/`.
 * A value still unknown (a preview before its source exists) is not judged: the engine checks
 * again once it is known.
 */
import * as pulumi from "@pulumi/pulumi";
import { guidProblem } from "../domain/guid";
import { organizationNameProblem } from "../domain/organizationName";
import { projectNameProblem } from "../domain/projectName";
import { isUnknown } from "./providerSafety";

type CheckFailure = pulumi.dynamic.CheckFailure;

export function organizationFailures(value: unknown): CheckFailure[] {
    const found = isUnknown(value) ? undefined : organizationNameProblem(value);
    return found ? [{ property: "organization", reason: `organization ${found.problem}` }] : [];
}

export function projectFailures(value: unknown): CheckFailure[] {
    const found = isUnknown(value) ? undefined : projectNameProblem(value);
    return found ? [{ property: "project", reason: `project ${found}` }] : [];
}

export function guidFailures(property: string, value: unknown): CheckFailure[] {
    const found = isUnknown(value) ? undefined : guidProblem(property, value);
    return found ? [{ property, reason: found }] : [];
}

/** `value` must be one of `allowed`; `note` follows the list in the message, e.g. " (express = Basic)". */
export function oneOfFailures(property: string, value: unknown, allowed: readonly string[], note = ""): CheckFailure[] {
    return isUnknown(value) || allowed.includes(value as string) ? [] : [{ property, reason: `${property} must be one of ${allowed.join(", ")}${note}; got "${String(value)}".` }];
}
