/**
 * Desired state "the Entra service principal is a member of the Azure DevOps organization
 * with access level L". Adopts an entitlement that already exists (a manual setup, or a
 * previous run whose answer was lost); destroy removes the principal from the organization
 * (use the retainOnDelete resource option to keep it).
 */
import * as pulumi from "@pulumi/pulumi";
import { partialFailure, providerLog, withRedaction } from "../providerSafety";
import { ENV_KNOBS, envInteger } from "../../lib/http/settings";
import { ACCESS_LEVELS, AccessLevel, DEFAULT_ACCESS_LEVEL } from "../../domain/accessLevel";
import { sameGuid } from "../../domain/guid";
import { sameOrganization } from "../../domain/organizationName";
import { guidFailures, oneOfFailures, organizationFailures } from "../checkFailures";
import { AdoSession, openAdoSession } from "./api/client";
import { notVisibleYet, ReadLagPolling, readLagPollingFromEnv, readUntil } from "./api/eventually";
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
type IdentityPolling = ReadLagPolling;

/**
 * Read (and validated) before any API call, so a typo such as DBT_ADO_IDENTITY_ATTEMPTS=abc
 * fails at once instead of polling forever, and before the principal is added.
 */
function identityPollingFromEnv(): IdentityPolling {
    return { attempts: envInteger(ENV_KNOBS.identityAttempts), pauseMs: envInteger(ENV_KNOBS.identityPauseMs) };
}

/** New principals take a moment to appear in Identities; poll a bounded number of times. */
async function resolveIdentityDescriptor(session: AdoSession, subjectDescriptor: string, polling: IdentityPolling): Promise<string> {
    const seen = await readUntil(polling, () => identityDescriptorOf(session, subjectDescriptor), (descriptor) => Boolean(descriptor));
    if (!seen.settled || !seen.value) {
        throw new Error(`Azure DevOps has no identity for subject ${subjectDescriptor} yet; re-run \`pulumi up\` in a minute.`);
    }
    return seen.value;
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

/**
 * Reads the entitlement back after an add (fresh or adopted) or an access-level change, polling
 * while the write does not show yet (reads lag writes; terraform-provider-azuredevops re-reads after
 * every write too). Azure DevOps may answer a licence other than the one asked for (the
 * MicrosoftDocs/vsts-rest-api-specs 7.1 example POST__memberEntitlementManagement_ServicePrincipalEntitlement
 * asks for "stakeholder" and is answered "earlyAdopter"): it is set once more, and if it still
 * differs the create fails with what was found, recording the actual level so the next `up` sees
 * the difference (never recorded as if it were the asked-for level).
 */
/**
 * Whether an answered accountLicenseType is the level asked for. "express", "earlyAdopter" and
 * "basic" name the same Basic level (terraform-provider-azuredevops suppresses diffs between them:
 * resource_service_principal_entitlement.go, account_license_type's DiffSuppressFunc).
 */
export function sameAccessLevel(answered: string | undefined, wanted: string): boolean {
    const basic = ["express", "earlyadopter", "basic"];
    const a = (answered ?? "").toLowerCase();
    const w = wanted.toLowerCase();
    return a === w || (basic.includes(a) && basic.includes(w));
}

async function confirmAccessLevel(
    session: AdoSession, inputs: EntitlementInputs, entitlementId: string, polling: ReadLagPolling,
): Promise<{ entitlement?: ServicePrincipalEntitlement; problem?: string }> {
    const wanted = inputs.accessLevel;
    const read = () => getServicePrincipalEntitlement(session, entitlementId);
    let seen = await readUntil(polling, read, (e) => sameAccessLevel(e?.accessLevel?.accountLicenseType, wanted));
    if (!seen.value) {
        return { problem: notVisibleYet(`Added service principal ${inputs.servicePrincipalObjectId} to "${inputs.organization}" (entitlement ${entitlementId})`, polling) };
    }
    if (!seen.settled) {
        providerLog(`Azure DevOps answered access level "${seen.value.accessLevel?.accountLicenseType}" for entitlement ${entitlementId}, not "${wanted}"; setting "${wanted}" again.`);
        await setAccessLevel(session, entitlementId, wanted);
        seen = await readUntil(polling, read, (e) => sameAccessLevel(e?.accessLevel?.accountLicenseType, wanted));
    }
    if (seen.value && !seen.settled) {
        const actual = seen.value.accessLevel?.accountLicenseType ?? "unknown";
        return {
            entitlement: seen.value,
            problem: `Asked Azure DevOps for access level "${wanted}" for service principal ${inputs.servicePrincipalObjectId} in "${inputs.organization}", ` +
                `but it reads back as "${actual}". Most often no licence of that kind is free (Organization settings > Billing, and Users for assigned licences). ` +
                `Free or buy one, then re-run \`pulumi up\`; state records "${actual}", so that run sets "${wanted}" again.`,
        };
    }
    return { entitlement: seen.value };
}

/** Records the create as done with the level actually found, and fails with `problem`. */
function levelMismatch(problem: string, outs: EntitlementOutputs, actual: string, rawInputs: EntitlementInputs): Error {
    return partialFailure(new Error(problem), outs.entitlementId, { ...outs, accessLevel: actual }, rawInputs as unknown as Record<string, unknown>);
}

export const servicePrincipalEntitlementProvider: pulumi.dynamic.ResourceProvider<EntitlementInputs, EntitlementOutputs> = {
    async check(_olds, news) {
        const inputs = normalized(news);
        const failures = [
            ...organizationFailures(inputs.organization),
            ...guidFailures("servicePrincipalObjectId", inputs.servicePrincipalObjectId),
            ...oneOfFailures("accessLevel", inputs.accessLevel, ACCESS_LEVELS, " (express = Basic)"),
        ];
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        const inputs = normalized(news);
        const replaces: string[] = [];
        if (!sameOrganization(String(olds.organization), String(inputs.organization))) replaces.push("organization");
        if (!sameGuid(String(olds.servicePrincipalObjectId), String(inputs.servicePrincipalObjectId))) replaces.push("servicePrincipalObjectId");
        return { changes: replaces.length > 0 || olds.accessLevel !== inputs.accessLevel, replaces };
    },

    async create(news) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const inputs = normalized(news);
            const polling = identityPollingFromEnv();
            const lag = readLagPollingFromEnv();
            const session = await openAdoSession(inputs.organization);
            const outcome = await addServicePrincipalEntitlement(session, inputs.servicePrincipalObjectId, inputs.accessLevel);
            let entitlement: ServicePrincipalEntitlement;
            let adopted: boolean;
            if ("added" in outcome) {
                entitlement = outcome.added;
                adopted = false;
            } else {
                // Rejected: most often because the principal is already there. Adopt it.
                const existing = await findExisting(session, inputs.servicePrincipalObjectId);
                if (!existing) {
                    throw new Error(`Azure DevOps refused to add service principal ${inputs.servicePrincipalObjectId} to "${inputs.organization}": ${outcome.rejected}. ` +
                        "Check that it is the object id of the service principal (Enterprise applications), that the organization is connected " +
                        "to the principal's tenant, and that a license of the requested access level is available.");
                }
                providerLog(`Service principal ${inputs.servicePrincipalObjectId} is already in "${inputs.organization}" (entitlement ${existing.id}); adopting it.`);
                if (!sameAccessLevel(existing.accessLevel?.accountLicenseType, inputs.accessLevel)) {
                    await setAccessLevel(session, existing.id, inputs.accessLevel);
                }
                entitlement = existing;
                adopted = true;
            }
            // Read back: the level answered may not be the one asked for, and reads lag writes.
            const confirmed = await confirmAccessLevel(session, inputs, entitlement.id, lag);
            if (!confirmed.entitlement) {
                throw new Error(confirmed.problem);
            }
            const outs = await toOutputs(session, inputs, { ...entitlement, ...confirmed.entitlement, servicePrincipal: confirmed.entitlement.servicePrincipal ?? entitlement.servicePrincipal }, adopted, polling);
            if (confirmed.problem) {
                throw levelMismatch(confirmed.problem, outs, confirmed.entitlement.accessLevel?.accountLicenseType ?? "unknown", news);
            }
            return { id: outs.entitlementId, outs };
        });
    },

    /** Only the access level changes in place; read back like create, never recorded unless seen. */
    async update(id, olds, news) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const inputs = normalized(news);
            const lag = readLagPollingFromEnv();
            const session = await openAdoSession(inputs.organization);
            if (olds.accessLevel !== inputs.accessLevel) {
                await setAccessLevel(session, id, inputs.accessLevel);
                const confirmed = await confirmAccessLevel(session, inputs, id, lag);
                if (confirmed.problem) {
                    throw new Error(confirmed.problem);
                }
            }
            return { outs: { ...olds, ...inputs } };
        });
    },

    /** Removes the principal, then reads until it is gone, so a create right after adds it afresh. */
    async delete(id, props) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const lag = readLagPollingFromEnv();
            const session = await openAdoSession(props.organization);
            await deleteServicePrincipalEntitlement(session, id);
            const gone = await readUntil(lag, () => getServicePrincipalEntitlement(session, id), (e) => e === undefined);
            if (!gone.settled) {
                throw new Error(notVisibleYet(`Removed entitlement ${id} from "${props.organization}"`, lag));
            }
        });
    },

    /**
     * `pulumi refresh`: a principal removed from the organization (404, or status "none"/"deleted")
     * is gone (`{ id: "" }`); another access level is drift, returned in both outputs and inputs so
     * the next `up` compares the declared level with the real one and sets it again. Reads only;
     * the outputs carry no credential.
     */
    async read(id, props) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            if (!props) {
                return { id, props };
            }
            const session = await openAdoSession(props.organization);
            const entitlement = await getServicePrincipalEntitlement(session, id);
            if (!entitlement) {
                return { id: "" };
            }
            const answered = entitlement.accessLevel?.accountLicenseType;
            // The declared name stays while Azure DevOps answers the same level under another name.
            const accessLevel = (answered === undefined || sameAccessLevel(answered, props.accessLevel) ? props.accessLevel : answered) as AccessLevel;
            const outs: EntitlementOutputs = {
                ...props,
                accessLevel,
                displayName: entitlement.servicePrincipal?.displayName ?? props.displayName,
            };
            const inputs: EntitlementInputs = { organization: props.organization, servicePrincipalObjectId: props.servicePrincipalObjectId, accessLevel };
            // ReadResult types `inputs` as the outputs type; the host stores exactly these keys as inputs.
            return { id, props: outs, inputs: inputs as unknown as EntitlementOutputs };
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
