import * as assert from "assert/strict";
import { isDeepStrictEqual } from "util";

const DAY = 86_400_000;

/** One client-secret slot as a run declares it. */
export interface DeclaredSecret {
    name: string;
    inputs: Record<string, unknown>;
    /** Inputs the engine keeps from state instead of the program (resource option ignoreChanges). */
    ignoreChanges: string[];
    /** The value the provider would return for these inputs, when the run can know it. */
    value?: string;
}

/** What one `pulumi up` declares, and which secret the consumer (dbt Cloud) is given. */
export interface DeclaredRun {
    at: Date;
    secrets: DeclaredSecret[];
    /** Picks, among the secrets live after the run, the one handed to the consumer. */
    handedOver(live: LedgerEntry[]): LedgerEntry | undefined;
}

export interface LedgerEntry {
    serial: number;
    slot: string;
    created: Date;
    endDate: Date;
    deleted?: Date;
    value?: string;
    /** Inputs as the engine stored them. */
    inputs: Record<string, unknown>;
}

/**
 * A model of the Pulumi engine's handling of the secrets across runs: a changed input replaces the
 * resource (every ApplicationPassword argument forces replacement), ignoreChanges keeps the
 * stored input, replacement is create-before-delete and deletes happen at the end of the update,
 * after the consumer was updated. It keeps every secret that ever existed and checks the
 * zero-downtime invariants as it goes.
 */
export class SecretLedger {
    readonly entries: LedgerEntry[] = [];
    private readonly bySlot = new Map<string, LedgerEntry>();
    /** Replaced secrets not yet deleted: a failed update leaves them for the next one to delete. */
    private pendingDeletes: LedgerEntry[] = [];
    private held?: LedgerEntry;
    /** Smallest validity the consumer's secret had left at any checked instant, in days. */
    worstRemainingDays = Infinity;
    runs = 0;
    rotations = 0;

    constructor(private readonly minimumRemainingDays: () => number) {}

    get consumerSecret(): LedgerEntry | undefined {
        return this.held;
    }

    /**
     * One `pulumi up`. With `consumerUpdateFails`, the update fails at the consumer (dbt Cloud
     * answers an error): the new secrets exist, the consumer keeps what it had, and nothing is
     * deleted until a later update succeeds.
     */
    apply(run: DeclaredRun, outcome: { consumerUpdateFails?: boolean } = {}): void {
        this.check(run.at);
        const replaced = this.pendingDeletes;
        this.pendingDeletes = [];
        let rotated = false;
        for (const declared of run.secrets) {
            const stored = this.bySlot.get(declared.name);
            const effective = { ...declared.inputs };
            for (const key of stored ? declared.ignoreChanges : []) {
                effective[key] = stored!.inputs[key];
            }
            if (stored && isDeepStrictEqual(stored.inputs, effective)) {
                continue;
            }
            const entry: LedgerEntry = {
                serial: this.entries.length,
                slot: declared.name,
                created: run.at,
                endDate: new Date(String(effective.endDate)),
                inputs: effective,
                value: isDeepStrictEqual(effective, declared.inputs) ? declared.value : undefined,
            };
            assert.ok(entry.endDate.getTime() > run.at.getTime(), `${declared.name} created already expired at ${run.at.toISOString()}`);
            this.entries.push(entry);
            this.bySlot.set(declared.name, entry);
            if (stored) {
                replaced.push(stored);
                rotated = true;
            }
        }
        if (rotated) this.rotations++;
        if (outcome.consumerUpdateFails) {
            this.pendingDeletes = replaced;
            this.runs++;
            this.check(run.at);
            return;
        }

        const live = [...this.bySlot.values()];
        const handed = run.handedOver(live);
        assert.ok(handed, `${run.at.toISOString()}: the consumer's secret is not one that exists`);
        const newest = live.reduce((a, b) => (b.created.getTime() > a.created.getTime() || (b.created.getTime() === a.created.getTime() && b.serial > a.serial) ? b : a));
        assert.equal(handed.serial, newest.serial, `${run.at.toISOString()}: the consumer holds secret #${handed.serial}, not the newest #${newest.serial}`);
        this.held = handed;

        // End of the update: the replaced secrets go, only now that their successors exist and the
        // consumer holds a newer one.
        for (const old of replaced) {
            assert.notEqual(old.serial, handed.serial);
            assert.ok(handed.created.getTime() >= old.created.getTime() && handed.serial > old.serial, `#${old.serial} deleted before a successor was handed over`);
            old.deleted = run.at;
        }
        this.runs++;
        this.check(run.at);
    }

    /** The invariants at one instant: the consumer's secret exists, is valid, and has the overlap left. */
    check(at: Date): void {
        if (!this.held) return;
        assert.equal(this.held.deleted, undefined, `${at.toISOString()}: the consumer holds deleted secret #${this.held.serial}`);
        const remainingDays = (this.held.endDate.getTime() - at.getTime()) / DAY;
        this.worstRemainingDays = Math.min(this.worstRemainingDays, remainingDays);
        assert.ok(
            remainingDays >= this.minimumRemainingDays(),
            `${at.toISOString()}: the consumer's secret #${this.held.serial} has ${remainingDays.toFixed(2)} days left, less than the overlap`,
        );
        const valid = this.entries.filter((e) => !e.deleted && e.endDate.getTime() > at.getTime());
        assert.ok(valid.length >= 1, `${at.toISOString()}: no valid client secret`);
    }
}
