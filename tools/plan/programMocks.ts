import * as pulumi from "@pulumi/pulumi";
import { AZURE_DEVOPS_APP_ID, USER_IMPERSONATION, USER_IMPERSONATION_SCOPE_ID_FALLBACK } from "../../domain/wellKnownIds";
import { ProjectAccess } from "../../domain/projectAccess";
import { plannedGrants } from "../../providers/azuredevops/api/grants";
import { cloudValue, IdStyle, stableGuid, stableSecretValue } from "./stableIds";

type State = Record<string, unknown>;

export interface ProgramMockOptions {
    idStyle: IdStyle;
    /** The instant secrets are "created" at. */
    at: Date;
    /** What the tenant's Azure DevOps service principal publishes; a test can remove or change it. */
    azureDevOpsScopeIds?: Record<string, string>;
    /**
     * Called for each output a mock leaves unknown, as a preview has it until `pulumi up` creates
     * the resource (placeholder style only: the plan runs as a preview, and a value the program
     * itself judges, such as dbt Cloud's redirect domain, must not be a made-up one).
     */
    onUnknown?: (resource: string, output: string) => void;
}

/**
 * Mocks that answer like the providers do: resource ids in the provider's format
 * (`/applications/<guid>`) and the outputs only the cloud knows. Every value only the cloud knows
 * comes from `value` (or `realistic`): a realistic stand-in for tests (`guid` style), a labelled
 * placeholder such as `<keyId of dbt-azure-devops-secret-rotation>` for the plan. A type without a
 * mock of its own (one the program does not declare: the policy pack's declared-resources-only
 * rule refuses it) gets a generic answer, its inputs echoed and a labelled id, so the plan runs to
 * the end and the pack judges it (exit 3 with the rule's message) instead of the plan crashing on it.
 */
export function programMocks(options: ProgramMockOptions): pulumi.runtime.Mocks {
    const value = (what: string, of: string) => cloudValue(options.idStyle, what, of);
    /** A value in the provider's own shape for tests; the plan's labelled placeholder otherwise. */
    const realistic = <T>(what: string, of: string, stand: () => T): T | string => (options.idStyle === "guid" ? stand() : `<${what} of ${of}>`);
    const deployer = "the deploying identity";
    const genericResource = (name: string, inputs: State) => ({ id: value("id", name), state: { ...inputs } });

    const resources: Record<string, (name: string, inputs: State) => { id: string; state: State }> = {
        "azuread:index/application:Application": (name, inputs) => {
            const objectId = value("objectId", name);
            return {
                id: `/applications/${objectId}`,
                state: { ...inputs, objectId, clientId: value("clientId", name), publisherDomain: realistic("publisherDomain", name, () => "contoso.onmicrosoft.com") },
            };
        },
        "azuread:index/servicePrincipal:ServicePrincipal": (name, inputs) => {
            const objectId = value("objectId", name);
            return {
                id: `/servicePrincipals/${objectId}`,
                state: { ...inputs, objectId, applicationTenantId: value("tenantId", deployer), oauth2PermissionScopeIds: {} },
            };
        },
        "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant": (name, inputs) => ({
            id: realistic("id", name, () => stableGuid("grant", name).replace(/-/g, "")),
            state: { ...inputs },
        }),
        // The REST-backed resources: state shaped like what their providers return.
        // The organization is connected to the deploying identity's tenant, whatever the inputs say.
        "pulumi-nodejs:dynamic/azuredevops:DirectoryConnection": (_name, inputs) => ({
            id: String(inputs.organization).toLowerCase(),
            state: { ...inputs, connectedTenantId: value("tenantId", deployer), connectedByThisProgram: false },
        }),
        "pulumi-nodejs:dynamic/azuredevops:ServicePrincipalEntitlement": (name, inputs) => {
            const entitlementId = value("entitlementId", name);
            return {
                id: entitlementId,
                state: {
                    ...inputs,
                    entitlementId,
                    subjectDescriptor: realistic("subjectDescriptor", name, () => `aadsp.${Buffer.from(entitlementId).toString("base64url")}`),
                    identityDescriptor: realistic("identityDescriptor", name,
                        () => `Microsoft.VisualStudio.Services.Claims.AadServicePrincipal;${value("tenantId", deployer)}\\${String(inputs.servicePrincipalObjectId)}`),
                    displayName: realistic("displayName", name, () => "dbt Labs Azure DevOps App"),
                    adoptedExisting: false,
                },
            };
        },
        "pulumi-nodejs:dynamic/azuredevops:ProjectPermissions": (name, inputs) => {
            const projectId = value("projectId", `${String(inputs.project)}`);
            const grants = plannedGrants(inputs.access as ProjectAccess, projectId);
            return {
                id: `${String(inputs.organization)}/${projectId}`,
                state: {
                    ...inputs,
                    projectId,
                    grantedAces: grants.aces.map((ace) => ({ ...ace, alreadyAllowedBits: 0 })),
                    grantedMemberships: grants.groups.map((groupName) => ({
                        groupName,
                        groupDescriptor: realistic("descriptor", groupName, () => `vssgp.${Buffer.from(`${projectId}:${groupName}`).toString("base64url")}`),
                    })),
                    preExistingMemberships: [],
                },
            };
        },
        // The Graph-backed resources: state shaped like what their providers return. A fresh stack's
        // first handover mints only the current slot's secret: there is no previous one yet. dbt
        // Cloud reports its redirect domain when the record is written: unknown in the plan.
        "pulumi-nodejs:dynamic/entra:ClientSecretRotation": (name, inputs) => {
            const current = inputs.current as { slot: string; period: number; endDate: string; periodStart: string };
            const keyId = realistic("keyId", name, () => stableGuid("keyId", name, current.endDate));
            const handover = inputs.handover as { kind: string; apiBaseUrl?: string };
            const state: State = {
                ...inputs,
                slots: { [current.slot]: { keyId, endDate: current.endDate, period: current.period, displayName: `dbt Cloud slot ${current.slot} ${current.periodStart.slice(0, 10)}` } },
                keyId,
                expiresAt: current.endDate,
                previousExpiresAt: "",
                ...(handover.kind === "stackOutput" ? { value: stableSecretValue(name, current.endDate) } : {}),
            };
            if (handover.kind === "dbtCloud" && options.idStyle === "guid") {
                state.dbtRecord = { applicationId: 4821, effectiveApiBaseUrl: handover.apiBaseUrl, adoptedExisting: false, oauthRedirectUriDomain: new URL(String(handover.apiBaseUrl)).host };
            } else if (handover.kind === "dbtCloud") {
                options.onUnknown?.(name, "oauthRedirectUriDomain");
            }
            return { id: `${String(inputs.applicationObjectId)}/${handover.kind}`, state };
        },
        "pulumi-nodejs:dynamic/entra:AppInstanceLock": (_name, inputs) => ({
            id: `${String(inputs.applicationObjectId)}/servicePrincipalLockConfiguration`,
            state: { ...inputs },
        }),
    };

    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            if (args.type === "pulumi:pulumi:Stack" || !args.custom) {
                return { id: undefined, state: {} };
            }
            const mock = resources[args.type] ?? genericResource;
            // Dynamic resources carry their serialized provider as an input; it is not state.
            const { __provider: _provider, ...inputs } = args.inputs as State;
            return mock(args.name, inputs);
        },
        call(args: pulumi.runtime.MockCallArgs) {
            if (args.token === "azuread:index/getServicePrincipal:getServicePrincipal") {
                if (args.inputs.clientId !== AZURE_DEVOPS_APP_ID) {
                    throw new Error(`getServicePrincipal: no service principal for client id ${String(args.inputs.clientId)} in the mock tenant.`);
                }
                // Microsoft's first-party app: its home tenant is Microsoft's, its object id is per tenant.
                return {
                    id: value("objectId", "the Azure DevOps service principal"),
                    objectId: value("objectId", "the Azure DevOps service principal"),
                    clientId: AZURE_DEVOPS_APP_ID,
                    displayName: "Azure DevOps",
                    applicationTenantId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
                    oauth2PermissionScopeIds: options.azureDevOpsScopeIds ?? { [USER_IMPERSONATION]: USER_IMPERSONATION_SCOPE_ID_FALLBACK },
                };
            }
            if (args.token === "azuread:index/getClientConfig:getClientConfig") {
                return {
                    clientId: value("clientId", deployer),
                    objectId: value("objectId", deployer),
                    tenantId: value("tenantId", deployer),
                };
            }
            // A function the program is not expected to call: its inputs echoed and a labelled id, as for resources.
            return { ...args.inputs, id: value("id", args.token) };
        },
    };
}
