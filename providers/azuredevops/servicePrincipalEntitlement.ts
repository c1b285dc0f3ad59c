/**
 * Desired state "the Entra service principal is a member of the Azure DevOps organization
 * with access level L". Adopts an entitlement that already exists (a manual setup, or a
 * previous run whose answer was lost); destroy removes the principal from the organization
 * (use the retainOnDelete resource option to keep it).
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown, providerLog, withRedaction } from "../providerSafety";
import { ENV_KNOBS, envInteger } from "../../lib/http/settings";
import { ACCESS_LEVELS, AccessLevel, DEFAULT_ACCESS_LEVEL } from "../../domain/accessLevel";
import { guidProblem } from "../../domain/guid";
import { organizationNameProblem } from "../../domain/organizationName";
import { AdoSession, openAdoSession } from "./api/client";
import {
    addServicePrincipalEntitlement, deleteServicePrincipalEntitlement, getServicePrincipalEntitlement, ServicePrincipalEntitlement, setAccessLevel,
} from "./api/entitlements";
import { findServicePrincipalByObjectId, identityDescriptorOf, storageKeyOf } from "./api/graph";

export interface AzureDevOpsServicePrincipalEntitlementArgs {
    organization: pulumi.Input<string>;
    /** Object id of the Entra *service principal* (Enterprise applications), not of the app registration. */
    servicePrincipalObjectId: pulumi.Input<string>;
    /**
     * The principal's access level (accountLicenseType): "express" (Basic), "stakeholder" or
     * "advanced" (Basic + Test Plans).
     * @default "express"
     */
    accessLevel?: pulumi.Input<AccessLevel>;
}

export interface EntitlementInputs {
    organization: string;
    servicePrincipalObjectId: string;
    accessLevel: AccessLevel;
}

export interface EntitlementOutputs extends EntitlementInputs {
    /** Entitlement (member) id in the organization. */
    entitlementId: string;
    /** Graph subject descriptor ("aadsp.…"): for group memberships. */
    subjectDescriptor: string;
    /** Identity descriptor: for security ACEs. */
    identityDescriptor: string;
    displayName: string;
    /** True when the principal was already in the organization and this resource took it over. */
    adoptedExisting: boolean;
}

/** The identifiers other resources need to grant this principal anything. */
export interface ServicePrincipalIdentifiers {
    subjectDescriptor: string;
    identityDescriptor: string;
}

/** How long to wait for a new principal to appear in Identities (DBT_ADO_IDENTITY_*). */
interface IdentityPolling {
    attempts: number;
    pauseMs: number;
}

/**
 * Read (and validated) before any API call, so a typo such as DBT_ADO_IDENTITY_ATTEMPTS=abc
 * fails at once instead of polling forever, and before the principal is added.
 */
function identityPollingFromEnv(): IdentityPolling {
    return { attempts: envInteger(ENV_KNOBS.identityAttempts), pauseMs: envInteger(ENV_KNOBS.identityPauseMs) };
}

/** New principals take a moment to appear in Identities; poll a bounded number of times. */
async function resolveIdentityDescriptor(session: AdoSession, subjectDescriptor: string, polling: IdentityPolling): Promise<string> {
    for (let attempt = 1; ; attempt++) {
        const descriptor = await identityDescriptorOf(session, subjectDescriptor);
        if (descriptor) {
            return descriptor;
        }
        if (attempt >= polling.attempts) {
            throw new Error(`Azure DevOps has no identity for subject ${subjectDescriptor} yet; re-run \`pulumi up\` in a minute.`);
        }
        await new Promise((resolve) => setTimeout(resolve, polling.pauseMs));
    }
}

/** Finds the entitlement of a principal already in the organization, via its graph subject. */
async function findExisting(session: AdoSession, objectId: string): Promise<ServicePrincipalEntitlement | undefined> {
    const subject = await findServicePrincipalByObjectId(session, objectId);
    if (!subject) {
        return undefined;
    }
    const id = await storageKeyOf(session, subject.descriptor);
    return (await getServicePrincipalEntitlement(session, id)) ?? { id, servicePrincipal: subject };
}

async function toOutputs(session: AdoSession, inputs: EntitlementInputs, entitlement: ServicePrincipalEntitlement, adopted: boolean, polling: IdentityPolling): Promise<EntitlementOutputs> {
    const subjectDescriptor = entitlement.servicePrincipal?.descriptor;
    if (!subjectDescriptor) {
        throw new Error(`Entitlement ${entitlement.id} in "${inputs.organization}" came back without a subject descriptor.`);
    }
    return {
        ...inputs,
        entitlementId: entitlement.id,
        subjectDescriptor,
        identityDescriptor: await resolveIdentityDescriptor(session, subjectDescriptor, polling),
        displayName: entitlement.servicePrincipal?.displayName ?? "",
        adoptedExisting: adopted,
    };
}

function normalized(inputs: EntitlementInputs): EntitlementInputs {
    return { ...inputs, accessLevel: inputs.accessLevel ?? DEFAULT_ACCESS_LEVEL };
}

export const servicePrincipalEntitlementProvider: pulumi.dynamic.ResourceProvider<EntitlementInputs, EntitlementOutputs> = {
    async check(_olds, news) {
        const inputs = normalized(news);
        const failures: pulumi.dynamic.CheckFailure[] = [];
        const org = isUnknown(inputs.organization) ? undefined : organizationNameProblem(inputs.organization);
        if (org) {
            failures.push({ property: "organization", reason: `organization ${org.problem}` });
        }
        const sp = isUnknown(inputs.servicePrincipalObjectId) ? undefined : guidProblem("servicePrincipalObjectId", inputs.servicePrincipalObjectId);
        if (sp) {
            failures.push({ property: "servicePrincipalObjectId", reason: sp });
        }
        if (!isUnknown(inputs.accessLevel) && !ACCESS_LEVELS.includes(inputs.accessLevel)) {
            failures.push({ property: "accessLevel", reason: `accessLevel must be one of ${ACCESS_LEVELS.join(", ")} (express = Basic); got "${String(inputs.accessLevel)}".` });
        }
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        const inputs = normalized(news);
        const replaces = (["organization", "servicePrincipalObjectId"] as const)
            .filter((key) => String(olds[key]).toLowerCase() !== String(inputs[key]).toLowerCase());
        return { changes: replaces.length > 0 || olds.accessLevel !== inputs.accessLevel, replaces };
    },

    async create(news) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const inputs = normalized(news);
            const polling = identityPollingFromEnv();
            const session = await openAdoSession(inputs.organization);
            const outcome = await addServicePrincipalEntitlement(session, inputs.servicePrincipalObjectId, inputs.accessLevel);
            if ("added" in outcome) {
                const outs = await toOutputs(session, inputs, outcome.added, false, polling);
                return { id: outs.entitlementId, outs };
            }
            // Rejected: most often because the principal is already there. Adopt it.
            const existing = await findExisting(session, inputs.servicePrincipalObjectId);
            if (!existing) {
                throw new Error(`Azure DevOps refused to add service principal ${inputs.servicePrincipalObjectId} to "${inputs.organization}": ${outcome.rejected}. ` +
                    "Check that it is the object id of the service principal (Enterprise applications), that the organization is connected " +
                    "to the principal's tenant, and that a license of the requested access level is available.");
            }
            providerLog(`Service principal ${inputs.servicePrincipalObjectId} is already in "${inputs.organization}" (entitlement ${existing.id}); adopting it.`);
            if (existing.accessLevel?.accountLicenseType !== inputs.accessLevel) {
                await setAccessLevel(session, existing.id, inputs.accessLevel);
            }
            const outs = await toOutputs(session, inputs, existing, true, polling);
            return { id: outs.entitlementId, outs };
        });
    },

    /** Only the access level changes in place. */
    async update(id, olds, news) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const inputs = normalized(news);
            const session = await openAdoSession(inputs.organization);
            if (olds.accessLevel !== inputs.accessLevel) {
                await setAccessLevel(session, id, inputs.accessLevel);
            }
            return { outs: { ...olds, ...inputs } };
        });
    },

    async delete(id, props) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const session = await openAdoSession(props.organization);
            await deleteServicePrincipalEntitlement(session, id);
        });
    },
};

/** Adds an Entra service principal to an Azure DevOps organization with an access level. */
export class AzureDevOpsServicePrincipalEntitlement extends pulumi.dynamic.Resource {
    declare public readonly organization: pulumi.Output<string>;
    declare public readonly servicePrincipalObjectId: pulumi.Output<string>;
    declare public readonly accessLevel: pulumi.Output<AccessLevel>;
    declare public readonly entitlementId: pulumi.Output<string>;
    declare public readonly subjectDescriptor: pulumi.Output<string>;
    declare public readonly identityDescriptor: pulumi.Output<string>;
    declare public readonly displayName: pulumi.Output<string>;
    declare public readonly adoptedExisting: pulumi.Output<boolean>;

    constructor(name: string, args: AzureDevOpsServicePrincipalEntitlementArgs, opts?: pulumi.CustomResourceOptions) {
        super(servicePrincipalEntitlementProvider, name, {
            ...args,
            accessLevel: args.accessLevel ?? DEFAULT_ACCESS_LEVEL,
            entitlementId: undefined, subjectDescriptor: undefined, identityDescriptor: undefined, displayName: undefined, adoptedExisting: undefined,
        }, opts, "azuredevops", "ServicePrincipalEntitlement");
    }

    /** What AzureDevOpsProjectPermissions needs to grant this principal. */
    public get identifiers(): pulumi.Output<ServicePrincipalIdentifiers> {
        return pulumi.all([this.subjectDescriptor, this.identityDescriptor])
            .apply(([subjectDescriptor, identityDescriptor]) => ({ subjectDescriptor, identityDescriptor }));
    }
}
