/**
 * What the real provider's schema says about each input the fake models: whether a change forces
 * replacement, whether the property is Optional+Computed (absent in the program = keep what the
 * live object has), and how values compare (TypeSet = unordered, defaults, empty = absent).
 *
 * Sources, read at tag v3.8.0 of hashicorp/terraform-provider-azuread (the provider that
 * @pulumi/azuread 6.9.1 bridges):
 *   internal/services/applications/application_resource.go             (Application)
 *   internal/services/applications/application_password_resource.go    (ApplicationPassword)
 *   internal/services/serviceprincipals/service_principal_resource.go  (ServicePrincipal)
 *   internal/services/serviceprincipals/service_principal_delegated_permission_grant_resource.go
 * Property names are the bridged camelCase ones of node_modules/@pulumi/azuread/*.d.ts.
 */
import { containsUnknown, plain } from "./rpcValues";

export const TYPES = {
    application: "azuread:index/application:Application",
    servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
    grant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
    password: "azuread:index/applicationPassword:ApplicationPassword",
} as const;

export const INVOKES = {
    getClientConfig: "azuread:index/getClientConfig:getClientConfig",
    getServicePrincipal: "azuread:index/getServicePrincipal:getServicePrincipal",
} as const;

export type ResourceType = (typeof TYPES)[keyof typeof TYPES];

type Canon = (v: unknown) => unknown;

export interface PropRule {
    /** ForceNew in the Terraform schema: a change replaces the resource. */
    forceNew?: boolean;
    /** Optional+Computed: leaving it out of the program keeps the live value (no diff). */
    optionalComputed?: boolean;
    canon: Canon;
}

const absent = (v: unknown) => v === undefined || v === null;

/** TypeString: absent and "" are the same to Terraform. */
const str =
    (dflt = ""): Canon =>
    (v) =>
        absent(v) || v === "" ? dflt : v;

/** TypeBool with a schema Default (false when none). */
const bool =
    (dflt = false): Canon =>
    (v) =>
        absent(v) ? dflt : v;

/** TypeSet of strings: order and duplicates do not matter; absent = empty. */
const stringSet: Canon = (v) => (Array.isArray(v) ? [...new Set(v.map(String))].sort() : []);

/** TypeMap of strings: key order does not matter; absent = empty. */
const stringMap: Canon = (v) =>
    v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : {};

/** Anything the fake does not model: structural equality, absent/null alike, keys sorted. */
export const generic: Canon = (v) => {
    if (absent(v)) {
        return null;
    }
    if (Array.isArray(v)) {
        return v.map(generic);
    }
    if (typeof v === "object") {
        const entries = Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => !absent(x))
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return Object.fromEntries(entries.map(([k, x]) => [k, generic(x)]));
    }
    return v;
};

function obj(v: unknown): Record<string, unknown> {
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * `web` (TypeList MaxItems 1 of homepage_url, logout_url, redirect_uris TypeSet, implicit_grant):
 * an absent block equals an empty one (applicationDiffSuppress; flattenApplicationWeb in
 * internal/services/applications/applications.go always reads a block back).
 */
const web: Canon = (v) => {
    const w = obj(v);
    const g = obj(w.implicitGrant);
    return {
        homepageUrl: str()(w.homepageUrl),
        logoutUrl: str()(w.logoutUrl),
        redirectUris: stringSet(w.redirectUris),
        implicitGrant: {
            accessTokenIssuanceEnabled: bool()(g.accessTokenIssuanceEnabled),
            idTokenIssuanceEnabled: bool()(g.idTokenIssuanceEnabled),
        },
    };
};

/**
 * `required_resource_access`: TypeSet of { resource_app_id, resource_access TypeList of {id, type} }:
 * the outer order does not matter, the inner list's does.
 */
const requiredResourceAccesses: Canon = (v) =>
    (Array.isArray(v) ? v : [])
        .map((r) => {
            const rr = obj(r);
            return JSON.stringify({
                resourceAppId: String(rr.resourceAppId ?? ""),
                resourceAccesses: (Array.isArray(rr.resourceAccesses) ? rr.resourceAccesses : []).map((a) => ({
                    id: String(obj(a).id ?? ""),
                    type: String(obj(a).type ?? ""),
                })),
            });
        })
        .sort();

export const RULES: Record<ResourceType, Record<string, PropRule>> = {
    // application_resource.go: only template_id is ForceNew; owners, identifier_uris, tags,
    // required_resource_access and web.redirect_uris are TypeSet; sign_in_audience defaults to
    // AzureADMyOrg; tags and template_id are Optional+Computed.
    [TYPES.application]: {
        displayName: { canon: str() },
        signInAudience: { canon: str("AzureADMyOrg") },
        owners: { canon: stringSet },
        web: { canon: web },
        requiredResourceAccesses: { canon: requiredResourceAccesses },
        description: { canon: str() },
        notes: { canon: str() },
        identifierUris: { canon: stringSet },
        tags: { canon: stringSet, optionalComputed: true },
        templateId: { canon: str(), forceNew: true, optionalComputed: true },
        preventDuplicateNames: { canon: bool() },
    },
    // service_principal_resource.go: client_id is the only ForceNew; owners, alternative_names,
    // notification_email_addresses, tags are TypeSet; account_enabled defaults to true.
    [TYPES.servicePrincipal]: {
        clientId: { canon: str(), forceNew: true },
        owners: { canon: stringSet },
        accountEnabled: { canon: bool(true) },
        appRoleAssignmentRequired: { canon: bool() },
        alternativeNames: { canon: stringSet },
        notificationEmailAddresses: { canon: stringSet },
        description: { canon: str() },
        notes: { canon: str() },
        loginUrl: { canon: str() },
        preferredSingleSignOnMode: { canon: str() },
        tags: { canon: stringSet, optionalComputed: true },
        useExisting: { canon: bool() },
    },
    // service_principal_delegated_permission_grant_resource.go: both principal ids and
    // user_object_id are ForceNew; claim_values is a TypeSet updated in place.
    [TYPES.grant]: {
        claimValues: { canon: stringSet },
        resourceServicePrincipalObjectId: { canon: str(), forceNew: true },
        servicePrincipalObjectId: { canon: str(), forceNew: true },
        userObjectId: { canon: str(), forceNew: true },
    },
    // application_password_resource.go: every argument is ForceNew (the resource has no Update);
    // display_name, start_date and end_date are Optional+Computed; rotate_when_changed is a TypeMap.
    // Dates compare as strings, as Terraform does: an end_date that is not whole-second UTC
    // ("...Z") differs from what Entra returns and replaces the password on every run.
    [TYPES.password]: {
        applicationId: { canon: str(), forceNew: true },
        displayName: { canon: str(), forceNew: true, optionalComputed: true },
        startDate: { canon: str(), forceNew: true, optionalComputed: true },
        endDate: { canon: str(), forceNew: true, optionalComputed: true },
        endDateRelative: { canon: str(), forceNew: true },
        rotateWhenChanged: { canon: stringMap, forceNew: true },
    },
};

export function isResourceType(t: string): t is ResourceType {
    return (Object.values(TYPES) as string[]).includes(t);
}

/** The resource type token of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function typeOfUrn(urn: string): string {
    const parts = urn.split("::");
    return (parts[2] ?? "").split("$").pop() ?? "";
}

export function nameOfUrn(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

export interface DiffOutcome {
    changes: boolean;
    replaces: string[];
    /** Every property seen to differ, replacing or not (for tests and logs). */
    changed: string[];
}

/**
 * Terraform-style plan of `news` (program inputs) against `olds` (the state's outputs, which
 * carry the inputs too). An unknown value (preview) counts as a change, and as a replacement on a
 * ForceNew property, as a Terraform plan with an unknown ForceNew attribute does.
 */
export function diffInputs(type: ResourceType, olds: Record<string, unknown>, news: Record<string, unknown>): DiffOutcome {
    const rules = RULES[type];
    const changed: string[] = [];
    const replaces: string[] = [];
    const keys = new Set([...Object.keys(rules), ...Object.keys(news)]);
    for (const key of [...keys].sort()) {
        if (key.startsWith("__")) {
            continue; // engine/bridge bookkeeping such as __defaults
        }
        const rule = rules[key];
        const newV = news[key];
        if (!rule && !(key in news)) {
            continue;
        }
        let differs: boolean;
        if (containsUnknown(newV)) {
            differs = true;
        } else if (rule?.optionalComputed && absent(newV)) {
            differs = false;
        } else {
            const canon = rule?.canon ?? generic;
            differs = JSON.stringify(canon(plain(olds[key]))) !== JSON.stringify(canon(plain(newV)));
        }
        if (differs) {
            changed.push(key);
            if (rule?.forceNew) {
                replaces.push(key);
            }
        }
    }
    return { changes: changed.length > 0, replaces, changed };
}
