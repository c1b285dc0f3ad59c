/**
 * What the program declares, in one place: every resource type a stack of this project holds,
 * where it sits (its component ancestors and its name, relative to its parent's), and the inputs
 * the program sets on it. The `declared-resources-only` rule refuses anything else: a type, a
 * place, or a property the program does not declare. It is the allow-list around the app; the
 * other rules say why the cases that matter most are dangerous.
 *
 * Deliberately written out, not derived from the program (see ./wellKnownIds.ts): a policy that
 * read the program's own declarations would agree with any change made to them. A change to the
 * program that adds a type or a property adds one line here, in the same reviewed pull request
 * (CODEOWNERS covers policy/). No ApplicationPassword is declared: the client secret is minted
 * over Graph by the ClientSecretRotation and never becomes a Pulumi resource (issue 15).
 */
import {
    APP_INSTANCE_LOCK_TYPE,
    APPLICATION_TYPE,
    AZUREAD_PROVIDER_TYPE,
    CLIENT_SECRET_ROTATION_TYPE,
    DBT_APP_COMPONENT_TYPE,
    DELEGATED_PERMISSION_GRANT_TYPE,
    DIRECTORY_CONNECTION_TYPE,
    DYNAMIC_PROVIDER_TYPE,
    ENTITLEMENT_TYPE,
    ORGANIZATION_ACCESS_COMPONENT_TYPE,
    PROJECT_PERMISSIONS_TYPE,
    ROOT_STACK_TYPE,
    ROTATING_SECRET_COMPONENT_TYPE,
    SERVICE_PRINCIPAL_TYPE,
} from "./wellKnownIds";

/** Inputs a resource may set: `true` for any value, or the keys allowed inside an object (or each object of a list). */
export interface PropertyList {
    readonly [property: string]: true | PropertyList;
}

export interface Declared {
    type: string;
    /** The component ancestors' types, outermost first, as the URN holds them. */
    parents: readonly string[];
    /**
     * The name: `{parent}` stands for the parent's name and `*` for any run of name characters;
     * a root resource's name is written out. Several names: any of them.
     */
    name: string | readonly string[];
    /**
     * The inputs the program sets (custom resources). Absent for a component: its inputs reach no
     * cloud. `"any"` for what the stack's own config sets (the default providers' settings).
     */
    properties?: PropertyList | "any";
    /**
     * Inputs the program does not set that the provider's Check fills in with its schema default:
     * allowed at exactly that value (a property left at an empty value is allowed anyway).
     */
    providerDefaults?: Readonly<Record<string, unknown>>;
}

const APP = DBT_APP_COMPONENT_TYPE;
const SECRET = ROTATING_SECRET_COMPONENT_TYPE;
const ADO = ORGANIZATION_ACCESS_COMPONENT_TYPE;

/** Issue 15's app instance property lock: `servicePrincipalLockConfiguration`, as AppInstanceLock's `lock` input. */
export const LOCK_PROPERTIES: PropertyList = {
    isEnabled: true, allProperties: true, credentialsWithUsageVerify: true, credentialsWithUsageSign: true, identifierUris: true, tokenEncryptionKeyId: true,
};

export const DECLARED: readonly Declared[] = [
    // What every stack holds: its root, and the default providers (named default or default_<version>).
    { type: ROOT_STACK_TYPE, parents: [], name: "*", properties: "any" },
    { type: AZUREAD_PROVIDER_TYPE, parents: [], name: "default*", properties: "any" },
    { type: DYNAMIC_PROVIDER_TYPE, parents: [], name: "default*", properties: "any" },

    // components/dbtAzureDevOpsApp.ts
    { type: APP, parents: [], name: "dbt-azure-devops" },
    {
        type: APPLICATION_TYPE, parents: [APP], name: "{parent}-app",
        properties: {
            displayName: true, signInAudience: true, owners: true, web: { redirectUris: true },
            requiredResourceAccesses: { resourceAppId: true, resourceAccesses: { id: true, type: true } },
        },
    },
    {
        type: SERVICE_PRINCIPAL_TYPE, parents: [APP], name: "{parent}-sp", properties: { clientId: true, owners: true },
        // terraform-provider-azuread v3.8.0 service_principal_resource.go: account_enabled, Default: true.
        providerDefaults: { accountEnabled: true },
    },
    { type: DELEGATED_PERMISSION_GRANT_TYPE, parents: [APP], name: "{parent}-consent", properties: { servicePrincipalObjectId: true, resourceServicePrincipalObjectId: true, claimValues: true } },
    { type: APP_INSTANCE_LOCK_TYPE, parents: [APP], name: "{parent}-lock", properties: { applicationObjectId: true, lock: LOCK_PROPERTIES } },

    // components/rotatingClientSecret.ts: the secret, minted, proven and handed over over Graph.
    { type: SECRET, parents: [], name: "dbt-azure-devops-secret" },
    {
        type: CLIENT_SECRET_ROTATION_TYPE, parents: [SECRET], name: "dbt-azure-devops-secret-rotation",
        properties: {
            applicationObjectId: true, clientId: true, tenantId: true, owner: true,
            current: { slot: true, period: true, periodStart: true, endDate: true },
            readiness: { successes: true, timeoutSeconds: true },
            handover: { kind: true, accountId: true, apiBaseUrl: true, organizationName: true, authMethod: true, redirectHosts: true },
        },
    },

    // components/organizationAccess.ts
    { type: ADO, parents: [], name: "dbt-azure-devops-ado" },
    { type: DIRECTORY_CONNECTION_TYPE, parents: [ADO], name: "{parent}-directory", properties: { organization: true, tenantId: true, mode: true } },
    { type: ENTITLEMENT_TYPE, parents: [ADO], name: "{parent}-entitlement", properties: { organization: true, servicePrincipalObjectId: true, accessLevel: true } },
    {
        type: PROJECT_PERMISSIONS_TYPE, parents: [ADO], name: "{parent}-project-*",
        properties: { organization: true, project: true, access: true, servicePrincipal: { subjectDescriptor: true, identityDescriptor: true } },
    },
];

/** Whether `name` is one the declaration allows under a parent named `parentName`. */
export function nameMatches(declared: Declared, name: string, parentName: string | undefined): boolean {
    return [declared.name].flat().some((pattern) => {
        if (pattern.includes("{parent}") && parentName === undefined) {
            return false;
        }
        const source = pattern.split(/(\{parent\}|\*)/).map((part) =>
            part === "{parent}" ? escapeRegExp(parentName ?? "") : part === "*" ? "[^:$]*" : escapeRegExp(part)).join("");
        return new RegExp(`^${source}$`).test(name);
    });
}

/** How a declaration's name reads in a message. */
export function describeName(declared: Declared): string {
    return [declared.name].flat().map((n) => n.replace("{parent}", "<parent>")).join(" or ");
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
