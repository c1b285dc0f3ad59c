import { AuthMode } from "../domain/authMode";

/** Flat, typed arguments of {@link DbtAzureDevOpsApp}; every optional one has a default below. */
export interface DbtAzureDevOpsAppArgs {
    /** dbt Cloud access host, e.g. `cloud.getdbt.com`, `emea.dbt.com`, `ab123.us1.dbt.com`. */
    dbtCloudHost?: string;
    authMode?: AuthMode;
    displayName?: string;
    /** Object ids of the app's owners; empty means the identity running `pulumi up`. */
    owners?: string[];
    /** Grant `user_impersonation` tenant-wide so developers are not each asked to consent. */
    adminConsent?: boolean;
    /** Protect the app registration from `pulumi destroy` and accidental replacement. */
    protectApplication?: boolean;
    secretRotationDays?: number;
    secretOverlapDays?: number;
    /** The instant the rotation schedule is evaluated at; defaults to now. */
    at?: Date;
}

export type ResolvedDbtAzureDevOpsAppArgs = Required<DbtAzureDevOpsAppArgs>;

/** The single place defaults live; stack config and Pulumi.yaml are checked against it. */
export const APP_DEFAULTS = {
    dbtCloudHost: "cloud.getdbt.com",
    authMode: "service_principal" as AuthMode,
    displayName: "dbt Labs Azure DevOps App",
    owners: [] as string[],
    adminConsent: true,
    protectApplication: true,
    secretRotationDays: 90,
    secretOverlapDays: 14,
};

export function resolveAppArgs(args: DbtAzureDevOpsAppArgs): ResolvedDbtAzureDevOpsAppArgs {
    return {
        dbtCloudHost: args.dbtCloudHost ?? APP_DEFAULTS.dbtCloudHost,
        authMode: args.authMode ?? APP_DEFAULTS.authMode,
        displayName: args.displayName ?? APP_DEFAULTS.displayName,
        owners: args.owners ?? APP_DEFAULTS.owners,
        adminConsent: args.adminConsent ?? APP_DEFAULTS.adminConsent,
        protectApplication: args.protectApplication ?? APP_DEFAULTS.protectApplication,
        secretRotationDays: args.secretRotationDays ?? APP_DEFAULTS.secretRotationDays,
        secretOverlapDays: args.secretOverlapDays ?? APP_DEFAULTS.secretOverlapDays,
        at: args.at ?? new Date(),
    };
}
