/**
 * `.ci/step recover --stack <stack> [--mode deploy|rotate]`: makes a stack that a killed run left
 * behind deployable again, so the next unattended run converges. Independent of the resources
 * the program declares: it reads only the backend's locks and the checkpoint's pending operations.
 *
 * What a SIGKILLed `pulumi up` leaves (pulumi 3.276, DIY backend; measured under the engine in
 * test/engine/ciRecovery.engine.ts):
 * - its lock file: every later update, refresh or destroy fails with "the stack is currently
 *   locked by 1 lock(s)" until `pulumi cancel` removes it (see stackLocks.ts);
 * - the operations that were in flight, in the checkpoint's `pending_operations`:
 *   - `updating` / `deleting`: the next `up` warns ("Attempting to deploy or update resources
 *     with N pending operations"), drops them at its first checkpoint write and redoes the work
 *     (an update is sent again; a delete is retried, and the providers here treat an object that
 *     is already gone as deleted);
 *   - `creating`: the object may or may not exist in the provider. `up` never drops these
 *     (pkg/backend/journal.go carries pending creates into every new checkpoint) and creates the
 *     resource again, so the warning repeats forever; `pulumi refresh` clears them only when run
 *     interactively, or with `--clear-pending-creates` / `--import-pending-creates <urn> <id>`.
 *
 * So this step:
 * 1. removes the stack's locks, with `pulumi cancel`, when they cannot belong to a running
 *    operation (below);
 * 2. rewrites the checkpoint without its pending operations (`pulumi stack export`, edit,
 *    `pulumi stack import`): no refresh, so no provider is called and no credential is needed;
 * 3. reports each one. A cleared `creating` is named as possibly existing unmanaged in its
 *    provider (for a client secret: a valid credential nobody tracks): the next `up` creates the
 *    resource again, and the summary and a warning say what to check. The drift job's audit
 *    lists any credential on the app that is not declared.
 *
 * Why removing a lock is safe in CI: deploy and rotate of one stack never run at once. GitHub
 * queues them in one concurrency group per stack (`pulumi-apply-<stack>`, never cancelled
 * midway), Azure Pipelines behind the stack environment's Exclusive lock check, and this step runs
 * inside that serialization, before the job's own `up`. So when it runs, no other CI operation can
 * hold the stack's lock: a lock present was left by a run that was killed. (Previews and the drift
 * job's `preview --refresh` take no lock.) A person running `pulumi up` by hand against CI's backend
 * at the same time is not covered by those groups: the docs say not to.
 * Outside a CI runner (a workstation, the tests) nothing serializes runs, so only a lock written
 * on this machine by a process that has ended is removed; any other lock stops the step, naming it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ciSystem } from "./ciEnvironment";
import { PulumiCli } from "./pulumiCli";
import { describeLock, heldByEndedLocalProcess, listStackLocks, StackLock } from "./stackLocks";

export interface PendingOperation {
    urn: string;
    type: string;
    /** creating, updating, deleting, reading, importing. */
    operation: string;
}

export interface RecoveryReport {
    stackExists: boolean;
    locksFound: StackLock[];
    /** Locks could not be listed for this backend; on a runner they were cleared anyway. */
    locksUnknown?: string;
    locksRemoved: boolean;
    pendingCleared: PendingOperation[];
    lines: string[];
    warnings: string[];
    /** Why the step stopped without recovering (empty when it did its job). */
    problems: string[];
}

export interface RecoverInput {
    cli: PulumiCli;
    stack: string;
    project: string;
    backendUrl: string;
    env: Record<string, string | undefined>;
}

interface Deployment {
    deployment?: { pending_operations?: Array<{ type?: string; resource?: { urn?: string; type?: string } }> };
}

export async function recoverStack({ cli, stack, project, backendUrl, env }: RecoverInput): Promise<RecoveryReport> {
    const report: RecoveryReport = { stackExists: true, locksFound: [], locksRemoved: false, pendingCleared: [], lines: [], warnings: [], problems: [] };
    const inCi = ciSystem(env) !== "local";

    // 1. Locks. Read first: `stack export` takes none, but `stack import` below does.
    const listing = listStackLocks(backendUrl, project, stack, env);
    let cancel = false;
    if (listing.known) {
        report.locksFound = listing.locks;
        if (listing.locks.length > 0) {
            const live = inCi ? [] : listing.locks.filter((lock) => !heldByEndedLocalProcess(lock));
            if (live.length > 0) {
                report.problems.push(
                    `The stack is locked by ${live.map(describeLock).join("; ")}, which may be a pulumi command still running. ` +
                        "Outside CI this step removes only locks of ended processes of this machine. If you know it is stale, run: " +
                        `pulumi cancel --yes --stack ${stack}`,
                );
                return report;
            }
            cancel = true;
        }
    } else if (inCi) {
        report.locksUnknown = listing.why;
        cancel = true;
    } else {
        report.locksUnknown = listing.why;
        report.lines.push(`Locks not checked (${listing.why}).`);
    }

    // The checkpoint, to see whether the stack exists and what was in flight.
    const exported = await cli.run(["stack", "export", "--stack", stack], { quiet: true });
    if (exported.code !== 0) {
        if (/no stack named|not found/i.test(exported.stderr)) {
            report.stackExists = false;
            report.lines.push(`Stack ${stack} does not exist yet: nothing to recover.`);
            return report;
        }
        report.problems.push(`pulumi stack export failed: ${lastLine(exported.stderr)}`);
        return report;
    }

    if (cancel) {
        const cancelled = await cli.run(["cancel", "--yes", "--stack", stack], { quiet: true });
        if (cancelled.code !== 0) {
            report.problems.push(`pulumi cancel failed: ${lastLine(cancelled.stderr)}`);
            return report;
        }
        report.locksRemoved = true;
        if (listing.known) {
            report.lines.push(`Removed ${listing.locks.length} stale lock(s) left by a killed run: ${listing.locks.map(describeLock).join("; ")}.`);
            report.warnings.push(`A previous run on stack ${stack} was killed: its lock was removed (${listing.locks.map(describeLock).join("; ")}).`);
        } else {
            report.lines.push(`Cleared any lock with pulumi cancel (${listing.why}; CI serializes applies, so none can be live).`);
        }
    }

    // 2. Pending operations.
    let state: Deployment;
    try {
        state = JSON.parse(exported.stdout) as Deployment;
    } catch {
        report.problems.push("pulumi stack export printed something that is not JSON.");
        return report;
    }
    const pending = state.deployment?.pending_operations ?? [];
    if (pending.length === 0) {
        if (!cancel) {
            report.lines.push("No lock and no pending operation: nothing to recover.");
        }
        return report;
    }
    report.pendingCleared = pending.map((op) => ({ urn: op.resource?.urn ?? "(no urn)", type: op.resource?.type ?? "(no type)", operation: op.type ?? "(unknown)" }));
    (state.deployment as { pending_operations?: unknown[] }).pending_operations = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbt-ado-recover-"));
    try {
        const file = path.join(dir, "deployment.json");
        fs.writeFileSync(file, JSON.stringify(state));
        const imported = await cli.run(["stack", "import", "--stack", stack, "--file", file], { quiet: true });
        if (imported.code !== 0) {
            report.problems.push(`pulumi stack import (the checkpoint without its pending operations) failed: ${lastLine(imported.stderr)}`);
            return report;
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const op of report.pendingCleared) {
        const name = op.urn.split("::").pop();
        if (op.operation === "creating") {
            report.lines.push(`Cleared a pending create of ${op.type} ${name}: the killed run may have created it without recording it. The next up creates it again; if the first one exists, it is unmanaged: delete it (or import it in place of the new one).`);
            report.warnings.push(`A killed run was creating ${op.type} ${name} (${op.urn}); it may exist unmanaged in its provider: check, and delete it if it does (for a client secret, the recovery runbook says how).`);
        } else {
            report.lines.push(`Cleared a pending ${op.operation.replace(/ing$/, "")} of ${op.type} ${name}: the next up sees the program against the last recorded state and redoes it.`);
        }
    }
    return report;
}

function lastLine(text: string): string {
    return text.trim().split("\n").filter(Boolean).pop() ?? "(no output)";
}
