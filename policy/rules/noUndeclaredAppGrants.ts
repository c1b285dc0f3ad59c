import { PolicyResource, Rule } from "../types";
import {
    ADMINISTRATIVE_UNIT_ROLE_MEMBER_TYPE,
    APP_ROLE_ASSIGNMENT_TYPE,
    APPLICATION_OWNER_TYPE,
    CLAIMS_MAPPING_ASSIGNMENT_TYPE,
    DIRECTORY_ROLE_ASSIGNMENT_TYPE,
    DIRECTORY_ROLE_ELIGIBILITY_TYPE,
    DIRECTORY_ROLE_MEMBER_TYPE,
    GROUP_MEMBER_TYPE,
    PRIVILEGED_GROUP_ASSIGNMENT_TYPE,
    PRIVILEGED_GROUP_ELIGIBILITY_TYPE,
    APPLICATION_API_ACCESS_TYPE,
    APPLICATION_CERTIFICATE_TYPE,
    APPLICATION_FALLBACK_PUBLIC_CLIENT_TYPE,
    APPLICATION_FEDERATED_IDENTITY_CREDENTIAL_TYPE,
    APPLICATION_FLEXIBLE_FEDERATED_IDENTITY_CREDENTIAL_TYPE,
    APPLICATION_PASSWORD_TYPE,
    APPLICATION_PRE_AUTHORIZED_TYPE,
    APPLICATION_REDIRECT_URIS_TYPE,
    DBT_APP_COMPONENT_TYPE,
    DELEGATED_PERMISSION_GRANT_TYPE,
    SERVICE_PRINCIPAL_CERTIFICATE_TYPE,
    SERVICE_PRINCIPAL_PASSWORD_TYPE,
    SERVICE_PRINCIPAL_TOKEN_SIGNING_CERTIFICATE_TYPE,
} from "../wellKnownIds";

/**
 * The other rules read the one authoritative `azuread.Application`. azuread also has split
 * resources that add to an app from the side (redirect URIs, API permissions, credentials,
 * app-role assignments, consent grants): each would widen what dbt's app, or a leaked secret of
 * it, can do without the Application's inputs changing at all. This project's stack holds one app,
 * the dbt app, so any such resource in it is refused unless it is one the program declares. The
 * program's client secret is minted over Microsoft Graph by its ClientSecretRotation, not declared
 * as an `ApplicationPassword`, so every `ApplicationPassword` is refused. What it declares is the
 * tenant-wide consent, a `ServicePrincipalDelegatedPermissionGrant` named `<component>-consent`
 * whose parent is `DbtAzureDevOpsApp`, granting only `user_impersonation`.
 *
 * How "the program's own" is recognised: by the chain of parent component types, which the
 * engine writes into the URN (`...::<DbtAzureDevOpsApp>$<type>::<name>`),
 * plus the name within that parent. Names alone would not do: anyone can name a resource
 * `dbt-azure-devops-consent`, but only a resource created inside the program's components gets
 * that URN. Input values cannot do it either: object ids are unknown at preview for a new app.
 * (A component type can be copied by someone who means to; this rule guards against mistakes and
 * review blind spots, and the pull-request diff shows the rest.)
 */
const SIDE_GRANT_TYPES: Record<string, string> = {
    [APPLICATION_REDIRECT_URIS_TYPE]: "adds redirect URIs",
    [APPLICATION_FALLBACK_PUBLIC_CLIENT_TYPE]: "turns on public-client flows",
    [APPLICATION_API_ACCESS_TYPE]: "adds API permissions",
    [APPLICATION_PRE_AUTHORIZED_TYPE]: "pre-authorizes another client",
    [APPLICATION_PASSWORD_TYPE]: "adds a client secret",
    [APPLICATION_CERTIFICATE_TYPE]: "adds a certificate credential",
    [APPLICATION_FEDERATED_IDENTITY_CREDENTIAL_TYPE]: "adds a federated identity credential",
    [APPLICATION_FLEXIBLE_FEDERATED_IDENTITY_CREDENTIAL_TYPE]: "adds a federated identity credential",
    [SERVICE_PRINCIPAL_PASSWORD_TYPE]: "adds a service-principal password",
    [SERVICE_PRINCIPAL_CERTIFICATE_TYPE]: "adds a service-principal certificate",
    [SERVICE_PRINCIPAL_TOKEN_SIGNING_CERTIFICATE_TYPE]: "adds a token-signing certificate",
    [APP_ROLE_ASSIGNMENT_TYPE]: "assigns an app role (an application permission, or access to an app)",
    [DELEGATED_PERMISSION_GRANT_TYPE]: "grants delegated permissions",
    // Power over the app, or for its principal: an owner can add credentials and redirect URIs;
    // a role or a group gives whoever holds the app's secret what the role or group may do.
    [APPLICATION_OWNER_TYPE]: "adds an owner, who can add credentials and redirect URIs to the app",
    [DIRECTORY_ROLE_ASSIGNMENT_TYPE]: "assigns a directory role (to the app's principal, anyone holding its secret would hold the role)",
    [DIRECTORY_ROLE_MEMBER_TYPE]: "adds a member to a directory role",
    [DIRECTORY_ROLE_ELIGIBILITY_TYPE]: "makes a principal eligible for a directory role",
    [ADMINISTRATIVE_UNIT_ROLE_MEMBER_TYPE]: "assigns a directory role scoped to an administrative unit",
    [GROUP_MEMBER_TYPE]: "adds a member to a group (the app's principal would get the group's roles, app assignments and access)",
    [PRIVILEGED_GROUP_ASSIGNMENT_TYPE]: "assigns a privileged-access group's membership or ownership",
    [PRIVILEGED_GROUP_ELIGIBILITY_TYPE]: "makes a principal eligible for a privileged-access group",
    [CLAIMS_MAPPING_ASSIGNMENT_TYPE]: "changes the claims in the tokens issued for a service principal",
};

export const noUndeclaredAppGrants: Rule = {
    name: "entra-app-no-undeclared-grants",
    description:
        "No redirect URIs, API permissions, credentials (passwords, certificates, federated identity credentials), consent grants, " +
        "app-role assignments, owners, directory roles or group memberships are added beside the ones the program declares.",
    enforcementLevel: "mandatory",
    resourceType: Object.keys(SIDE_GRANT_TYPES),
    defaultConfig: {},
    check(resource) {
        if (isDeclaredByProgram(resource)) {
            return [];
        }
        const where = resource.parentTypes.length > 0 ? `under ${resource.parentTypes.join(" > ")}` : "at the stack's root";
        return [
            `${SIDE_GRANT_TYPES[resource.type]} (${resource.type}, declared ${where}), which the program does not declare. ` +
                "Declare redirect URIs and permissions on the one Application (config dbtCloudHost, authMode) and leave " +
                "client secrets to RotatingClientSecret (it mints them over Microsoft Graph); anything else widens what the app, or a leaked " +
                "secret, can do.",
        ];
    },
};

function isDeclaredByProgram({ type, name, props, parentTypes, parentName }: PolicyResource): boolean {
    const chain = parentTypes.join("$");
    if (type === DELEGATED_PERMISSION_GRANT_TYPE) {
        const claims = props.claimValues;
        return chain.endsWith(DBT_APP_COMPONENT_TYPE) && parentName !== undefined && name === `${parentName}-consent` &&
            Array.isArray(claims) && claims.length === 1 && claims[0] === "user_impersonation";
    }
    return false;
}

/**
 * The types of a resource's ancestor components and its parent's name, outermost first, from
 * its URN (`urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>`) and its
 * parent's URN, as the policy engine hands both over. The root stack is not in a URN.
 */
export function ancestryFromUrns(urn: string, parentUrn: string | undefined): { parentTypes: string[]; parentName?: string } {
    const qualifiedType = urn.split("::")[2] ?? "";
    const parentTypes = qualifiedType.split("$").slice(0, -1);
    const parentName = parentUrn !== undefined && parentTypes.length > 0 ? parentUrn.split("::").slice(3).join("::") : undefined;
    return { parentTypes, ...(parentName !== undefined ? { parentName } : {}) };
}

/** The stack's name in a URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfUrn(urn: string): string | undefined {
    const match = /^urn:pulumi:([^:]+)::/.exec(urn);
    return match?.[1];
}
