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
export const APPLICATION_OWNER_TYPE = "azuread:index/applicationOwner:ApplicationOwner";
export const DIRECTORY_ROLE_ASSIGNMENT_TYPE = "azuread:index/directoryRoleAssignment:DirectoryRoleAssignment";
export const DIRECTORY_ROLE_MEMBER_TYPE = "azuread:index/directoryRoleMember:DirectoryRoleMember";
export const DIRECTORY_ROLE_ELIGIBILITY_TYPE = "azuread:index/directoryRoleEligibilityScheduleRequest:DirectoryRoleEligibilityScheduleRequest";
export const ADMINISTRATIVE_UNIT_ROLE_MEMBER_TYPE = "azuread:index/administrativeUnitRoleMember:AdministrativeUnitRoleMember";
export const GROUP_MEMBER_TYPE = "azuread:index/groupMember:GroupMember";
export const PRIVILEGED_GROUP_ASSIGNMENT_TYPE = "azuread:index/privilegedAccessGroupAssignmentSchedule:PrivilegedAccessGroupAssignmentSchedule";
export const PRIVILEGED_GROUP_ELIGIBILITY_TYPE = "azuread:index/privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule";
export const CLAIMS_MAPPING_ASSIGNMENT_TYPE = "azuread:index/servicePrincipalClaimsMappingPolicyAssignment:ServicePrincipalClaimsMappingPolicyAssignment";
export const SERVICE_PRINCIPAL_TYPE = "azuread:index/servicePrincipal:ServicePrincipal";

/** The program's component types (see ./declared.ts for where each sits). */
export const DBT_APP_COMPONENT_TYPE = "dbt-azure-devops:entra:DbtAzureDevOpsApp";
export const ROTATING_SECRET_COMPONENT_TYPE = "dbt-azure-devops:entra:RotatingClientSecret";
export const ORGANIZATION_ACCESS_COMPONENT_TYPE = "dbt-azure-devops:azuredevops:OrganizationAccess";
export const DBT_CLOUD_COMPONENT_TYPE = "dbt-azure-devops:dbtcloud:AzureDevOpsIntegration";

/** The program's dynamic resources (its own providers over REST). */
export const DIRECTORY_CONNECTION_TYPE = "pulumi-nodejs:dynamic/azuredevops:DirectoryConnection";
export const ENTITLEMENT_TYPE = "pulumi-nodejs:dynamic/azuredevops:ServicePrincipalEntitlement";
export const PROJECT_PERMISSIONS_TYPE = "pulumi-nodejs:dynamic/azuredevops:ProjectPermissions";
export const DBT_CLOUD_RECORD_TYPE = "pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication";
/** Issue 15: the Graph-backed rotation (replacing the ApplicationPassword slots) and the app instance property lock. */
export const CLIENT_SECRET_ROTATION_TYPE = "pulumi-nodejs:dynamic/entra:ClientSecretRotation";
export const APP_INSTANCE_LOCK_TYPE = "pulumi-nodejs:dynamic/entra:AppInstanceLock";

/** What every stack holds besides the program's resources: the root and the default providers. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
export const AZUREAD_PROVIDER_TYPE = "pulumi:providers:azuread";
export const DYNAMIC_PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";

/** dbt Cloud's own domains: the pack's default allowed hosts (redirect URIs, the dbt API base). */
export const DBT_DOMAINS = ["getdbt.com", "dbt.com"];
