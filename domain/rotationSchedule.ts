/**
 * The client-secret rotation schedule: a pure function of the evaluation instant and the
 * stack's settings, so every run inside one period computes the same resource inputs and a
 * daily pipeline shows no changes except on the first run after a period boundary.
 *
 * Two slots alternate. The secret of period k lives in slot k mod 2, is valid until
 * start(k) + 2 * rotationDays + overlapDays, and is the one handed to dbt Cloud during period k.
 * It keeps a full period of validity after its successor takes over, so a consumer updated
 * late (by hand, or after a failed run) still holds a working secret.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Period boundaries are counted from this Monday, midnight UTC. */
export const ROTATION_EPOCH = new Date("2024-01-01T00:00:00Z");

export type SecretSlot = "a" | "b";
export const SECRET_SLOTS: readonly SecretSlot[] = ["a", "b"];

export interface RotationSettings {
    /** Length of one period: a new secret is minted on the first run after each boundary. */
    rotationDays: number;
    /** Validity kept past the end of the period after next: slack for late or missed runs. */
    overlapDays: number;
}

export interface SecretGeneration {
    /** Period index counted from the epoch. */
    period: number;
    slot: SecretSlot;
    /** First instant of the period this secret was minted for. */
    periodStart: Date;
    /** The secret's end date (RFC 3339, whole seconds, UTC). */
    endDate: string;
}

export interface RotationPlan {
    /** The newest secret: the one handed to dbt Cloud. */
    current: SecretGeneration;
    /** The secret it replaced, kept valid until its slot is reused. */
    previous: SecretGeneration;
}

export function secretGeneration(period: number, settings: RotationSettings): SecretGeneration {
    const periodStartMs = ROTATION_EPOCH.getTime() + period * settings.rotationDays * DAY_MS;
    const endMs = periodStartMs + (2 * settings.rotationDays + settings.overlapDays) * DAY_MS;
    return {
        period,
        slot: SECRET_SLOTS[((period % 2) + 2) % 2],
        periodStart: new Date(periodStartMs),
        endDate: toRfc3339(new Date(endMs)),
    };
}

export function planRotation(at: Date, settings: RotationSettings): RotationPlan {
    const elapsed = at.getTime() - ROTATION_EPOCH.getTime();
    if (!Number.isFinite(elapsed) || elapsed < 0) {
        throw new Error(`Rotation instant ${String(at)} is before ${ROTATION_EPOCH.toISOString()} or invalid.`);
    }
    if (!Number.isInteger(settings.rotationDays) || settings.rotationDays < 1) {
        throw new Error(`rotationDays must be a positive whole number, got ${settings.rotationDays}.`);
    }
    const period = Math.floor(elapsed / (settings.rotationDays * DAY_MS));
    return { current: secretGeneration(period, settings), previous: secretGeneration(period - 1, settings) };
}

/** Entra stores whole seconds; printing them the same way keeps inputs stable across runs. */
function toRfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
