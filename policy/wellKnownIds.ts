/**
 * Identifiers the rules check against. Deliberately copied, not imported from the program:
 * a policy that shared the program's constants would agree with any mistake made in them.
 * Sources: hashicorp/go-azure-sdk `sdk/environments/constants.go` (app ids); the scope id is
 * the widely published value of Azure DevOps' only delegated permission.
 */
export const AZURE_DEVOPS_APP_ID = "499b84ac-1321-427f-aa17-267ca6975798";
export const ADO_USER_IMPERSONATION_SCOPE_ID = "ee69721e-6c3a-468f-a9ec-302d16a4c599";
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export const APPLICATION_TYPE = "azuread:index/application:Application";
export const APPLICATION_PASSWORD_TYPE = "azuread:index/applicationPassword:ApplicationPassword";
/** The program's client secret, minted over Microsoft Graph: its `current.endDate` is the secret's. */
export const CLIENT_SECRET_ROTATION_TYPE = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";

/** dbt Cloud completes the Entra sign-in on these paths of its access URL, and only these. */
export const DBT_REDIRECT_PATHS = ["/complete/azure_active_directory", "/complete/azure_active_directory_service_user"];

/**
 * azuread's split resources that add to an application or its service principal from the side
 * (type tokens as in @pulumi/azuread 6.9.1), and the program's component types that may own
 * the ones it declares: see rules/noUndeclaredAppGrants.ts.
 */
export const APPLICATION_REDIRECT_URIS_TYPE = "azuread:index/applicationRedirectUris:ApplicationRedirectUris";
export const APPLICATION_FALLBACK_PUBLIC_CLIENT_TYPE = "azuread:index/applicationFallbackPublicClient:ApplicationFallbackPublicClient";
export const APPLICATION_API_ACCESS_TYPE = "azuread:index/applicationApiAccess:ApplicationApiAccess";
export const APPLICATION_PRE_AUTHORIZED_TYPE = "azuread:index/applicationPreAuthorized:ApplicationPreAuthorized";
export const APPLICATION_CERTIFICATE_TYPE = "azuread:index/applicationCertificate:ApplicationCertificate";
export const APPLICATION_FEDERATED_IDENTITY_CREDENTIAL_TYPE = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
export const APPLICATION_FLEXIBLE_FEDERATED_IDENTITY_CREDENTIAL_TYPE =
    "azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential";
export const SERVICE_PRINCIPAL_PASSWORD_TYPE = "azuread:index/servicePrincipalPassword:ServicePrincipalPassword";
export const SERVICE_PRINCIPAL_CERTIFICATE_TYPE = "azuread:index/servicePrincipalCertificate:ServicePrincipalCertificate";
export const SERVICE_PRINCIPAL_TOKEN_SIGNING_CERTIFICATE_TYPE =
    "azuread:index/servicePrincipalTokenSigningCertificate:ServicePrincipalTokenSigningCertificate";
export const APP_ROLE_ASSIGNMENT_TYPE = "azuread:index/appRoleAssignment:AppRoleAssignment";
export const DELEGATED_PERMISSION_GRANT_TYPE =
    "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant";
export const DBT_APP_COMPONENT_TYPE = "dbt-azure-devops:entra:DbtAzureDevOpsApp";
