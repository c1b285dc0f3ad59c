/**
 * Project lookup by name, with an error that lists what does exist.
 */
import { describeUrl } from "../../../lib/http/redact";
import { sameProject } from "../../../domain/projectName";
import { AdoSession, adoListAll, adoRequest, PERMISSION_HINTS } from "./client";
import { orgUrl } from "./endpoints";

export interface ProjectRef {
    id: string;
    name: string;
}

export async function resolveProject(session: AdoSession, projectName: string): Promise<ProjectRef> {
    const projects = await adoListAll<ProjectRef>(session, {
        method: "GET", host: "core", path: "_apis/projects?$top=500&api-version=7.1", permissionHint: PERMISSION_HINTS.projectRead,
    });
    const match = projects.find((p) => sameProject(p.name, projectName));
    if (!match) {
        const names = projects.map((p) => `"${p.name}"`).sort().join(", ");
        throw new Error(`Azure DevOps organization "${session.organization}" has no project named "${projectName}". ` +
            `Projects visible to this credential: ${names || "none"}.`);
    }
    return match;
}

/**
 * A project by id, or undefined when Azure DevOps answers 404. For refresh. A 404 is not proof
 * the project is gone: Azure DevOps answers 404 as well for a project this credential cannot see.
 * A 200 without an `id` is not an answer about the project at all, so it is an error, never "gone".
 */
export async function findProject(session: AdoSession, projectId: string): Promise<ProjectRef | undefined> {
    const path = `_apis/projects/${encodeURIComponent(projectId)}?api-version=7.1`;
    const result = await adoRequest<ProjectRef>(session, {
        method: "GET", host: "core", path, permissionHint: PERMISSION_HINTS.projectRead, acceptStatuses: [404],
    });
    if (result.status === 404) {
        return undefined;
    }
    if (!result.body?.id) {
        throw new Error(`GET ${describeUrl(orgUrl(session.hosts.core, session.organization, path))} answered HTTP ${result.status} without a project id; ` +
            "refusing to read that as \"project gone\". Re-run `pulumi refresh`; if it persists, check what answers at that address (a proxy, a sign-in page).");
    }
    return result.body;
}
