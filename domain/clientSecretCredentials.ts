/**
 * The client secrets this program mints on the app, told apart from every other credential by
 * their display name, and what a handover does with each. Pure: the provider lists the app's
 * password credentials (Graph returns key ids, names and dates, never values) and asks here.
 *
 * A minted secret's display name carries a marker naming the stack that minted it and a nonce
 * for that one mint: `dbt Cloud slot a 2026-12-16 [pulumi dbt-azure-devops/dev 3f9c2a1b]`.
 * - The stack part keeps two stacks that share one app (by adoption) from touching each other's.
 * - The nonce finds the credential again when Graph's answer to an addPassword was lost, or when
 *   a retried POST minted it twice.
 * Credentials minted by this program before it managed them over Graph (one azuread
 * ApplicationPassword per slot) are named `dbt Cloud (slot a, from 2026-12-16)`: "legacy".
 */
import { SecretSlot } from "./rotationSchedule";

/** One password credential as Graph lists it (no value). */
export interface ListedCredential {
    keyId: string;
    displayName: string;
    endDateTime: string;
}

/** What state keeps of the secret in one slot: never its value. */
export interface SlotRecord {
    keyId: string;
    /** RFC 3339, whole seconds. */
    endDate: string;
    /** The rotation period it was minted for. */
    period: number;
    displayName: string;
}

export type SlotRecords = Partial<Record<SecretSlot, SlotRecord>>;

const MARKED = /^dbt Cloud slot ([ab]) (\d{4}-\d{2}-\d{2}) \[pulumi ([^\] ]+) ([0-9a-f]{8})\]$/;
const LEGACY = /^dbt Cloud \(slot ([ab]), from (\d{4}-\d{2}-\d{2})\)$/;

/** The display name a secret minted now gets. `owner` is `<project>/<stack>`. */
export function mintedDisplayName(slot: SecretSlot, periodStart: Date, owner: string, nonce: string): string {
    return `dbt Cloud slot ${slot} ${periodStart.toISOString().slice(0, 10)} [pulumi ${owner} ${nonce}]`;
}

/** The stack and nonce a minted secret's name carries; undefined for any other name. */
export function parseMintedDisplayName(displayName: string): { slot: SecretSlot; owner: string; nonce: string } | undefined {
    const match = MARKED.exec(displayName);
    return match ? { slot: match[1] as SecretSlot, owner: match[3], nonce: match[4] } : undefined;
}

export function isLegacyDisplayName(displayName: string): boolean {
    return LEGACY.test(displayName);
}

export interface CredentialClasses {
    /** In this resource's state. */
    tracked: ListedCredential[];
    /** Minted by this stack, not in state: left by a run that died (or a lost Graph answer). */
    orphans: ListedCredential[];
    /** Minted by the former ApplicationPassword slots of this program. */
    legacy: ListedCredential[];
    /** Made by hand, or by someone else: never touched, only reported. */
    foreign: ListedCredential[];
}

export function classifyCredentials(listed: readonly ListedCredential[], slots: SlotRecords, owner: string): CredentialClasses {
    const trackedIds = Object.values(slots).filter((s): s is SlotRecord => s !== undefined).map((s) => s.keyId.toLowerCase());
    const classes: CredentialClasses = { tracked: [], orphans: [], legacy: [], foreign: [] };
    for (const credential of listed) {
        if (trackedIds.includes(credential.keyId.toLowerCase())) {
            classes.tracked.push(credential);
        } else if (parseMintedDisplayName(credential.displayName)?.owner === owner) {
            classes.orphans.push(credential);
        } else if (isLegacyDisplayName(credential.displayName)) {
            classes.legacy.push(credential);
        } else {
            classes.foreign.push(credential);
        }
    }
    return classes;
}

/** State's slots without the ones Entra no longer lists (removed in the portal, or by a run that died). */
export function slotsStillListed(slots: SlotRecords, listed: readonly ListedCredential[]): SlotRecords {
    const ids = listed.map((c) => c.keyId.toLowerCase());
    return Object.fromEntries(Object.entries(slots).filter(([, record]) => record !== undefined && ids.includes(record.keyId.toLowerCase()))) as SlotRecords;
}

/**
 * What the handover retires once the new secret sits in `slot` and its consumer holds it: the
 * secret that slot held before (two periods old in a rotation; the consumer's own previous one
 * when a change to dbt's record forced a fresh secret mid-period), and every orphan of this
 * stack. Legacy credentials are retired only when `legacyIsOrphaned` (the upgrade run is over,
 * so Pulumi no longer tracks them); during the upgrade Pulumi deletes the ones it tracks at the
 * end of that same run. Foreign credentials never.
 */
export function retiredAfterHandover(slot: SecretSlot, before: SlotRecords, classes: CredentialClasses, legacyIsOrphaned: boolean): string[] {
    const previousOccupant = before[slot]?.keyId;
    const listedIds = [...classes.tracked, ...classes.orphans, ...classes.legacy].map((c) => c.keyId.toLowerCase());
    return [
        ...(previousOccupant !== undefined && listedIds.includes(previousOccupant.toLowerCase()) ? [previousOccupant] : []),
        ...classes.orphans.map((c) => c.keyId),
        ...(legacyIsOrphaned ? classes.legacy.map((c) => c.keyId) : []),
    ];
}
