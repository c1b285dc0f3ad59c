import {
    AZURE_DEVOPS_APP_ID, GIT_REPOSITORIES_NAMESPACE, MICROSOFT_GRAPH_APP_ID, NOT_CONNECTED_TENANT, SERVICE_HOOKS_NAMESPACE,
    USER_IMPERSONATION_SCOPE_ID_FALLBACK,
} from "../../domain/wellKnownIds";

/**
 * What the well-known GUIDs in a plan are, for a reviewer who does not know them by heart. The
 * GUIDs are domain/wellKnownIds.ts's; only the words are the plan's.
 */
export const WELL_KNOWN_GUID_LABELS: Readonly<Record<string, string>> = {
    [AZURE_DEVOPS_APP_ID]: "Azure DevOps (Microsoft's application, the same in every tenant)",
    [USER_IMPERSONATION_SCOPE_ID_FALLBACK]: "user_impersonation, Azure DevOps' delegated permission",
    [MICROSOFT_GRAPH_APP_ID]: "Microsoft Graph",
    [NOT_CONNECTED_TENANT]: "no directory (an organization connected to none)",
    [SERVICE_HOOKS_NAMESPACE]: "Azure DevOps security namespace ServiceHooks",
    [GIT_REPOSITORIES_NAMESPACE]: "Azure DevOps security namespace Git Repositories",
};

/** The well-known GUIDs in `text`, each once, in order of appearance, as `<guid>: <what it is>`. */
export function wellKnownGuidsIn(text: string): string[] {
    const lower = text.toLowerCase();
    return Object.entries(WELL_KNOWN_GUID_LABELS)
        .map(([guid, label]) => ({ at: lower.indexOf(guid), line: `${guid}: ${label}` }))
        .filter((found) => found.at >= 0)
        .sort((a, b) => a.at - b.at)
        .map((found) => found.line);
}
