/**
 * What the service principal is granted on each project: dbt's documented least-privilege set,
 * or membership of Project Administrators (dbt's simpler setup).
 */
export const PROJECT_ACCESS_MODES = ["least_privilege", "project_administrators"] as const;
export type ProjectAccess = (typeof PROJECT_ACCESS_MODES)[number];
