import { Rule } from "../types";
import { ADO_USER_IMPERSONATION_SCOPE_ID, APPLICATION_TYPE, AZURE_DEVOPS_APP_ID, MICROSOFT_GRAPH_APP_ID } from "../wellKnownIds";

/**
 * dbt Cloud acts on Azure DevOps as the signed-in user and needs nothing else. Any other
 * permission, Graph's default User.Read included, or an application permission (type "Role",
 * which works without a user) only widens what a leaked secret can do.
 */
export const onlyAdoUserImpersonation: Rule = {
    name: "entra-app-only-ado-user-impersonation",
    description: "The only required permission is Azure DevOps delegated user_impersonation: no Microsoft Graph, no application permissions (app roles).",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ props }) {
        const blocks = Array.isArray(props.requiredResourceAccesses) ? props.requiredResourceAccesses : [];
        const violations: string[] = [];
        let adoUserImpersonation = 0;
        for (const block of blocks as { resourceAppId?: unknown; resourceAccesses?: unknown }[]) {
            const resource = describeResourceApp(block.resourceAppId);
            const accesses = Array.isArray(block.resourceAccesses) ? (block.resourceAccesses as { id?: unknown; type?: unknown }[]) : [];
            if (block.resourceAppId !== AZURE_DEVOPS_APP_ID) {
                violations.push(`requests ${accesses.length} permission(s) on ${resource}; only Azure DevOps user_impersonation is allowed.`);
                continue;
            }
            for (const access of accesses) {
                if (access.type !== "Scope") {
                    violations.push(`requests an application permission (type ${JSON.stringify(access.type)}, id ${String(access.id)}) on Azure DevOps; only the delegated user_impersonation scope is allowed.`);
                } else if (access.id !== ADO_USER_IMPERSONATION_SCOPE_ID) {
                    violations.push(`requests Azure DevOps scope ${String(access.id)}, not user_impersonation (${ADO_USER_IMPERSONATION_SCOPE_ID}).`);
                } else {
                    adoUserImpersonation += 1;
                }
            }
        }
        if (adoUserImpersonation === 0) {
            violations.push("does not request Azure DevOps user_impersonation: dbt Cloud cannot call Azure DevOps.");
        } else if (adoUserImpersonation > 1) {
            violations.push(`requests Azure DevOps user_impersonation ${adoUserImpersonation} times; declare it once.`);
        }
        return violations;
    },
};

function describeResourceApp(appId: unknown): string {
    if (appId === MICROSOFT_GRAPH_APP_ID) {
        return `Microsoft Graph (${MICROSOFT_GRAPH_APP_ID})`;
    }
    return `resource app ${String(appId)}`;
}
