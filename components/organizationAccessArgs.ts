import * as pulumi from "@pulumi/pulumi";
import { AccountLicenseType } from "../providers/azuredevops/api/entitlements";
import { ProjectAccess } from "../providers/azuredevops/api/grants";
import { DirectoryConnectionMode } from "../providers/azuredevops/directoryConnection";
import { DEFAULT_ACCESS_LEVEL } from "../providers/azuredevops/servicePrincipalEntitlement";

/** Flat, typed arguments of {@link AzureDevOpsOrganizationAccess}. */
export interface AzureDevOpsOrganizationAccessArgs {
    /** Organization name, without dev.azure.com/. */
    organization: string;
    /** The Entra tenant the organization must be connected to. */
    tenantId: pulumi.Input<string>;
    /** The app's service principal: added to the organization and granted on each project. */
    servicePrincipalObjectId: pulumi.Input<string>;
    /** False in service-user mode: dbt then acts as a user, and the principal needs no access. */
    grantServicePrincipal?: boolean;
    connectDirectory?: DirectoryConnectionMode;
    projects?: string[];
    projectAccess?: ProjectAccess;
    accessLevel?: AccountLicenseType;
}

export const ORGANIZATION_ACCESS_DEFAULTS = {
    grantServicePrincipal: true,
    connectDirectory: "verify" as DirectoryConnectionMode,
    projects: [] as string[],
    projectAccess: "least_privilege" as ProjectAccess,
    accessLevel: DEFAULT_ACCESS_LEVEL,
};

export function resolveOrganizationAccessArgs(args: AzureDevOpsOrganizationAccessArgs): Required<AzureDevOpsOrganizationAccessArgs> {
    return {
        organization: args.organization,
        tenantId: args.tenantId,
        servicePrincipalObjectId: args.servicePrincipalObjectId,
        grantServicePrincipal: args.grantServicePrincipal ?? ORGANIZATION_ACCESS_DEFAULTS.grantServicePrincipal,
        connectDirectory: args.connectDirectory ?? ORGANIZATION_ACCESS_DEFAULTS.connectDirectory,
        projects: args.projects ?? ORGANIZATION_ACCESS_DEFAULTS.projects,
        projectAccess: args.projectAccess ?? ORGANIZATION_ACCESS_DEFAULTS.projectAccess,
        accessLevel: args.accessLevel ?? ORGANIZATION_ACCESS_DEFAULTS.accessLevel,
    };
}
