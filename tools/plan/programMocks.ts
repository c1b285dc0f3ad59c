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
 * (`/applications/<guid>`) and the outputs only the cloud knows. A type without a mock of its own
 * (one the program does not declare: the policy pack's declared-resources-only rule refuses it)
 * gets a generic answer, its inputs echoed and a labelled id, so the plan runs to the end and the
 * pack judges it (exit 3 with the rule's message) instead of the plan crashing on it.
 */
export function programMocks(options: ProgramMockOptions): pulumi.runtime.Mocks {
    const value = (what: string, of: string) => cloudValue(options.idStyle, what, of);
    const deployer = "the deploying identity";
    const genericResource = (name: string, inputs: State) => ({ id: value("id", name), state: { ...inputs } });

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
        "azuread:index/applicationPassword:ApplicationPassword": (name, inputs) => {
            // A new generation (other end date) is a new credential: derive identity from the inputs.
            const generation = `${name}|${String(inputs.endDate)}|${String(inputs.displayName)}`;
            const keyId = stableGuid("keyId", generation);
            return {
                id: `${String(inputs.applicationId)}/password/${keyId}`,
                state: {
                    ...inputs,
                    keyId,
                    startDate: options.at.toISOString().replace(/\.\d{3}Z$/, "Z"),
                    value: stableSecretValue(generation),
                },
            };
        },
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
        "pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication": (_name, inputs) => ({
            id: "4821",
            state: { ...inputs, applicationId: 4821, oauthRedirectUriDomain: new URL(String(inputs.apiBaseUrl)).host, adoptedExisting: false },
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
