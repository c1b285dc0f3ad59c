/**
 * Desired state "the service principal has dbt's access to project P". Records exactly which
 * ACE bits and group memberships it added (not those that were already there) so destroy
 * revokes exactly that, and reports partial progress to Pulumi when it fails midway so the
 * next `up` finishes the job and `destroy` still knows what to undo.
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown, partialFailure, providerLog, withRedaction } from "../providerSafety";
import { AdoSession, openAdoSession } from "./api/client";
import { sameOrganization } from "../../domain/organizationName";
import { PROJECT_ACCESS_MODES, ProjectAccess } from "../../domain/projectAccess";
import { sameProject } from "../../domain/projectName";
import { oneOfFailures, organizationFailures, projectFailures } from "../checkFailures";
import { addMembership, findProjectGroup, isDirectMember, projectScopeDescriptor, removeMembership } from "./api/graph";
import { notVisibleYet, ReadLagPolling, readLagPollingFromEnv, readUntil } from "./api/eventually";
import { plannedGrants } from "./api/grants";
import { findProject, resolveProject } from "./api/projects";
import { effectiveAllow, explicitBits, ExplicitBits, mergeAllowBits, removeBits } from "./api/security";
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
    /**
     * Planned bits someone explicitly denies this principal: a Deny wins over our Allow, so they
     * are reported and never granted or cleared by this resource (it stays as it was, also after destroy).
     */
    deniedBits?: number;
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
    /**
     * What `pulumi refresh` found missing of what this resource granted (bits no longer allowed,
     * memberships gone); empty after every create or update. Non-empty makes the next `up` grant
     * them again, recorded as this resource's own, never as pre-existing.
     */
    drift?: string[];
}

/** Names of the set bits of `bits` among a planned grant's bits (bit order = names order). */
function bitNames(grantBits: number, names: string[], bits: number): string[] {
    const set: number[] = [];
    for (let bit = 1; bit <= grantBits && bit > 0; bit <<= 1) {
        if (grantBits & bit) set.push(bit);
    }
    return set.map((bit, i) => (bits & bit ? names[i] ?? String(bit) : undefined)).filter((n): n is string => n !== undefined);
}

function resourceId(inputs: ProjectPermissionsInputs, projectId: string): string {
    return `${inputs.organization}/${projectId}/${inputs.servicePrincipal.subjectDescriptor}/${inputs.access}`;
}

/**
 * Brings the grants to the planned set, starting from what earlier (possibly partial) runs
 * recorded. `progress` is updated after every API call so a failure can report it. Every write
 * is read back (bounded poll) before it is recorded: reads can lag writes.
 */
async function grant(session: AdoSession, inputs: ProjectPermissionsInputs, progress: ProjectPermissionsOutputs, polling: ReadLagPolling): Promise<void> {
    const identity = inputs.servicePrincipal.identityDescriptor;
    const denials: string[] = [];
    for (const planned of plannedGrants(inputs.access, progress.projectId).aces) {
        const recorded = progress.grantedAces.find((a) => a.namespaceId === planned.namespaceId && a.token === planned.token);
        const present = await explicitBits(session, planned.namespaceId, planned.token, identity);
        const ours = recorded?.bits ?? 0;
        // A Deny someone set on a bit we grant wins over our Allow: report it, never overwrite it.
        const denied = planned.bits & present.deny;
        const missing = planned.bits & ~present.allow & ~denied;
        if (missing !== 0) {
            await mergeAllowBits(session, planned.namespaceId, planned.token, identity, missing);
            const seen = await readUntil(polling, () => explicitBits(session, planned.namespaceId, planned.token, identity), (b) => (b.allow & missing) === missing);
            if (!seen.settled) {
                throw new Error(notVisibleYet(`Allowed ${bitNames(planned.bits, planned.permissionNames, missing).join(", ")} on ${planned.token} for the service principal`, polling));
            }
        }
        if (denied !== 0) {
            denials.push(`${bitNames(planned.bits, planned.permissionNames, denied).join(", ")} on ${planned.token}`);
        }
        const entry: GrantedAce = {
            namespaceId: planned.namespaceId,
            token: planned.token,
            bits: (ours | missing) & planned.bits & ~denied,
            alreadyAllowedBits: recorded ? recorded.alreadyAllowedBits : present.allow & planned.bits & ~ours,
            deniedBits: denied,
            permissionNames: planned.permissionNames,
        };
        progress.grantedAces = [...progress.grantedAces.filter((a) => a !== recorded), entry];
    }

    const groups = plannedGrants(inputs.access, progress.projectId).groups;
    if (groups.length > 0) {
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
                // Also when recorded: a refresh found it gone, and it is granted again as ours.
                await addMembership(session, inputs.servicePrincipal.subjectDescriptor, group.descriptor);
                const seen = await readUntil(polling, () => isDirectMember(session, inputs.servicePrincipal.subjectDescriptor, group.descriptor), (m) => m);
                if (!seen.settled) {
                    throw new Error(notVisibleYet(`Added the service principal to "${groupName}" of project "${inputs.project}"`, polling));
                }
            }
            if (!recorded) {
                progress.grantedMemberships = [...progress.grantedMemberships, { groupName, groupDescriptor: group.descriptor }];
            }
        }
    }
    if (denials.length > 0) {
        throw new Error(`Project "${inputs.project}": an explicit Deny for the service principal on ${denials.join("; ")} overrides the Allow dbt needs ` +
            "(a Deny takes precedence over an Allow). This program never removes a Deny someone set; everything else is granted. " +
            "Have a Project Administrator clear it (Project settings > Repositories or Service hooks > Security, the principal, set the permission to \"Not set\"), then re-run `pulumi up`.");
    }
}

async function converge(rawInputs: ProjectPermissionsInputs, prior: ProjectPermissionsOutputs | undefined): Promise<{ id: string; outs: ProjectPermissionsOutputs }> {
    const inputs: ProjectPermissionsInputs = {
        organization: rawInputs.organization, project: rawInputs.project, servicePrincipal: rawInputs.servicePrincipal, access: rawInputs.access,
    };
    const polling = readLagPollingFromEnv();
    const session = await openAdoSession(inputs.organization);
    const project = await resolveProject(session, inputs.project);
    const samePlace = prior && prior.projectId === project.id;
    const progress: ProjectPermissionsOutputs = {
        ...inputs,
        projectId: project.id,
        grantedAces: samePlace ? [...(prior.grantedAces ?? [])] : [],
        grantedMemberships: samePlace ? [...(prior.grantedMemberships ?? [])] : [],
        preExistingMemberships: samePlace ? [...(prior.preExistingMemberships ?? [])] : [],
        drift: [],
    };
    const id = resourceId(inputs, project.id);
    try {
        await grant(session, inputs, progress, polling);
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
        const failures = [
            ...organizationFailures(news.organization),
            ...projectFailures(news.project),
            ...oneOfFailures("access", news.access, PROJECT_ACCESS_MODES),
        ];
        return { inputs: news, failures };
    },

    /**
     * Any change replaces, deleting first: the new grant must not mistake the old one's bits
     * for pre-existing ones (which destroy would then leave behind).
     */
    async diff(_id, olds, news) {
        const replaces: string[] = [];
        // Organization and project names are case-insensitive: `Contoso` to `contoso` is the same organization.
        if (!sameOrganization(olds.organization, news.organization)) replaces.push("organization");
        if (!sameProject(olds.project, news.project)) replaces.push("project");
        // In a preview, an entitlement that is updated (e.g. its access level after a refresh) has
        // unknown outputs: the Node dynamic-provider host passes no `stables` (pulumi/pulumi
        // sdk/nodejs/cmd/dynamic-provider/index.ts, diff). Unknown is not "another principal": plan an
        // update; `up` diffs again with the real identifiers and replaces only if they changed.
        const principalUnknown = isUnknown(news.servicePrincipal) ||
            isUnknown(news.servicePrincipal?.subjectDescriptor) || isUnknown(news.servicePrincipal?.identityDescriptor);
        if (!principalUnknown && !sameServicePrincipal(olds.servicePrincipal, news.servicePrincipal)) replaces.push("servicePrincipal");
        if (olds.access !== news.access) replaces.push("access");
        // Drift a refresh found, or a Deny still in the way: update in place to grant again (or report again).
        const repair = (olds.drift ?? []).length > 0 || (olds.grantedAces ?? []).some((a) => (a.deniedBits ?? 0) !== 0);
        return { changes: replaces.length > 0 || repair || principalUnknown, replaces, deleteBeforeReplace: replaces.length > 0 };
    },

    async create(inputs) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], () => converge(inputs, undefined));
    },

    /** Reached after a partial failure (same inputs): finish what the recorded state lacks. */
    async update(_id, olds, news) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => ({ outs: (await converge(news, olds)).outs }));
    },

    /**
     * Revokes exactly what was recorded as added; nothing else (a Deny someone set stays: "Permissions -
     * Remove" is sent only for our own allow bits). Each removal is read back before returning, so a
     * create right after (a replacement) does not see the just-removed bits and record them as pre-existing.
     */
    async delete(_id, props) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const polling = readLagPollingFromEnv();
            const session = await openAdoSession(props.organization);
            const identity = props.servicePrincipal.identityDescriptor;
            for (const ace of props.grantedAces ?? []) {
                if (ace.bits !== 0) {
                    await removeBits(session, ace.namespaceId, ace.token, identity, ace.bits);
                    const seen = await readUntil(polling, () => explicitBits(session, ace.namespaceId, ace.token, identity), (b) => (b.allow & ace.bits) === 0);
                    if (!seen.settled) {
                        throw new Error(notVisibleYet(`Removed ${bitNames(ace.bits, ace.permissionNames, ace.bits).join(", ")} on ${ace.token}`, polling));
                    }
                }
            }
            for (const membership of props.grantedMemberships ?? []) {
                await removeMembership(session, props.servicePrincipal.subjectDescriptor, membership.groupDescriptor);
                const seen = await readUntil(polling, () => isDirectMember(session, props.servicePrincipal.subjectDescriptor, membership.groupDescriptor), (m) => !m);
                if (!seen.settled) {
                    throw new Error(notVisibleYet(`Removed the service principal from "${membership.groupName}"`, polling));
                }
            }
        });
    },

    /**
     * `pulumi refresh`: which of the bits and memberships this resource granted are still there.
     * Lost ones are listed in `drift` (the recorded grants stay, so the next `up` grants them again
     * as this resource's own). A project answered 404 keeps its state too, reported as drift, never
     * `{ id: "" }`: Azure DevOps answers 404 also for a project this credential cannot see, and a
     * resource dropped from state would make the next `up` record its own still-present bits and
     * memberships as pre-existing, which destroy then never revokes. The next `up` re-resolves the
     * project (failing with the visible projects when it is not there); destroy of a project that is
     * really gone tolerates the 404s. Reads only; returns nothing but what state already held plus
     * `drift` (no credential).
     */
    async read(id, props) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            if (!props) {
                return { id, props };
            }
            const session = await openAdoSession(props.organization);
            const project = await findProject(session, props.projectId);
            if (!project) {
                const drift = [`project ${props.projectId} ("${props.project}") not found: deleted, or not visible to this credential`];
                providerLog(`Project "${props.project}": ${drift[0]}. State keeps what was granted; the next \`pulumi up\` looks the project up again.`);
                return { id, props: { ...props, drift } };
            }
            const identity = props.servicePrincipal.identityDescriptor;
            const drift: string[] = [];
            const grantedAces: GrantedAce[] = [];
            const plan = plannedGrants(props.access, props.projectId).aces;
            for (const ace of props.grantedAces ?? []) {
                const plannedBits = plan.find((a) => a.namespaceId === ace.namespaceId && a.token === ace.token)?.bits ?? (ace.bits | ace.alreadyAllowedBits);
                const now: ExplicitBits = await explicitBits(session, ace.namespaceId, ace.token, identity);
                const lost = ace.bits & ~effectiveAllow(now);
                if (lost !== 0) {
                    const denied = (lost & now.deny) !== 0 ? " (now explicitly denied)" : "";
                    drift.push(`${bitNames(plannedBits, ace.permissionNames, lost).join(", ")} on ${ace.token} no longer allowed${denied}`);
                }
                grantedAces.push({ ...ace, deniedBits: plannedBits & now.deny });
            }
            for (const membership of props.grantedMemberships ?? []) {
                if (!(await isDirectMember(session, props.servicePrincipal.subjectDescriptor, membership.groupDescriptor))) {
                    drift.push(`no longer a member of "${membership.groupName}"`);
                }
            }
            if (drift.length > 0) {
                providerLog(`Project "${props.project}": ${drift.join("; ")}. The next \`pulumi up\` grants them again.`);
            }
            return { id, props: { ...props, grantedAces, drift } };
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
