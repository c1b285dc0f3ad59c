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
}

/**
 * Mocks that answer like the providers do: resource ids in the provider's format
 * (`/applications/<guid>`), the outputs only the cloud knows, and nothing for types the program
 * is not expected to register, so an unexpected resource fails loudly.
 */
export function programMocks(options: ProgramMockOptions): pulumi.runtime.Mocks {
    const value = (what: string, of: string) => cloudValue(options.idStyle, what, of);
    const deployer = "the deploying identity";

    const resources: Record<string, (name: string, inputs: State) => { id: string; state: State }> = {
        "azuread:index/application:Application": (name, inputs) => {
            const objectId = value("objectId", name);
            return {
                id: `/applications/${objectId}`,
                state: { ...inputs, objectId, clientId: value("clientId", name), publisherDomain: "contoso.onmicrosoft.com" },
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
            id: stableGuid("grant", name).replace(/-/g, ""),
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
                    subjectDescriptor: `aadsp.${Buffer.from(entitlementId).toString("base64url")}`,
                    identityDescriptor: `Microsoft.VisualStudio.Services.Claims.AadServicePrincipal;${value("tenantId", deployer)}\\${String(inputs.servicePrincipalObjectId)}`,
                    displayName: "dbt Labs Azure DevOps App",
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
                    grantedMemberships: grants.groups.map((groupName) => ({ groupName, groupDescriptor: `vssgp.${Buffer.from(`${projectId}:${groupName}`).toString("base64url")}` })),
                    preExistingMemberships: [],
                },
            };
        },
        // The Graph-backed resources: state shaped like what their providers return. A fresh stack's
        // first handover mints only the current slot's secret: there is no previous one yet.
        "pulumi-nodejs:dynamic/entra:ClientSecretRotation": (name, inputs) => {
            const current = inputs.current as { slot: string; period: number; endDate: string; periodStart: string };
            const keyId = value("keyId", `${name} slot ${current.slot}`);
            const handover = inputs.handover as { kind: string; apiBaseUrl?: string };
            return {
                id: `${String(inputs.applicationObjectId)}/${handover.kind}`,
                state: {
                    ...inputs,
                    slots: { [current.slot]: { keyId, endDate: current.endDate, period: current.period, displayName: `dbt Cloud slot ${current.slot} ${current.periodStart.slice(0, 10)}` } },
                    keyId,
                    expiresAt: current.endDate,
                    previousExpiresAt: "",
                    ...(handover.kind === "stackOutput" ? { value: stableSecretValue(name, current.endDate) } : {}),
                    ...(handover.kind === "dbtCloud"
                        ? { dbtRecord: { applicationId: 4821, effectiveApiBaseUrl: handover.apiBaseUrl, adoptedExisting: false, oauthRedirectUriDomain: new URL(String(handover.apiBaseUrl)).host } }
                        : {}),
                },
            };
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
            const mock = resources[args.type];
            if (!mock) {
                throw new Error(`No mock for resource type ${args.type} (${args.name}): add one to programMocks.`);
            }
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
            throw new Error(`No mock for function ${args.token}: add one to programMocks.`);
        },
    };
}
