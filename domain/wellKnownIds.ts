/**
 * Well-known identifiers: the same in every tenant and organization.
 * Sources: hashicorp/go-azure-sdk `sdk/environments/constants.go` (app ids); the scope id is
 * widely published but not listed by Microsoft, so the program looks it up and only falls back
 * to this value when the tenant's Azure DevOps service principal does not publish it; the
 * security namespaces are Azure DevOps' built-in ones (Security Namespaces - Query).
 *
 * The policy pack keeps its own copies (policy/wellKnownIds.ts) on purpose: a rule that shared
 * these would agree with any mistake made in them.
 */

/** Azure DevOps first-party application: the same client id in every tenant. */
export const AZURE_DEVOPS_APP_ID = "499b84ac-1321-427f-aa17-267ca6975798";

/** The only delegated permission Azure DevOps exposes; dbt Cloud needs exactly this one. */
export const USER_IMPERSONATION = "user_impersonation";

/** Documented fallback for the `user_impersonation` scope id of Azure DevOps. */
export const USER_IMPERSONATION_SCOPE_ID_FALLBACK = "ee69721e-6c3a-468f-a9ec-302d16a4c599";

/** Microsoft Graph: the portal adds its `User.Read` by default; dbt's setup removes it. */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/** Picks the looked-up scope id, or the documented fallback when the lookup has none. */
export function userImpersonationScopeId(publishedScopeIds: Record<string, string> | undefined): string {
    const published = publishedScopeIds?.[USER_IMPERSONATION];
    return published && published.length > 0 ? published : USER_IMPERSONATION_SCOPE_ID_FALLBACK;
}

/** Azure DevOps reports this tenant for an organization connected to no directory. */
export const NOT_CONNECTED_TENANT = "00000000-0000-0000-0000-000000000000";

/** Azure DevOps security namespace ServiceHooks: who may view, edit and delete subscriptions. */
export const SERVICE_HOOKS_NAMESPACE = "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046";
/** Azure DevOps security namespace Git Repositories. */
export const GIT_REPOSITORIES_NAMESPACE = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
