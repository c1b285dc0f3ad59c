/**
 * Desired state "the service principal has dbt's access to project P". Records exactly which
 * ACE bits and group memberships it added (not those that were already there) so destroy
 * revokes exactly that, and reports partial progress to Pulumi when it fails midway so the
 * next `up` finishes the job and `destroy` still knows what to undo.
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown, partialFailure, withRedaction } from "../providerSafety";
import { AdoSession, openAdoSession } from "./api/client";
import { organizationNameProblem, sameOrganization } from "../../domain/organizationName";
import { PROJECT_ACCESS_MODES, ProjectAccess } from "../../domain/projectAccess";
import { projectNameProblem } from "../../domain/projectName";
import { addMembership, findProjectGroup, isDirectMember, projectScopeDescriptor, removeMembership } from "./api/graph";
import { plannedGrants } from "./api/grants";
import { resolveProject } from "./api/projects";
import { explicitAllowBits, mergeAllowBits, removeBits } from "./api/security";
import type { ServicePrincipalIdentifiers } from "./servicePrincipalEntitlement";

export interface AzureDevOpsProjectPermissionsArgs {
    organization: pulumi.Input<string>;
    /** Project name, as shown in Azure DevOps. */
    project: pulumi.Input<string>;
    /** From AzureDevOpsServicePrincipalEntitlement.identifiers. */
    servicePrincipal: pulumi.Input<ServicePrincipalIdentifiers>;
    /** "least_privilege" (dbt's documented minimum) or "project_administrators". */
    access: pulumi.Input<ProjectAccess>;
}

export interface ProjectPermissionsInputs {
    organization: string;
    project: string;
    servicePrincipal: ServicePrincipalIdentifiers;
    access: ProjectAccess;
}

/** One ACE change this resource made: exactly these bits were added by it. */
export interface GrantedAce {
    namespaceId: string;
    token: string;
    /** Bits this resource added (and will remove). */
    bits: number;
    /** Bits that were already allowed explicitly before; left alone on destroy. */
    alreadyAllowedBits: number;
    permissionNames: string[];
}

/** One group membership this resource added. */
export interface GrantedMembership {
    groupName: string;
    groupDescriptor: string;
}

export interface ProjectPermissionsOutputs extends ProjectPermissionsInputs {
    projectId: string;
    grantedAces: GrantedAce[];
    grantedMemberships: GrantedMembership[];
    /** Groups the principal was already a direct member of; left alone on destroy. */
    preExistingMemberships: string[];
}

function resourceId(inputs: ProjectPermissionsInputs, projectId: string): string {
    return `${inputs.organization}/${projectId}/${inputs.servicePrincipal.subjectDescriptor}/${inputs.access}`;
}

/**
 * Brings the grants to the planned set, starting from what earlier (possibly partial) runs
 * recorded. `progress` is updated after every API call so a failure can report it.
 */
async function grant(session: AdoSession, inputs: ProjectPermissionsInputs, progress: ProjectPermissionsOutputs): Promise<void> {
    const identity = inputs.servicePrincipal.identityDescriptor;
    for (const planned of plannedGrants(inputs.access, progress.projectId).aces) {
        const recorded = progress.grantedAces.find((a) => a.namespaceId === planned.namespaceId && a.token === planned.token);
        const present = await explicitAllowBits(session, planned.namespaceId, planned.token, identity);
        const ours = recorded?.bits ?? 0;
        const missing = planned.bits & ~present;
        if (missing !== 0) {
            await mergeAllowBits(session, planned.namespaceId, planned.token, identity, missing);
        }
        const entry: GrantedAce = {
            namespaceId: planned.namespaceId,
            token: planned.token,
            bits: (ours | missing) & planned.bits,
            alreadyAllowedBits: recorded ? recorded.alreadyAllowedBits : present & planned.bits,
            permissionNames: planned.permissionNames,
        };
        progress.grantedAces = [...progress.grantedAces.filter((a) => a !== recorded), entry];
    }

    const groups = plannedGrants(inputs.access, progress.projectId).groups;
    if (groups.length === 0) {
        return;
    }
    const scope = await projectScopeDescriptor(session, progress.projectId);
    for (const groupName of groups) {
        const group = await findProjectGroup(session, scope, inputs.project, groupName);
        const recorded = progress.grantedMemberships.some((m) => m.groupDescriptor === group.descriptor);
        const member = await isDirectMember(session, inputs.servicePrincipal.subjectDescriptor, group.descriptor);
        if (member && !recorded) {
            if (!progress.preExistingMemberships.includes(groupName)) {
                progress.preExistingMemberships = [...progress.preExistingMemberships, groupName];
            }
            continue;
        }
        if (!member) {
            await addMembership(session, inputs.servicePrincipal.subjectDescriptor, group.descriptor);
        }
        if (!recorded) {
            progress.grantedMemberships = [...progress.grantedMemberships, { groupName, groupDescriptor: group.descriptor }];
        }
    }
}

async function converge(rawInputs: ProjectPermissionsInputs, prior: ProjectPermissionsOutputs | undefined): Promise<{ id: string; outs: ProjectPermissionsOutputs }> {
    const inputs: ProjectPermissionsInputs = {
        organization: rawInputs.organization, project: rawInputs.project, servicePrincipal: rawInputs.servicePrincipal, access: rawInputs.access,
    };
    const session = await openAdoSession(inputs.organization);
    const project = await resolveProject(session, inputs.project);
    const samePlace = prior && prior.projectId === project.id;
    const progress: ProjectPermissionsOutputs = {
        ...inputs,
        projectId: project.id,
        grantedAces: samePlace ? [...(prior.grantedAces ?? [])] : [],
        grantedMemberships: samePlace ? [...(prior.grantedMemberships ?? [])] : [],
        preExistingMemberships: samePlace ? [...(prior.preExistingMemberships ?? [])] : [],
    };
    const id = resourceId(inputs, project.id);
    try {
        await grant(session, inputs, progress);
    } catch (error) {
        throw partialFailure(error, id, { ...progress }, rawInputs as unknown as Record<string, unknown>);
    }
    return { id, outs: progress };
}

function sameServicePrincipal(a: ServicePrincipalIdentifiers | undefined, b: ServicePrincipalIdentifiers | undefined): boolean {
    return a?.subjectDescriptor === b?.subjectDescriptor && a?.identityDescriptor === b?.identityDescriptor;
}

export const projectPermissionsProvider: pulumi.dynamic.ResourceProvider<ProjectPermissionsInputs, ProjectPermissionsOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        const org = isUnknown(news.organization) ? undefined : organizationNameProblem(news.organization);
        if (org) {
            failures.push({ property: "organization", reason: `organization ${org.problem}` });
        }
        const project = isUnknown(news.project) ? undefined : projectNameProblem(news.project);
        if (project) {
            failures.push({ property: "project", reason: `project ${project}` });
        }
        if (!isUnknown(news.access) && !PROJECT_ACCESS_MODES.includes(news.access)) {
            failures.push({ property: "access", reason: `access must be one of ${PROJECT_ACCESS_MODES.join(", ")}; got "${String(news.access)}".` });
        }
        return { inputs: news, failures };
    },

    /**
     * Any change replaces, deleting first: the new grant must not mistake the old one's bits
     * for pre-existing ones (which destroy would then leave behind).
     */
    async diff(_id, olds, news) {
        const replaces: string[] = [];
        // Organization names are case-insensitive: `Contoso` to `contoso` is the same organization.
        if (!sameOrganization(olds.organization, news.organization)) replaces.push("organization");
        if (olds.project.toLowerCase() !== news.project.toLowerCase()) replaces.push("project");
        if (!sameServicePrincipal(olds.servicePrincipal, news.servicePrincipal)) replaces.push("servicePrincipal");
        if (olds.access !== news.access) replaces.push("access");
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
    },

    async create(inputs) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], () => converge(inputs, undefined));
    },

    /** Reached after a partial failure (same inputs): finish what the recorded state lacks. */
    async update(_id, olds, news) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => ({ outs: (await converge(news, olds)).outs }));
    },

    /** Revokes exactly what was recorded as added; nothing else. */
    async delete(_id, props) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const session = await openAdoSession(props.organization);
            for (const ace of props.grantedAces ?? []) {
                if (ace.bits !== 0) {
                    await removeBits(session, ace.namespaceId, ace.token, props.servicePrincipal.identityDescriptor, ace.bits);
                }
            }
            for (const membership of props.grantedMemberships ?? []) {
                await removeMembership(session, props.servicePrincipal.subjectDescriptor, membership.groupDescriptor);
            }
        });
    },
};

/** Grants a service principal dbt's access to one Azure DevOps project. */
export class AzureDevOpsProjectPermissions extends pulumi.dynamic.Resource {
    declare public readonly organization: pulumi.Output<string>;
    declare public readonly project: pulumi.Output<string>;
    declare public readonly servicePrincipal: pulumi.Output<ServicePrincipalIdentifiers>;
    declare public readonly access: pulumi.Output<ProjectAccess>;
    declare public readonly projectId: pulumi.Output<string>;
    declare public readonly grantedAces: pulumi.Output<GrantedAce[]>;
    declare public readonly grantedMemberships: pulumi.Output<GrantedMembership[]>;
    declare public readonly preExistingMemberships: pulumi.Output<string[]>;

    constructor(name: string, args: AzureDevOpsProjectPermissionsArgs, opts?: pulumi.CustomResourceOptions) {
        super(projectPermissionsProvider, name, {
            ...args, projectId: undefined, grantedAces: undefined, grantedMemberships: undefined, preExistingMemberships: undefined,
        }, opts, "azuredevops", "ProjectPermissions");
    }
}
