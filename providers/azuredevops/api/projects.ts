/**
 * Project lookup by name, with an error that lists what does exist.
 */
import { AdoSession, adoListAll, adoRequest, PERMISSION_HINTS } from "./client";

export interface ProjectRef {
    id: string;
    name: string;
}

export async function resolveProject(session: AdoSession, projectName: string): Promise<ProjectRef> {
    const projects = await adoListAll<ProjectRef>(session, {
        method: "GET", host: "core", path: "_apis/projects?$top=500&api-version=7.1", permissionHint: PERMISSION_HINTS.projectRead,
    });
    const match = projects.find((p) => p.name.toLowerCase() === projectName.toLowerCase());
    if (!match) {
        const names = projects.map((p) => `"${p.name}"`).sort().join(", ");
        throw new Error(`Azure DevOps organization "${session.organization}" has no project named "${projectName}". ` +
            `Projects visible to this credential: ${names || "none"}.`);
    }
    return match;
}

/** A project by id, or undefined when it no longer exists (404). For refresh. */
export async function findProject(session: AdoSession, projectId: string): Promise<ProjectRef | undefined> {
    const result = await adoRequest<ProjectRef>(session, {
        method: "GET", host: "core", path: `_apis/projects/${encodeURIComponent(projectId)}?api-version=7.1`,
        permissionHint: PERMISSION_HINTS.projectRead, acceptStatuses: [404],
    });
    return result.status === 404 || !result.body?.id ? undefined : result.body;
}
