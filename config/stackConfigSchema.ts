import { ACCOUNT_LICENSE_TYPES, AccountLicenseType } from "../providers/azuredevops/api/entitlements";
import { PROJECT_ACCESS_MODES, ProjectAccess } from "../providers/azuredevops/api/grants";
import { DirectoryConnectionMode } from "../providers/azuredevops/directoryConnection";
import { ORGANIZATION_ACCESS_DEFAULTS } from "../components/organizationAccessArgs";
import { AUTH_MODES, AuthMode } from "../domain/authMode";
import { APP_DEFAULTS } from "../components/dbtAzureDevOpsAppArgs";
import { parseAdoOrganization } from "../domain/organizationName";
import { parseAdoProjectName } from "../domain/projectName";
import { parseDbtCloudHost } from "../domain/dbtCloudHost";
import { ParseResult } from "../domain/parseResult";
import { boolean, integerInRange, objectId, oneOf, stringList, text } from "./valueParsers";

/** One stack setting: how Pulumi.yaml declares it and how its string value is read. */
export interface ConfigKey<T> {
    /** The type declared in Pulumi.yaml's `config:` block. */
    type: "string" | "integer" | "boolean" | "array";
    description: string;
    /** Absent means the key is required. */
    default?: T;
    parse(raw: string): ParseResult<T>;
}

const key = <T>(definition: ConfigKey<T>): ConfigKey<T> => definition;

export const ROTATION_DAYS_RANGE = { min: 7, max: 180 } as const;
export const OVERLAP_DAYS_RANGE = { min: 1, max: 60 } as const;
/**
 * A secret lives at most 2 * secretRotationDays + secretOverlapDays. Microsoft advises under
 * twelve months, and the policy pack's client-secret-max-lifetime rule enforces 365 by default:
 * a config it would block is refused here, before any run.
 */
export const MAX_SECRET_LIFETIME_DAYS = 365;

/** Every key this program reads. A key in the project's namespace that is not here is an error. */
export const STACK_CONFIG_SCHEMA = {
    adoOrganization: key<string>({
        type: "string",
        description: "Azure DevOps organization name, exactly as in https://dev.azure.com/<name> (no dev.azure.com/ prefix).",
        parse: parseAdoOrganization,
    }),
    dbtCloudHost: key<string>({
        type: "string",
        description: "dbt Cloud access host (cloud.getdbt.com, emea.dbt.com, au.dbt.com, a cell such as ab123.us1.dbt.com, or a single-tenant host).",
        default: APP_DEFAULTS.dbtCloudHost,
        parse: parseDbtCloudHost,
    }),
    authMode: key<AuthMode>({
        type: "string",
        description: "How dbt Cloud authenticates to Azure DevOps: service_principal (recommended) or service_user (deprecated by dbt).",
        default: APP_DEFAULTS.authMode,
        parse: oneOf(AUTH_MODES),
    }),
    secretRotationDays: key<number>({
        type: "integer",
        description: `Days between client-secret rotations (${ROTATION_DAYS_RANGE.min}-${ROTATION_DAYS_RANGE.max}); each secret is valid for two periods plus the overlap.`,
        default: APP_DEFAULTS.secretRotationDays,
        parse: integerInRange(ROTATION_DAYS_RANGE.min, ROTATION_DAYS_RANGE.max),
    }),
    secretOverlapDays: key<number>({
        type: "integer",
        description: `Extra validity (${OVERLAP_DAYS_RANGE.min}-${OVERLAP_DAYS_RANGE.max} days, less than secretRotationDays) that covers late or missed scheduled runs.`,
        default: APP_DEFAULTS.secretOverlapDays,
        parse: integerInRange(OVERLAP_DAYS_RANGE.min, OVERLAP_DAYS_RANGE.max),
    }),
    owners: key<string[]>({
        type: "array",
        description: "Object ids of the app registration's owners; empty means the identity running pulumi up.",
        default: APP_DEFAULTS.owners,
        parse: stringList("owners", objectId),
    }),
    appDisplayName: key<string>({
        type: "string",
        description: "Display name of the app registration; give each stack in one tenant its own.",
        default: APP_DEFAULTS.displayName,
        parse: text(120),
    }),
    adminConsent: key<boolean>({
        type: "boolean",
        description: "Grant user_impersonation tenant-wide, so developers linking dbt Cloud are not each asked to consent.",
        default: APP_DEFAULTS.adminConsent,
        parse: boolean,
    }),
    protectApplication: key<boolean>({
        type: "boolean",
        description: "Protect the app registration from deletion by pulumi destroy or a replacement.",
        default: APP_DEFAULTS.protectApplication,
        parse: boolean,
    }),
    connectDirectory: key<DirectoryConnectionMode>({
        type: "string",
        description: "verify: fail with an admin's steps unless the organization is connected to this tenant; connect: connect an unconnected organization (never moves one connected elsewhere).",
        default: ORGANIZATION_ACCESS_DEFAULTS.connectDirectory,
        parse: oneOf(["verify", "connect"] as const),
    }),
    adoProjects: key<string[]>({
        type: "array",
        description: "Azure DevOps projects dbt Cloud works in; in service_principal mode the app's principal is granted access on each.",
        default: ORGANIZATION_ACCESS_DEFAULTS.projects,
        parse: stringList("adoProjects", parseAdoProjectName),
    }),
    adoProjectAccess: key<ProjectAccess>({
        type: "string",
        description: "least_privilege: the service-hook, Git contribute, pull-request contribute and reader grants dbt documents; project_administrators: dbt's simpler setup.",
        default: ORGANIZATION_ACCESS_DEFAULTS.projectAccess,
        parse: oneOf(PROJECT_ACCESS_MODES),
    }),
    adoAccessLevel: key<AccountLicenseType>({
        type: "string",
        description: "Access level of the service principal in the organization: express (Basic, needed for Git in private projects), stakeholder or advanced.",
        default: ORGANIZATION_ACCESS_DEFAULTS.accessLevel,
        parse: oneOf(ACCOUNT_LICENSE_TYPES),
    }),
    dbtCloudAccountId: key<number>({
        type: "integer",
        description: "dbt Cloud account id; when set, the program writes the four values and the mode into dbt Cloud (token from DBT_CLOUD_TOKEN). 0 leaves dbt Cloud to be set by hand.",
        default: 0,
        parse: integerInRange(0, Number.MAX_SAFE_INTEGER),
    }),
};

export type StackConfigKey = keyof typeof STACK_CONFIG_SCHEMA;
type ValueOf<K> = K extends ConfigKey<infer T> ? T : never;
export type StackConfig = { [K in StackConfigKey]: ValueOf<(typeof STACK_CONFIG_SCHEMA)[K]> };
