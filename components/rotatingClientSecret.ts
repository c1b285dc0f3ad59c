import * as pulumi from "@pulumi/pulumi";
import { AuthMode } from "../domain/authMode";
import { dbtCloudApiBaseUrl } from "../domain/dbtCloudHost";
import { planRotation, RotationSettings, secretGeneration, SecretSlot } from "../domain/rotationSchedule";
import { ClientSecretRotation, Handover } from "../providers/entra/clientSecretRotation";

/** Where dbt Cloud's record lives and what it says besides the app's ids and the secret. */
export interface DbtCloudRecordArgs {
    /** dbt Cloud account id. */
    accountId: number;
    /** dbt Cloud access host, e.g. `ab123.us1.dbt.com`; its API is `https://<host>/api`. */
    host: string;
    /** Azure DevOps organization name, exactly, without dev.azure.com/. */
    organization: string;
    /** How dbt Cloud authenticates to Azure DevOps. */
    authMode: AuthMode;
    /** Every access host the app allows: dbt's redirect domain must be one of them. */
    appHosts: string[];
}

/** Arguments of {@link RotatingClientSecret}. */
export interface RotatingClientSecretArgs {
    /**
     * Days between rotations.
     * @default 90
     */
    rotationDays?: number;
    /**
     * Extra validity of each secret past two periods, for late or missed runs.
     * @default 14
     */
    overlapDays?: number;
    /** The application's object id. */
    applicationObjectId: pulumi.Input<string>;
    /** The application's client id. */
    clientId: pulumi.Input<string>;
    /** The application's home tenant, where the new secret must prove itself. */
    tenantId: pulumi.Input<string>;
    /** The instant the schedule is evaluated at (the time of the `pulumi up`). */
    at: Date;
    /**
     * Where each new secret goes: dbt Cloud's record (the value never reaches Pulumi), or, when
     * absent, the `value` output for a person to copy.
     * @default undefined (the stack output)
     */
    dbtCloud?: DbtCloudRecordArgs;
    /**
     * Azure DevOps tokens a new secret must obtain in a row before it is handed over.
     * @default 8
     */
    readinessChecks?: number;
    /**
     * How long a new secret may take to pass them.
     * @default 300
     */
    readinessTimeoutSeconds?: number;
}

export const ROTATING_CLIENT_SECRET_DEFAULTS = {
    rotationDays: 90,
    overlapDays: 14,
    readinessChecks: 8,
    readinessTimeoutSeconds: 300,
} satisfies Partial<Required<RotatingClientSecretArgs>>;

/**
 * The app's client secret on its two-slot schedule (domain/rotationSchedule.ts), minted, proven
 * and handed over by one Graph-backed resource (providers/entra/clientSecretRotation.ts). The slot
 * of the current period gets a new secret on the first run of each period; the other slot keeps
 * the previous one, valid for a whole period more, until its own turn.
 */
export class RotatingClientSecret extends pulumi.ComponentResource {
    /** The newest secret's value; only without `dbtCloud` (with it, the value never reaches Pulumi). */
    public readonly value?: pulumi.Output<string>;
    public readonly expiresAt: pulumi.Output<string>;
    public readonly keyId: pulumi.Output<string>;
    public readonly currentSlot: SecretSlot;
    /** When the next period starts: the first `pulumi up` from then on mints into the other slot. */
    public readonly nextRotationAt: string;
    /** The end date of the other slot's secret ("" while there is none): it stays valid until then. */
    public readonly previousExpiresAt: pulumi.Output<string>;
    /** What dbt Cloud reports as its redirect domain; only with `dbtCloud`. */
    public readonly dbtOauthRedirectDomain?: pulumi.Output<string>;

    constructor(name: string, args: RotatingClientSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dbt-azure-devops:entra:RotatingClientSecret", name, {}, opts);

        const settings: RotationSettings = {
            rotationDays: args.rotationDays ?? ROTATING_CLIENT_SECRET_DEFAULTS.rotationDays,
            overlapDays: args.overlapDays ?? ROTATING_CLIENT_SECRET_DEFAULTS.overlapDays,
        };
        const plan = planRotation(args.at, settings);
        const handover: Handover = args.dbtCloud
            ? {
                kind: "dbtCloud",
                accountId: String(args.dbtCloud.accountId),
                apiBaseUrl: dbtCloudApiBaseUrl(args.dbtCloud.host),
                organizationName: args.dbtCloud.organization,
                authMethod: args.dbtCloud.authMode,
                redirectHosts: args.dbtCloud.appHosts,
            }
            : { kind: "stackOutput" };
        const rotation = new ClientSecretRotation(
            `${name}-rotation`,
            {
                applicationObjectId: args.applicationObjectId,
                clientId: args.clientId,
                tenantId: args.tenantId,
                owner: `${pulumi.getProject()}/${pulumi.getStack()}`,
                current: {
                    slot: plan.current.slot,
                    period: plan.current.period,
                    periodStart: plan.current.periodStart.toISOString().replace(/\.\d{3}Z$/, "Z"),
                    endDate: plan.current.endDate,
                },
                readiness: {
                    successes: args.readinessChecks ?? ROTATING_CLIENT_SECRET_DEFAULTS.readinessChecks,
                    timeoutSeconds: args.readinessTimeoutSeconds ?? ROTATING_CLIENT_SECRET_DEFAULTS.readinessTimeoutSeconds,
                },
                handover,
            },
            // With dbt Cloud, this resource writes dbt's record: it carries on the state of the record
            // resource of earlier versions (under the AzureDevOpsIntegration component, and before that
            // at the root), so upgrading updates the same record instead of deleting it.
            // What the component waits for (the Azure DevOps access dbt relies on), its writes wait for.
            { parent: this, dependsOn: opts?.dependsOn, aliases: args.dbtCloud ? formerDbtRecordAliases() : [] },
        );

        this.currentSlot = plan.current.slot;
        this.expiresAt = rotation.expiresAt;
        this.keyId = rotation.keyId;
        this.previousExpiresAt = rotation.previousExpiresAt;
        this.nextRotationAt = secretGeneration(plan.current.period + 1, settings).periodStart.toISOString().replace(/\.\d{3}Z$/, "Z");
        if (args.dbtCloud) {
            this.dbtOauthRedirectDomain = rotation.dbtRecord.apply((record) => record?.oauthRedirectUriDomain ?? "");
        } else {
            // The provider marks `value` secret (additionalSecretOutputs), which mocks ignore: wrap it too.
            this.value = pulumi.secret(rotation.value.apply((value) => value ?? ""));
        }
        this.registerOutputs({ expiresAt: this.expiresAt, keyId: this.keyId, previousExpiresAt: this.previousExpiresAt });
    }
}

/** Where dbt Cloud's record resource was before this resource took it over (its type and parent changed too). */
function formerDbtRecordAliases(): pulumi.Alias[] {
    const former = { name: "dbt-azure-devops-dbt-cloud", type: "pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication" };
    const integration = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::dbt-azure-devops:dbtcloud:AzureDevOpsIntegration::dbt-azure-devops-dbt-cloud`;
    return [{ ...former, parent: integration }, { ...former, parent: pulumi.rootStackResource }];
}
