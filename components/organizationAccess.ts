import * as pulumi from "@pulumi/pulumi";
import { AzureDevOpsDirectoryConnection } from "../providers/azuredevops/directoryConnection";
import { AzureDevOpsOrganizationAccessArgs, resolveOrganizationAccessArgs } from "./organizationAccessArgs";
import { AzureDevOpsProjectPermissions } from "../providers/azuredevops/projectPermissions";
import { AzureDevOpsServicePrincipalEntitlement } from "../providers/azuredevops/servicePrincipalEntitlement";

/**
 * The Azure DevOps side: the organization connected to the app's directory and, in
 * service-principal mode, the app's service principal as an organization user with dbt's
 * least-privilege grants on each project. A project dropped from the list is a deleted child,
 * which revokes exactly what was granted on it.
 */
export class AzureDevOpsOrganizationAccess extends pulumi.ComponentResource {
    public readonly connectedTenantId: pulumi.Output<string>;
    /** Project name to project id, for the projects the principal was granted on. */
    public readonly projectIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AzureDevOpsOrganizationAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dbt-azure-devops:azuredevops:OrganizationAccess", name, {}, opts);
        const settings = resolveOrganizationAccessArgs(args);

        const connection = new AzureDevOpsDirectoryConnection(
            `${name}-directory`,
            { organization: settings.organization, tenantId: settings.tenantId, mode: settings.connectDirectory },
            { parent: this },
        );

        const projectIds: Record<string, pulumi.Output<string>> = {};
        if (settings.grantServicePrincipal) {
            // The principal can join the organization only once it is connected to the principal's tenant.
            const entitlement = new AzureDevOpsServicePrincipalEntitlement(
                `${name}-entitlement`,
                {
                    organization: settings.organization,
                    servicePrincipalObjectId: settings.servicePrincipalObjectId,
                    accessLevel: settings.accessLevel,
                },
                { parent: this, dependsOn: [connection] },
            );
            for (const project of settings.projects) {
                // Azure DevOps project names are case-insensitive: so is the child's name, or a
                // change of case would create the grants anew and then revoke them with the old child.
                const permissions = new AzureDevOpsProjectPermissions(
                    `${name}-project-${project.toLowerCase()}`,
                    {
                        organization: settings.organization,
                        project,
                        servicePrincipal: entitlement.identifiers,
                        access: settings.projectAccess,
                    },
                    { parent: this },
                );
                projectIds[project] = permissions.projectId;
            }
        }

        this.connectedTenantId = connection.connectedTenantId;
        this.projectIds = pulumi.output(projectIds);
        this.registerOutputs({ connectedTenantId: this.connectedTenantId, projectIds: this.projectIds });
    }
}
