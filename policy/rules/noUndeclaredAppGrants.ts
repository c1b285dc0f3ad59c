import { PolicyResource, Rule } from "../types";
import {
    APP_ROLE_ASSIGNMENT_TYPE,
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
};

export const noUndeclaredAppGrants: Rule = {
    name: "entra-app-no-undeclared-grants",
    description:
        "No redirect URIs, API permissions, credentials (passwords, certificates, federated identity credentials), " +
        "consent grants or app-role assignments are added to the dbt app other than the ones the program declares.",
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
