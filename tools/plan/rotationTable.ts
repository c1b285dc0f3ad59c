import { planRotation, RotationSettings, secretGeneration, SecretSlot } from "../../domain/rotationSchedule";

/**
 * The client-secret slots as a reviewer needs them: which secret dbt Cloud holds, which one is
 * the previous, and what the next rotation mints and deletes, and when. Computed from the pure
 * schedule (domain/rotationSchedule.ts) and the stack outputs, not from the resources that hold
 * the secrets: at each period boundary a new secret is minted into the other slot, and the secret
 * that slot held is deleted in the same run, once dbt Cloud has the new one.
 */
export interface RotationTable {
    rotationDays: number;
    overlapDays: number;
    /** Whether the stack writes dbt Cloud's record, or the secret is copied into dbt Cloud by hand. */
    handover: "written by the stack" | "copied by hand";
    /** The held secret first, then the previous one. */
    slots: SlotRow[];
    next: NextRotation;
    /** True when the outputs say no previous secret exists yet: what a first `pulumi up` leaves. */
    firstDeploy: boolean;
}

export interface SlotRow {
    slot: SecretSlot;
    role: "held" | "previous";
    /** The period the secret was minted for: it started then (a first `pulumi up` mints the held slot's only). */
    periodStart: string;
    /** When Entra stops accepting it. */
    validUntil: string;
    /** The rotation that deletes it: the first `pulumi up` from this instant on. */
    deletedAt: string;
}

export interface NextRotation {
    /** The period boundary: the first `pulumi up` from then on rotates. */
    at: string;
    /** The slot it mints into (the previous secret's). */
    slot: SecretSlot;
    /** The new secret's end date. */
    validUntil: string;
    /** The secret it deletes, and how long that one would still have been valid. */
    deletes: { slot: SecretSlot; validUntil: string; daysBeforeItsEnd: number };
}

const DAY_MS = 86_400_000;

function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The table at `at` for the stack's settings. The stack outputs, where present, say which slot
 * dbt Cloud holds and the end dates as the program declared them (the previous slot's is frozen by
 * the program, so after a settings change it is the one it was minted with); the schedule says
 * when each period started and when each secret's slot comes round again.
 */
export function rotationTable(at: Date, settings: RotationSettings, outputs: Record<string, unknown>): RotationTable {
    const { current, previous } = planRotation(at, settings);
    const next = secretGeneration(current.period + 1, settings);
    const afterNext = secretGeneration(current.period + 2, settings);
    const text = (key: string, fallback: string) => (typeof outputs[key] === "string" && /^\d{4}-/.test(outputs[key] as string) ? (outputs[key] as string) : fallback);
    const heldUntil = text("clientSecretExpiresAt", current.endDate);
    const previousUntil = text("previousSecretExpiresAt", previous.endDate);
    const nextAt = text("nextRotationAt", rfc3339(next.periodStart));
    return {
        rotationDays: settings.rotationDays,
        overlapDays: settings.overlapDays,
        // Only a stack that writes dbt Cloud's record exports dbt's redirect domain.
        handover: "dbtOauthRedirectDomain" in outputs ? "written by the stack" : "copied by hand",
        slots: [
            { slot: current.slot, role: "held", periodStart: day(current.periodStart), validUntil: heldUntil, deletedAt: rfc3339(afterNext.periodStart) },
            { slot: previous.slot, role: "previous", periodStart: day(previous.periodStart), validUntil: previousUntil, deletedAt: nextAt },
        ],
        firstDeploy: outputs.previousSecretExpiresAt === "",
        next: {
            at: nextAt,
            slot: next.slot,
            validUntil: next.endDate,
            deletes: { slot: previous.slot, validUntil: previousUntil, daysBeforeItsEnd: Math.round((Date.parse(previousUntil) - Date.parse(nextAt)) / DAY_MS) },
        },
    };
}

/** The table as the plan's text header prints it. */
export function rotationTableText(table: RotationTable): string[] {
    const holder = table.handover === "written by the stack" ? "dbt Cloud holds" : "dbt Cloud should hold (copied by hand)";
    const rows = table.slots.map((row) => [
        row.slot,
        row.role === "held" ? `the secret ${holder}` : "the previous secret, still valid",
        row.periodStart,
        row.validUntil,
        row.role === "held" ? `by the rotation after next, ${row.deletedAt}` : `by the next rotation, ${row.deletedAt}`,
    ]);
    const header = ["slot", "holds", "its period from", "valid until", "deleted"];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => `  ${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join("  ")}`;
    const { next } = table;
    const mints = `mints a new secret into slot ${next.slot} (valid until ${next.validUntil})`;
    const deletes = `deletes slot ${next.deletes.slot}'s previous secret (valid until ${next.deletes.validUntil}, ${next.deletes.daysBeforeItsEnd} days before it would expire)`;
    return [
        `Client secret (rotation every ${table.rotationDays} days, ${table.overlapDays} days overlap; two slots take turns):`,
        line(header),
        ...rows.map(line),
        ...(table.firstDeploy
            ? [`  A first pulumi up mints slot ${table.slots[0].slot}'s secret only: slot ${table.slots[1].slot} holds none until the next rotation (the rows show a deployed stack).`]
            : []),
        `  Next rotation: the first pulumi up from ${next.at} ` +
            (table.handover === "written by the stack"
                ? `${mints}, writes it into dbt Cloud, then ${deletes}.`
                : `${mints} and ${deletes}; copy the new one into dbt Cloud after that run (pulumi stack output --show-secrets clientSecret).`),
    ];
}

function day(date: Date): string {
    return date.toISOString().slice(0, 10);
}
