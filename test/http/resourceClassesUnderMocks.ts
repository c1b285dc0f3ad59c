/**
 * Run in a child process by resourceClasses.test.ts: constructs each resource class under
 * Pulumi mocks (setMocks is process-global, so it must not share a process with other suites)
 * and prints what the program would see.
 */
import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.setMocks({
    newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, entitlementId: "e-1", subjectDescriptor: "aadsp.x", identityDescriptor: "Microsoft.X;y", keyId: "k-1" } }),
    call: (args) => args.inputs,
}, "project", "stack", false);

async function main(): Promise<void> {
    const { AzureDevOpsDirectoryConnection } = await import("../../providers/azuredevops/directoryConnection");
    const { AzureDevOpsServicePrincipalEntitlement } = await import("../../providers/azuredevops/servicePrincipalEntitlement");
    const { AzureDevOpsProjectPermissions } = await import("../../providers/azuredevops/projectPermissions");
    const { ClientSecretRotation } = await import("../../providers/entra/clientSecretRotation");

    const connection = new AzureDevOpsDirectoryConnection("dir", { organization: "contoso", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", mode: "verify" });
    const entitlement = new AzureDevOpsServicePrincipalEntitlement("sp", { organization: "contoso", servicePrincipalObjectId: "92e26ce8-8e7c-4555-bdab-813b34b8e53a" });
    const permissions = new AzureDevOpsProjectPermissions("perm", { organization: "contoso", project: "Analytics", servicePrincipal: entitlement.identifiers, access: "least_privilege" });
    const rotation = new ClientSecretRotation("rotation", {
        applicationObjectId: "92e26ce8-8e7c-4555-bdab-813b34b8e53a", clientId: "c", tenantId: "t", owner: "project/stack",
        current: { slot: "a", period: 1, periodStart: "2024-03-31T00:00:00Z", endDate: "2024-09-11T00:00:00Z" },
        readiness: { successes: 8, timeoutSeconds: 300 },
        handover: { kind: "dbtCloud", accountId: "1", apiBaseUrl: "https://cloud.getdbt.com/api", organizationName: "contoso", authMethod: "service_principal", redirectHosts: ["cloud.getdbt.com"] },
    });
    pulumi.all([connection.mode, entitlement.accessLevel, entitlement.identityDescriptor, permissions.servicePrincipal, rotation.keyId])
        .apply(([mode, accessLevel, identityDescriptor, servicePrincipal, keyId]) => {
            console.log(JSON.stringify({ mode, accessLevel, identityDescriptor, servicePrincipal, keyId }));
        });
}

main().catch((error) => { console.error(error); process.exit(1); });
