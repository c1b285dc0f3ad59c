/**
 * Config time and preview time give the same verdict on the same value: every input below is fed
 * to the stack-config parser and to each provider's `check` that takes it, and all must agree with
 * the expected verdict. This catches a rule copied with other spelling (which oneHome.test cannot
 * see), and a provider check that drifted from domain/.
 *
 * No input has surrounding whitespace: the config parsers trim by design and hand the providers the
 * trimmed value, so " contoso" is a different question for each side.
 */
import * as assert from "assert/strict";
import { runtime } from "@pulumi/pulumi";
import { STACK_CONFIG_PARSERS } from "../../config/stackConfigSchema";
import { baseUrlOverrideProblem } from "../../domain/baseUrlOverride";
import { directoryConnectionProvider, DirectoryConnectionInputs } from "../../providers/azuredevops/directoryConnection";
import { projectPermissionsProvider, ProjectPermissionsInputs } from "../../providers/azuredevops/projectPermissions";
import { EntitlementInputs, servicePrincipalEntitlementProvider } from "../../providers/azuredevops/servicePrincipalEntitlement";
import { ClientSecretRotationInputs, clientSecretRotationProvider } from "../../providers/entra/clientSecretRotation";

const GUID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** Valid inputs for every provider; each row changes one of them. */
const VALID = {
    entitlement: { organization: "contoso", servicePrincipalObjectId: GUID, accessLevel: "express" } as EntitlementInputs,
    permissions: {
        organization: "contoso", project: "Analytics", access: "least_privilege",
        servicePrincipal: { subjectDescriptor: "aadsp.x", identityDescriptor: "Microsoft.VisualStudio.Services.Claims.AadServicePrincipal;x" },
    } as ProjectPermissionsInputs,
    // mode unknown (as in a preview): check validates the inputs and makes no call to Azure DevOps.
    connection: { organization: "contoso", tenantId: GUID, mode: runtime.unknownValue } as unknown as DirectoryConnectionInputs,
    rotation: {
        applicationObjectId: GUID, clientId: GUID, tenantId: GUID, owner: "dbt-azure-devops/dev",
        current: { slot: "a", period: 1, periodStart: "2024-03-31T00:00:00.000Z", endDate: "2024-09-11T00:00:00Z" },
        readiness: { successes: 8, timeoutSeconds: 300 },
        handover: { kind: "dbtCloud", accountId: "1", apiBaseUrl: "https://cloud.getdbt.com/api", organizationName: "contoso", authMethod: "service_principal", redirectHosts: ["cloud.getdbt.com"] },
    } as ClientSecretRotationInputs,
};

/** Whether the rotation's check accepts `value` for the dbt handover's `field` (the other inputs valid). */
async function handoverAccepts(field: string, value: string): Promise<boolean> {
    const news = { ...VALID.rotation, handover: { ...VALID.rotation.handover, [field]: value } } as ClientSecretRotationInputs;
    const result = await clientSecretRotationProvider.check!({} as ClientSecretRotationInputs, news);
    return !(result.failures ?? []).some((f) => f.property === `handover.${field}`);
}

/** Whether a provider's check accepts `value` for `property` (the other inputs valid). */
async function accepts<T extends object>(provider: { check?: (olds: T, news: T) => Promise<{ failures?: Array<{ property: string }> }> }, valid: T, property: string, value: string): Promise<boolean> {
    const result = await provider.check!({} as T, { ...valid, [property]: value });
    return !(result.failures ?? []).some((f) => f.property === property);
}

/** The config parser's verdict, and each provider check's, on one value. */
type Judge = (value: string) => Promise<boolean> | boolean;

const KINDS: Record<string, { judges: Record<string, Judge>; cases: Array<[value: string, accepted: boolean]> }> = {
    "organization name": {
        judges: {
            "config adoOrganization": (v) => STACK_CONFIG_PARSERS.adoOrganization(v).ok,
            "ServicePrincipalEntitlement.check organization": (v) => accepts(servicePrincipalEntitlementProvider, VALID.entitlement, "organization", v),
            "ProjectPermissions.check organization": (v) => accepts(projectPermissionsProvider, VALID.permissions, "organization", v),
            "DirectoryConnection.check organization": (v) => accepts(directoryConnectionProvider, VALID.connection, "organization", v),
            "ClientSecretRotation.check handover.organizationName": (v) => handoverAccepts("organizationName", v),
        },
        cases: [
            ["contoso", true], ["Contoso", true], ["CONTOSO", true], ["contoso-data-2", true], ["a", true], ["9", true],
            ["x".repeat(50), true], ["x".repeat(51), false], ["-contoso", false], ["contoso-", false], ["con_toso", false],
            ["con toso", false], ["contoso.eu", false], ["", false],
            ["dev.azure.com/contoso", false], ["https://dev.azure.com/contoso", false], ["https://dev.azure.com/Contoso/Analytics", false],
            ["https://contoso@dev.azure.com/contoso/Analytics/_git/repo", false], ["https://contoso.visualstudio.com", false],
            ["contoso.visualstudio.com", false], ["https://dev.azure.com/%E0%A4%A", false],
        ],
    },
    "GUID": {
        judges: {
            "config owners item (objectId)": (v) => STACK_CONFIG_PARSERS.owners(JSON.stringify([v])).ok,
            "config existingApplicationObjectId": (v) => STACK_CONFIG_PARSERS.existingApplicationObjectId(v).ok,
            "ServicePrincipalEntitlement.check servicePrincipalObjectId": (v) => accepts(servicePrincipalEntitlementProvider, VALID.entitlement, "servicePrincipalObjectId", v),
            "DirectoryConnection.check tenantId": (v) => accepts(directoryConnectionProvider, VALID.connection, "tenantId", v),
            "ClientSecretRotation.check applicationObjectId": (v) => accepts(clientSecretRotationProvider, VALID.rotation, "applicationObjectId", v),
            "ClientSecretRotation.check clientId": (v) => accepts(clientSecretRotationProvider, VALID.rotation, "clientId", v),
            "ClientSecretRotation.check tenantId": (v) => accepts(clientSecretRotationProvider, VALID.rotation, "tenantId", v),
        },
        cases: [
            [GUID, true], [GUID.toUpperCase(), true], ["72F988BF-86f1-41AF-91ab-2D7CD011DB47", true],
            [`{${GUID}}`, false], [`(${GUID})`, false], [GUID.replace(/-/g, ""), false], [GUID.slice(1), false], [`${GUID}0`, false],
            ["72f988bg-86f1-41af-91ab-2d7cd011db47", false], ["not-a-guid", false], [`urn:uuid:${GUID}`, false],
        ],
    },
    "authentication mode": {
        judges: {
            "config authMode": (v) => STACK_CONFIG_PARSERS.authMode(v).ok,
            "ClientSecretRotation.check handover.authMethod": (v) => handoverAccepts("authMethod", v),
        },
        cases: [
            ["service_principal", true], ["service_user", true], ["Service_Principal", false], ["SERVICE_USER", false],
            ["service-principal", false], ["serviceprincipal", false], ["oauth", false], ["", false],
        ],
    },
    // Where tokens may be sent: the override variables and the dbt handover's apiBaseUrl (issue 17, Why 9).
    "token URL": {
        judges: {
            "env override (DBT_CLOUD_HOST_URL)": (v) => baseUrlOverrideProblem("DBT_CLOUD_HOST_URL", v) === undefined,
            "ClientSecretRotation.check handover.apiBaseUrl": (v) => handoverAccepts("apiBaseUrl", v),
        },
        cases: [
            ["https://cloud.getdbt.com/api", true], ["https://ab123.us1.dbt.com/api", true], ["http://127.0.0.1:8080/api", true],
            ["http://localhost:9000/api", true], ["http://[::1]:9000", true], ["HTTP://LOCALHOST/api", true],
            ["http://cloud.getdbt.com/api", false], ["http://localhost.evil.example/api", false], ["http://127.0.0.1.evil.example", false],
            ["http://localhost\t.evil.example", false], ["http://localhost\n.evil.example", false], ["http://local\rhost.evil.example", false],
            ["http://localhost\u0000.evil.example", false], ["https://user:pass@cloud.getdbt.com/api", false],
            ["http://evil.example@localhost/api", false], ["ftp://cloud.getdbt.com", false], ["cloud.getdbt.com/api", false], ["", false],
        ],
    },
    "project name": {
        judges: {
            "config adoProjects item": (v) => STACK_CONFIG_PARSERS.adoProjects(JSON.stringify([v])).ok,
            "ProjectPermissions.check project": (v) => accepts(projectPermissionsProvider, VALID.permissions, "project", v),
        },
        cases: [
            ["Analytics", true], ["analytics", true], ["Data Platform", true], ["p".repeat(64), true], ["p".repeat(65), false],
            ["_hidden", false], [".dot", false], ["ends.", false], ["a/b", false], ["a#b", false], ["", false],
        ],
    },
};

/** Each judge's verdict that differs from the expected one, as "judge refuses/accepts value". */
async function disagreements(judges: Record<string, Judge>, cases: Array<[string, boolean]>): Promise<string[]> {
    const found: string[] = [];
    for (const [value, expected] of cases) {
        for (const [judge, verdict] of Object.entries(judges)) {
            if ((await verdict(value)) !== expected) {
                found.push(`${judge} ${expected ? "refuses" : "accepts"} ${JSON.stringify(value)}`);
            }
        }
    }
    return found;
}

describe("the same verdict at config time and preview time", () => {
    for (const [kind, { judges, cases }] of Object.entries(KINDS)) {
        it(`${kind}: the config parser and every provider check agree on ${cases.length} values`, async () => {
            assert.deepEqual(await disagreements(judges, cases), []);
        });
    }

    it("would catch a check spelled differently from domain/ (the table bites)", async () => {
        // Plausible hand-written copies: they pass oneHome.test's text patterns, but not this table.
        const copies: Record<string, Judge> = {
            "an organization check without the URL and end rules": (v) => /^[A-Za-z0-9-]{1,50}$/.test(v),
            "a lower-case-only organization check": (v) => /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/.test(v),
        };
        const found = await disagreements(copies, KINDS["organization name"].cases);
        assert.ok(found.some((d) => d.includes("without the URL") && d.includes("\"-contoso\"")), found.join("\n"));
        assert.ok(found.some((d) => d.includes("lower-case-only") && d.includes("\"Contoso\"")), found.join("\n"));
        const guid = await disagreements({ "an unanchored GUID check": (v) => /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(v) }, KINDS.GUID.cases);
        assert.ok(guid.some((d) => d.includes("{")), guid.join("\n"));
    });
});
