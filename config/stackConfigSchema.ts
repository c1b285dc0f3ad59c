/**
 * How the program reads each stack setting. Pulumi.yaml is the one source of every key's type,
 * description and default (the CLI applies the defaults before the program runs); this file
 * holds only what Pulumi.yaml cannot say: how a value is parsed, and the rules across keys.
 */
import { ACCESS_LEVEL_PORTAL_NAMES, ACCESS_LEVELS } from "../domain/accessLevel";
import { AUTH_MODES } from "../domain/authMode";
import { customHostProblem, isDbtDomainHost, legacyHostProblem, parseAccessHost, parseLegacyHostExtension } from "../domain/dbtCloudHost";
import { DIRECTORY_MODES } from "../domain/directoryMode";
import { ParseResult } from "../domain/parseResult";
import { PROJECT_ACCESS_MODES } from "../domain/projectAccess";
import { MAX_PROJECTS_PER_ORGANIZATION, projectSlug } from "../domain/projectName";
import { adoOrganization, adoProjectName, boolean, integerInRange, objectId, oneOf, optionalObjectId, stringList, text } from "./valueParsers";

export const ROTATION_DAYS_RANGE = { min: 7, max: 180 } as const;
export const OVERLAP_DAYS_RANGE = { min: 1, max: 60 } as const;
/** Token requests in a row a new secret must pass (HashiCorp Vault's Azure engine uses 8), and the wait for them. */
export const READINESS_CHECKS_RANGE = { min: 1, max: 30 } as const;
export const READINESS_TIMEOUT_RANGE = { min: 10, max: 1800 } as const;
/**
 * A secret lives at most 2 * secretRotationDays + secretOverlapDays. Microsoft advises under
 * twelve months, and the policy pack's client-secret-max-lifetime rule enforces 365 by default:
 * a config it would block is refused here, before any run.
 */
export const MAX_SECRET_LIFETIME_DAYS = 365;

/** Every key this program reads, and its parser. A key in the project's namespace that is not here is an error. */
export const STACK_CONFIG_PARSERS = {
    adoOrganization,
    // Syntax here; whether a host is dbt's (or dbtCloudCustomDomain allows another) is a cross-key rule.
    dbtCloudHost: parseAccessHost,
    dbtCloudAdditionalHosts: stringList("dbtCloudAdditionalHosts", parseAccessHost),
    dbtCloudCustomDomain: boolean,
    dbtCloudLegacyHostExtendedUntil: parseLegacyHostExtension,
    authMode: oneOf(AUTH_MODES),
    secretRotationDays: integerInRange(ROTATION_DAYS_RANGE.min, ROTATION_DAYS_RANGE.max),
    secretOverlapDays: integerInRange(OVERLAP_DAYS_RANGE.min, OVERLAP_DAYS_RANGE.max),
    secretReadinessChecks: integerInRange(READINESS_CHECKS_RANGE.min, READINESS_CHECKS_RANGE.max),
    secretReadinessTimeoutSeconds: integerInRange(READINESS_TIMEOUT_RANGE.min, READINESS_TIMEOUT_RANGE.max),
    owners: stringList("owners", objectId),
    appDisplayName: text(120),
    adminConsent: boolean,
    protectApplication: boolean,
    connectDirectory: oneOf(DIRECTORY_MODES),
    adoProjects: stringList("adoProjects", adoProjectName, MAX_PROJECTS_PER_ORGANIZATION),
    adoProjectAccess: oneOf(PROJECT_ACCESS_MODES),
    adoAccessLevel: oneOf(ACCESS_LEVELS, ACCESS_LEVEL_PORTAL_NAMES),
    dbtCloudAccountId: integerInRange(0, Number.MAX_SAFE_INTEGER),
    existingApplicationObjectId: optionalObjectId("az ad app list --display-name '<name>' --query '[].{objectId:id, clientId:appId}'"),
    existingServicePrincipalObjectId: optionalObjectId("az ad sp list --filter \"appId eq '<clientId>'\" --query '[].id'"),
} satisfies Record<string, (raw: string) => ParseResult<unknown>>;

export type StackConfigKey = keyof typeof STACK_CONFIG_PARSERS;

/** For a required key (no default in Pulumi.yaml): the value to set and where to find it. */
export const REQUIRED_VALUE_HINTS: Partial<Record<StackConfigKey, string>> = {
    dbtCloudHost: "<host>   (the account's access URL host, from dbt Cloud's Account settings > Access URLs, e.g. ab123.us1.dbt.com)",
};
type ParsedBy<P> = P extends (raw: string) => ParseResult<infer T> ? T : never;
export type StackConfig = { [K in StackConfigKey]: ParsedBy<(typeof STACK_CONFIG_PARSERS)[K]> };

/** What a rule may need besides the config: the run's instant (`pulumi up`'s clock, the offline plan's --at). */
export interface RuleContext {
    at: Date;
}

/**
 * Rules across keys, each given the keys that parsed (a key that did not is absent) and the run's
 * context, returning a problem, or undefined. The key a problem is about leads its message.
 */
export const CROSS_KEY_RULES: ReadonlyArray<(config: Partial<StackConfig>, context: RuleContext) => { key: StackConfigKey; problem: string } | undefined> = [
    ({ secretRotationDays: rotation, secretOverlapDays: overlap }) =>
        rotation !== undefined && overlap !== undefined && overlap >= rotation
            ? { key: "secretOverlapDays", problem: `(${overlap}) must be less than secretRotationDays (${rotation}); lower the overlap or lengthen the rotation period.` }
            : undefined,
    ({ secretRotationDays: rotation, secretOverlapDays: overlap }) =>
        rotation !== undefined && overlap !== undefined && overlap < rotation && 2 * rotation + overlap > MAX_SECRET_LIFETIME_DAYS
            ? {
                key: "secretRotationDays",
                problem: `(${rotation}) makes each secret live 2 x ${rotation} + ${overlap} = ${2 * rotation + overlap} days, ` +
                    `more than ${MAX_SECRET_LIFETIME_DAYS}; lower secretRotationDays or secretOverlapDays.`,
            }
            : undefined,
    ({ authMode, adoProjects }) =>
        authMode === "service_user" && adoProjects && adoProjects.length > 0
            ? {
                key: "adoProjects",
                problem: "applies to service_principal mode only: in service_user mode dbt acts as the service user, " +
                    "whose access you manage in Azure DevOps. Remove adoProjects or set authMode to service_principal.",
            }
            : undefined,
    ({ dbtCloudHost, dbtCloudCustomDomain }) =>
        dbtCloudHost !== undefined && dbtCloudCustomDomain !== true && !isDbtDomainHost(dbtCloudHost)
            ? { key: "dbtCloudHost", problem: customHostProblem(dbtCloudHost) }
            : undefined,
    ({ dbtCloudAdditionalHosts, dbtCloudCustomDomain }) => {
        const custom = dbtCloudCustomDomain === true ? [] : (dbtCloudAdditionalHosts ?? []).filter((host) => !isDbtDomainHost(host));
        return custom.length > 0 ? { key: "dbtCloudAdditionalHosts", problem: custom.map(customHostProblem).join("; ") } : undefined;
    },
    ({ dbtCloudHost, dbtCloudAdditionalHosts }) => {
        const index = dbtCloudHost === undefined ? -1 : (dbtCloudAdditionalHosts ?? []).indexOf(dbtCloudHost);
        return index >= 0
            ? {
                key: "dbtCloudAdditionalHosts",
                problem: `item ${index} "${dbtCloudHost}" is dbtCloudHost already; list only the other access hosts. ` +
                    `Remove it with: pulumi config rm --path 'dbtCloudAdditionalHosts[${index}]'`,
            }
            : undefined;
    },
    // getdbt.com hosts after dbt's deprecation (domain/dbtCloudHost.ts), judged at the run's instant.
    ({ dbtCloudHost, dbtCloudLegacyHostExtendedUntil: extension }, { at }) => {
        const problem = dbtCloudHost === undefined || extension === undefined ? undefined : legacyHostProblem(dbtCloudHost, { key: "dbtCloudHost" }, at, extension);
        return problem ? { key: "dbtCloudHost", problem } : undefined;
    },
    ({ dbtCloudAdditionalHosts, dbtCloudLegacyHostExtendedUntil: extension }, { at }) => {
        const problems = extension === undefined ? [] : (dbtCloudAdditionalHosts ?? [])
            .map((host, index) => legacyHostProblem(host, { key: "dbtCloudAdditionalHosts", index }, at, extension))
            .filter((problem): problem is string => problem !== undefined);
        return problems.length > 0 ? { key: "dbtCloudAdditionalHosts", problem: problems.join("; ") } : undefined;
    },
    ({ existingApplicationObjectId, existingServicePrincipalObjectId }) =>
        existingApplicationObjectId === "" && existingServicePrincipalObjectId !== undefined && existingServicePrincipalObjectId !== ""
            ? {
                key: "existingServicePrincipalObjectId",
                problem: "is set without existingApplicationObjectId; a service principal is adopted only with its application. " +
                    "Set existingApplicationObjectId, or remove it with: pulumi config rm existingServicePrincipalObjectId",
            }
            : undefined,
    ({ adoProjects }) => {
        // Each project's resources are named after its slug: two projects must not share one.
        const bySlug = new Map<string, string>();
        for (const project of adoProjects ?? []) {
            const other = bySlug.get(projectSlug(project));
            if (other !== undefined) {
                return {
                    key: "adoProjects",
                    problem: `"${other}" and "${project}" would name their resources alike ("${projectSlug(project)}"); ` +
                        "list one of them only, or grant the other by hand.",
                };
            }
            bySlug.set(projectSlug(project), project);
        }
        return undefined;
    },
];
