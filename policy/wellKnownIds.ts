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
