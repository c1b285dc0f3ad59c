import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { planRotation, RotationSettings, secretGeneration, SecretGeneration, SECRET_SLOTS } from "../domain/rotationSchedule";

export interface RotatingClientSecretArgs extends RotationSettings {
    /** The application's resource id (`/applications/<objectId>`). */
    applicationId: pulumi.Input<string>;
    /** The instant the schedule is evaluated at (the time of the `pulumi up`). */
    at: Date;
}

/** Inputs that, when changed, mint a new secret: every ApplicationPassword argument forces replacement. */
const SCHEDULE_INPUTS = ["displayName", "endDate", "rotateWhenChanged"];

/**
 * Two client-secret slots driven by the rotation schedule. Only the current period's slot follows
 * the schedule; the other slot is frozen (ignoreChanges) so that it keeps the secret it holds
 * until its own turn comes, even when the schedule's settings change. Replacement is
 * create-before-delete, so a new secret exists, and is handed to consumers in the same update,
 * before the secret it replaces is deleted.
 */
export class RotatingClientSecret extends pulumi.ComponentResource {
    /** The newest secret's value: what dbt Cloud must hold. */
    public readonly value: pulumi.Output<string>;
    public readonly expiresAt: pulumi.Output<string>;
    public readonly keyId: pulumi.Output<string>;
    public readonly currentSlot: string;
    /** When the next period starts: the first `pulumi up` from then on mints into the other slot. */
    public readonly nextRotationAt: string;
    /**
     * The end date of the other slot's secret as Pulumi holds it (frozen by ignoreChanges, so the
     * one it was minted with, not today's schedule): it stays valid, and in state, until then.
     */
    public readonly previousExpiresAt: pulumi.Output<string>;

    constructor(name: string, args: RotatingClientSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dbt-azure-devops:entra:RotatingClientSecret", name, {}, opts);

        const plan = planRotation(args.at, args);
        const slots = SECRET_SLOTS.map((slot) => {
            const isCurrent = slot === plan.current.slot;
            const generation = isCurrent ? plan.current : plan.previous;
            return new azuread.ApplicationPassword(
                `${name}-${slot}`,
                {
                    applicationId: args.applicationId,
                    displayName: secretDisplayName(generation),
                    endDate: generation.endDate,
                    rotateWhenChanged: {
                        periodStart: generation.periodStart.toISOString(),
                        rotationDays: String(args.rotationDays),
                        overlapDays: String(args.overlapDays),
                    },
                },
                { parent: this, ignoreChanges: isCurrent ? [] : SCHEDULE_INPUTS },
            );
        });
        const current = slots[SECRET_SLOTS.indexOf(plan.current.slot)];
        const previous = slots[SECRET_SLOTS.indexOf(plan.previous.slot)];

        this.currentSlot = plan.current.slot;
        // The provider marks `value` secret, but only the engine honours that: wrap it so it
        // stays secret everywhere, mocks included.
        this.value = pulumi.secret(current.value);
        this.expiresAt = current.endDate;
        this.keyId = current.keyId;
        this.nextRotationAt = secretGeneration(plan.current.period + 1, args).periodStart.toISOString().replace(/\.\d{3}Z$/, "Z");
        this.previousExpiresAt = previous.endDate;
        this.registerOutputs({ expiresAt: this.expiresAt, keyId: this.keyId, value: this.value });
    }
}

function secretDisplayName(generation: SecretGeneration): string {
    return `dbt Cloud (slot ${generation.slot}, from ${generation.periodStart.toISOString().slice(0, 10)})`;
}
