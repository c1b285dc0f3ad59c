import { Rule } from "../types";
import { lowerCased, read, sameText, UNKNOWN } from "../values";
import { AZURE_DEVOPS_APP_ID, DBT_APP_COMPONENT_TYPE, DELEGATED_PERMISSION_GRANT_TYPE } from "../wellKnownIds";

export interface ConsentOnAzureDevOpsOnlyConfig {
    /**
     * Object ids of the Azure DevOps service principal in the tenants this pack deploys to, when the
     * pack should pin them itself (`az ad sp show --id 499b84ac-1321-427f-aa17-267ca6975798 --query id`).
     * Empty: the principal the app component looked up is trusted (see below).
     */
    azureDevOpsServicePrincipalObjectIds: string[];
}

/**
 * The tenant-wide consent grant must grant on Azure DevOps and nothing else: the same grant on Azure
 * Resource Manager or Microsoft Graph would let dbt's app act as any user of the tenant there.
 * The grant names its resource by the object id of that resource's service principal in this
 * tenant, which differs per tenant and only a directory lookup gives. The app component makes that
 * lookup (by Azure DevOps' app id) and registers what it found as `azureDevOpsServicePrincipal`
 * (`{ clientId, objectId }`); this rule requires the lookup to be Azure DevOps' (the pack's own copy
 * of its app id) and the grant's `resourceServicePrincipalObjectId` to be the object id found, and,
 * when the pack config pins object ids, one of those. A stack policy: it reads the component beside
 * the grant.
 */
export const consentOnAzureDevOpsOnly: Rule<ConsentOnAzureDevOpsOnlyConfig> = {
    name: "entra-app-consent-on-azure-devops-only",
    description: "The tenant-wide consent grant's resource is the Azure DevOps service principal (app id 499b84ac-1321-427f-aa17-267ca6975798), " +
        "as the app component looked it up, and one of the policy config's azureDevOpsServicePrincipalObjectIds when it lists any.",
    enforcementLevel: "mandatory",
    scope: "stack",
    resourceType: DELEGATED_PERMISSION_GRANT_TYPE,
    configSchema: {
        properties: {
            azureDevOpsServicePrincipalObjectIds: {
                type: "array", items: { type: "string" }, default: [],
                description: "Object ids of the Azure DevOps service principal in the deployed tenants; empty trusts the app component's lookup.",
            },
        },
    },
    defaultConfig: { azureDevOpsServicePrincipalObjectIds: [] },
    check(grant, { config, stack }) {
        const resource = read(grant.props, "resourceServicePrincipalObjectId");
        if (resource === UNKNOWN || typeof resource !== "string") {
            return ["grants on a resource not known until the update (resourceServicePrincipalObjectId): only a grant on the Azure DevOps service principal is allowed."];
        }
        const component = (stack ?? []).find((r) => r.type === DBT_APP_COMPONENT_TYPE && r.name === grant.parentName);
        const lookedUp = read(component?.props, "azureDevOpsServicePrincipal");
        const clientId = read(lookedUp, "clientId");
        const objectId = read(lookedUp, "objectId");
        const violations: string[] = [];
        if (component === undefined || typeof objectId !== "string" || clientId !== AZURE_DEVOPS_APP_ID) {
            violations.push(`grants on service principal ${resource}, which cannot be shown to be Azure DevOps': the grant's parent ` +
                `DbtAzureDevOpsApp component registers no azureDevOpsServicePrincipal looked up by Azure DevOps' app id ${AZURE_DEVOPS_APP_ID}.`);
        } else if (!sameText(resource, objectId)) {
            violations.push(`grants on service principal ${resource}, not on Azure DevOps' (${objectId}, app id ${AZURE_DEVOPS_APP_ID}): ` +
                "a tenant-wide grant on another API (Azure Resource Manager, Microsoft Graph) lets the app act as every user there.");
        }
        const pinned = lowerCased(config.azureDevOpsServicePrincipalObjectIds ?? []);
        if (pinned.length > 0 && !pinned.includes(resource.toLowerCase())) {
            violations.push(`grants on service principal ${resource}, which the policy config's azureDevOpsServicePrincipalObjectIds (${pinned.join(", ")}) does not list.`);
        }
        return violations;
    },
};
