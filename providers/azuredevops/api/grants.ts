/**
 * What each access mode grants, as data, so the provider can record and revoke it exactly.
 * Bits and tokens are the ones dbt documents for its service principal (dbt docs, "Set up
 * Azure DevOps" > service principal: ServiceHooks view/edit/delete on PublisherSecurity/<project>,
 * Git GenericContribute and PullRequestContribute on repoV2/<project>, and project Readers).
 */
import { ProjectAccess } from "../../../domain/projectAccess";
import { GIT_REPOSITORIES_NAMESPACE, SERVICE_HOOKS_NAMESPACE } from "../../../domain/wellKnownIds";

export interface AceGrant {
    namespaceId: string;
    /** Security token, e.g. "repoV2/<projectId>". */
    token: string;
    /** Human names of the bits, for messages and outputs. */
    permissionNames: string[];
    bits: number;
}

export interface PlannedGrants {
    aces: AceGrant[];
    /** Built-in project groups to join, by display name. */
    groups: string[];
}

export function plannedGrants(access: ProjectAccess, projectId: string): PlannedGrants {
    if (access === "project_administrators") {
        return { aces: [], groups: ["Project Administrators"] };
    }
    return {
        aces: [
            // ServiceHooks: ViewSubscriptions 1 | EditSubscriptions 2 | DeleteSubscriptions 4 (dbt creates webhooks for CI).
            { namespaceId: SERVICE_HOOKS_NAMESPACE, token: `PublisherSecurity/${projectId}`, permissionNames: ["ViewSubscriptions", "EditSubscriptions", "DeleteSubscriptions"], bits: 1 | 2 | 4 },
            // Git Repositories: GenericContribute 4 | PullRequestContribute 16384, project-wide.
            { namespaceId: GIT_REPOSITORIES_NAMESPACE, token: `repoV2/${projectId}`, permissionNames: ["GenericContribute", "PullRequestContribute"], bits: 4 | 16384 },
        ],
        groups: ["Readers"],
    };
}
