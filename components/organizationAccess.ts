import * as pulumi from "@pulumi/pulumi";
import { AccessLevel, DEFAULT_ACCESS_LEVEL } from "../domain/accessLevel";
import { DirectoryMode } from "../domain/directoryMode";
import { ProjectAccess } from "../domain/projectAccess";
import { projectSlug } from "../domain/projectName";
import { AzureDevOpsDirectoryConnection } from "../providers/azuredevops/directoryConnection";
import { AzureDevOpsProjectPermissions } from "../providers/azuredevops/projectPermissions";
import { AzureDevOpsServicePrincipalEntitlement } from "../providers/azuredevops/servicePrincipalEntitlement";

/** Arguments of {@link AzureDevOpsOrganizationAccess}: flat, each optional one with its default. */
export interface AzureDevOpsOrganizationAccessArgs {
    /** Organization name, without dev.azure.com/. */
    organization: string;
    /** The Entra tenant the organization must be connected to. */
    tenantId: pulumi.Input<string>;
    /** The app's service principal: added to the organization and granted on each project. */
    servicePrincipalObjectId: pulumi.Input<string>;
    /**
     * Add the service principal to the organization and grant it on `projects`; false in
     * service-user mode, where dbt acts as a user and the principal needs no access.
     * @default true
     */
    grantServicePrincipal?: boolean;
    /**
     * `verify` only checks that the organization is connected to `tenantId`; `connect` also
     * connects an unconnected one.
     * @default "verify"
     */
    connectDirectory?: DirectoryMode;
    /**
     * Projects the service principal is granted on, by name.
     * @default []
     */
    projects?: string[];
    /**
     * What it is granted on each: dbt's least-privilege set, or Project Administrators.
     * @default "least_privilege"
     */
    projectAccess?: ProjectAccess;
    /**
     * The service principal's access level in the organization.
     * @default "express"
     */
    accessLevel?: AccessLevel;
}

/** The defaults the TSDoc above names; the stack config's own defaults are Pulumi.yaml's. */
export const ORGANIZATION_ACCESS_DEFAULTS = {
    grantServicePrincipal: true,
    connectDirectory: "verify" as DirectoryMode,
    projects: [] as string[],
    projectAccess: "least_privilege" as ProjectAccess,
    accessLevel: DEFAULT_ACCESS_LEVEL,
} satisfies Partial<Required<AzureDevOpsOrganizationAccessArgs>>;

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
        const settings = withDefaults(args);

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
                const permissions = new AzureDevOpsProjectPermissions(
                    projectResourceName(name, project, settings.projects, this),
                    {
                        organization: settings.organization,
                        project,
                        servicePrincipal: entitlement.identifiers,
                        access: settings.projectAccess,
                    },
                    { parent: this, aliases: formerProjectNames(name, project) },
                );
                projectIds[project] = permissions.projectId;
            }
        }

        this.connectedTenantId = connection.connectedTenantId;
        this.projectIds = pulumi.output(projectIds);
        this.registerOutputs({ connectedTenantId: this.connectedTenantId, projectIds: this.projectIds });
    }
}

function withDefaults(args: AzureDevOpsOrganizationAccessArgs): Required<AzureDevOpsOrganizationAccessArgs> {
    const defaults = ORGANIZATION_ACCESS_DEFAULTS;
    return {
        organization: args.organization,
        tenantId: args.tenantId,
        servicePrincipalObjectId: args.servicePrincipalObjectId,
        grantServicePrincipal: args.grantServicePrincipal ?? defaults.grantServicePrincipal,
        connectDirectory: args.connectDirectory ?? defaults.connectDirectory,
        projects: args.projects ?? defaults.projects,
        projectAccess: args.projectAccess ?? defaults.projectAccess,
        accessLevel: args.accessLevel ?? defaults.accessLevel,
    };
}

/**
 * A project's grants are named after its slug: case-insensitive like Azure DevOps project names
 * (a change of case must not create the grants anew and revoke them with the old child), and
 * without spaces. Two projects with one slug would be one resource name: refused.
 */
function projectResourceName(name: string, project: string, projects: string[], parent: pulumi.Resource): string {
    const slug = projectSlug(project);
    const twin = projects.find((other) => other !== project && projectSlug(other) === slug);
    if (twin !== undefined) {
        throw new pulumi.ResourceError(`Projects "${twin}" and "${project}" would both name their grants "${name}-project-${slug}"; list one of them only.`, parent);
    }
    return `${name}-project-${slug}`;
}

/** Until the slug, a project's grants were named after its lower-cased name, spaces kept. */
function formerProjectNames(name: string, project: string): pulumi.Alias[] {
    const former = `${name}-project-${project.toLowerCase()}`;
    return former === `${name}-project-${projectSlug(project)}` ? [] : [{ name: former }];
}
