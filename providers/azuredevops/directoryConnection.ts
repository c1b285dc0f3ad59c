/**
 * Desired state "Azure DevOps organization X is connected to Entra tenant T".
 * mode "verify" only checks (and fails with the admin steps); mode "connect" connects an
 * unconnected organization. It never moves an organization that is connected elsewhere,
 * and destroy leaves the connection in place: connecting changes who can sign in.
 */
import * as pulumi from "@pulumi/pulumi";
import { azureDevOpsCredentials } from "../../lib/http/azureDevOpsAuth";
import { isUnknown, providerLog, withRedaction } from "../providerSafety";
import { requestJson } from "../../lib/http/request";
import { ENV_KNOBS, envInteger, httpSettingsFromEnv } from "../../lib/http/settings";
import { DIRECTORY_MODES, DirectoryMode } from "../../domain/directoryMode";
import { sameGuid } from "../../domain/guid";
import { sameOrganization } from "../../domain/organizationName";
import { guidFailures, oneOfFailures, organizationFailures } from "../checkFailures";
import { OrganizationTenant, readOrganizationTenant } from "./api/connectionData";
import { markConnectedThisRun } from "./api/client";
import { ReadLagPolling, readUntil } from "./api/eventually";
import { azureDevOpsHosts, orgUrl } from "./api/endpoints";

export interface AzureDevOpsDirectoryConnectionArgs {
    /** Bare organization name, e.g. "contoso" (no https://dev.azure.com/ prefix). */
    organization: pulumi.Input<string>;
    /** Entra tenant (directory) id the organization must be connected to. */
    tenantId: pulumi.Input<string>;
    /** "verify": fail with instructions if not connected. "connect": connect an unconnected organization. */
    mode: pulumi.Input<DirectoryMode>;
}

export interface DirectoryConnectionInputs {
    organization: string;
    tenantId: string;
    mode: DirectoryMode;
}

export interface DirectoryConnectionOutputs extends DirectoryConnectionInputs {
    /** The tenant the organization was found connected to after create/update. */
    connectedTenantId: string;
    /** True only when this program made the connection (mode connect on an unconnected organization). */
    connectedByThisProgram: boolean;
}

const CONNECT_STEPS =
    "An Azure DevOps admin can connect it in Organization settings > Microsoft Entra > Connect directory. " +
    "Prerequisites: the person is a Project Collection Administrator of the organization, a member (not a guest) of the target tenant, " +
    "and the organization has at most 100 users. Connecting changes who can sign in, so this program does it only with mode \"connect\".";

function tenantProblem(organization: string, tenantId: string, mode: DirectoryMode, found: OrganizationTenant): string | undefined {
    switch (found.kind) {
        case "no-such-organization":
            return `Azure DevOps organization "${organization}" was not found (https://dev.azure.com/${organization} answered 404). ` +
                "Check the spelling: it is the name after dev.azure.com/ in your organization URL, and it must already exist.";
        case "connected":
            if (sameGuid(found.tenantId, tenantId)) {
                return undefined;
            }
            return `Azure DevOps organization "${organization}" is connected to Entra tenant ${found.tenantId}, not ${tenantId}. ` +
                "This program never moves an organization between directories. Either set tenantId to " + found.tenantId +
                " (and register the app there), or have an Azure DevOps admin change it in Organization settings > Microsoft Entra " +
                "> Switch directory, knowing that users of the old directory lose access.";
        case "not-connected":
            return mode === "connect"
                ? undefined
                : `Azure DevOps organization "${organization}" is not connected to any Entra directory, and mode is "verify". ${CONNECT_STEPS} ` +
                  "Or set mode to \"connect\" to let this program connect it.";
    }
}

async function connectOrganization(organization: string, tenantId: string): Promise<void> {
    const credentials = await azureDevOpsCredentials();
    const url = orgUrl(azureDevOpsHosts().vssps, organization, "_apis/Organization/Organizations/Me?api-version=5.0-preview.1");
    // Undocumented: the portal and public scripts connect a directory with this JSON-patch of
    // /TenantId (api-version 5.0-preview.1); Microsoft documents only the portal steps.
    await requestJson({
        method: "PATCH",
        url,
        headers: { Authorization: credentials.authorization },
        contentType: "application/json-patch+json",
        body: [{ from: "", op: 2, path: "/TenantId", value: tenantId }],
        permissionHint: `a Project Collection Administrator of "${organization}" who is a member (not guest) of tenant ${tenantId}; ` +
            "use an Entra token (DefaultAzureCredential) or a full-access PAT",
        credentialSource: credentials.source,
        secrets: credentials.secrets,
    }, httpSettingsFromEnv());
}

/** How long to wait for a new connection to show in connectionData (DBT_ADO_CONNECT_VERIFY_*). */
type ConnectPolling = ReadLagPolling;

/**
 * Read (and validated) before anything is changed: a typo such as
 * DBT_ADO_CONNECT_VERIFY_ATTEMPTS=abc must fail before the connect PATCH, not after it with a
 * misleading "still reports no directory".
 */
function connectPollingFromEnv(): ConnectPolling {
    return { attempts: envInteger(ENV_KNOBS.connectVerifyAttempts), pauseMs: envInteger(ENV_KNOBS.connectVerifyPauseMs) };
}

/** Connecting takes effect asynchronously; poll connectionData a bounded number of times (at least once). */
async function waitUntilConnected(organization: string, polling: ConnectPolling): Promise<OrganizationTenant> {
    return (await readUntil(polling, () => readOrganizationTenant(organization), (found) => found.kind === "connected")).value;
}

/** Brings the organization to "connected to tenantId" or throws; returns whether this call connected it. */
async function ensureConnected(inputs: DirectoryConnectionInputs): Promise<DirectoryConnectionOutputs> {
    const polling = connectPollingFromEnv();
    const found = await readOrganizationTenant(inputs.organization);
    const problem = tenantProblem(inputs.organization, inputs.tenantId, inputs.mode, found);
    if (problem) {
        throw new Error(problem);
    }
    if (found.kind === "connected") {
        return { ...inputs, connectedTenantId: found.tenantId, connectedByThisProgram: false };
    }
    providerLog(`Connecting Azure DevOps organization "${inputs.organization}" to Entra tenant ${inputs.tenantId} (mode "connect").`);
    await connectOrganization(inputs.organization, inputs.tenantId);
    // Later calls in this run with a PAT from before the connect may now be refused: say why.
    markConnectedThisRun(inputs.organization, inputs.tenantId);
    const after = await waitUntilConnected(inputs.organization, polling);
    if (after.kind !== "connected" || !sameGuid(after.tenantId, inputs.tenantId)) {
        const seen = after.kind === "connected" ? `tenant ${after.tenantId}` : "no directory";
        throw new Error(`Asked Azure DevOps to connect "${inputs.organization}" to tenant ${inputs.tenantId}, but connectionData still reports ${seen}. ` +
            `Re-run \`pulumi up\` in a minute; if it persists: ${CONNECT_STEPS}`);
    }
    return { ...inputs, connectedTenantId: after.tenantId, connectedByThisProgram: true };
}

function inputProblems(news: DirectoryConnectionInputs): pulumi.dynamic.CheckFailure[] {
    return [
        ...organizationFailures(news.organization),
        ...guidFailures("tenantId", news.tenantId),
        ...oneOfFailures("mode", news.mode, DIRECTORY_MODES),
    ];
}

export const directoryConnectionProvider: pulumi.dynamic.ResourceProvider<DirectoryConnectionInputs, DirectoryConnectionOutputs> = {
    /** Runs at preview: validates inputs and reads the organization's tenant anonymously. */
    async check(_olds, news) {
        return withRedaction(() => [], async () => {
            const failures = inputProblems(news);
            if (failures.length > 0 || isUnknown(news.organization) || isUnknown(news.tenantId) || isUnknown(news.mode)) {
                return { inputs: news, failures };
            }
            let reason: string | undefined;
            try {
                reason = tenantProblem(news.organization, news.tenantId, news.mode, await readOrganizationTenant(news.organization));
            } catch (error) {
                reason = `Could not read the directory of "${news.organization}": ${(error as Error).message}`;
            }
            return { inputs: news, failures: reason ? [{ property: reason.includes("not found") ? "organization" : "tenantId", reason }] : [] };
        });
    },

    async diff(_id, olds, news) {
        const replaces: string[] = [];
        if (!sameOrganization(String(olds.organization), String(news.organization))) replaces.push("organization");
        if (!sameGuid(String(olds.tenantId), String(news.tenantId))) replaces.push("tenantId");
        // A refresh that found the organization elsewhere (or nowhere) makes the next `up` verify
        // again: it connects (mode "connect", when unconnected) or fails with the admin's steps.
        const drifted = typeof olds.connectedTenantId === "string" && !sameGuid(olds.connectedTenantId, String(news.tenantId));
        const changes = replaces.length > 0 || olds.mode !== news.mode || drifted;
        return { changes, replaces };
    },

    async create(inputs) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const outs = await ensureConnected(inputs);
            return { id: inputs.organization.toLowerCase(), outs };
        });
    },

    /** Only mode can change in place; re-verify so state reflects reality. */
    async update(_id, olds, news) {
        return withRedaction(() => [process.env.AZDO_PERSONAL_ACCESS_TOKEN], async () => {
            const outs = await ensureConnected(news);
            return { outs: { ...outs, connectedByThisProgram: olds.connectedByThisProgram || outs.connectedByThisProgram } };
        });
    },

    /**
     * `pulumi refresh`: the tenant the organization is connected to now, read anonymously from
     * connectionData's X-VSS-ResourceTenant (no credential is sent, so none can show). An
     * organization that no longer exists is gone (`{ id: "" }`); an unconnected one reads as
     * connectedTenantId "" and one moved elsewhere as that tenant: drift the next `up` acts on.
     */
    async read(id, props) {
        return withRedaction(() => [], async () => {
            if (!props) {
                return { id, props };
            }
            const found = await readOrganizationTenant(props.organization);
            if (found.kind === "no-such-organization") {
                return { id: "" };
            }
            return { id, props: { ...props, connectedTenantId: found.kind === "connected" ? found.tenantId : "" } };
        });
    },

    /** Deliberately calls no API: disconnecting a directory would lock users out. */
    async delete(_id, props) {
        providerLog(`Leaving Azure DevOps organization "${props.organization}" connected to Entra tenant ${props.connectedTenantId}: ` +
            "disconnecting changes who can sign in, so it is never done automatically. " +
            "To disconnect, use Organization settings > Microsoft Entra > Disconnect directory.");
    },
};

/** Declares (and, in mode "connect", establishes) the organization's Entra directory connection. */
export class AzureDevOpsDirectoryConnection extends pulumi.dynamic.Resource {
    declare public readonly organization: pulumi.Output<string>;
    declare public readonly tenantId: pulumi.Output<string>;
    declare public readonly mode: pulumi.Output<DirectoryMode>;
    declare public readonly connectedTenantId: pulumi.Output<string>;
    declare public readonly connectedByThisProgram: pulumi.Output<boolean>;

    constructor(name: string, args: AzureDevOpsDirectoryConnectionArgs, opts?: pulumi.CustomResourceOptions) {
        super(directoryConnectionProvider, name, { ...args, connectedTenantId: undefined, connectedByThisProgram: undefined }, opts, "azuredevops", "DirectoryConnection");
    }
}
