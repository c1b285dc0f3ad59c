/**
 * Access levels of a user (here: the app's service principal) in an Azure DevOps organization,
 * as the entitlement API's `accountLicenseType` spells them: express is "Basic", advanced is
 * "Basic + Test Plans".
 */
export const ACCESS_LEVELS = ["stakeholder", "express", "advanced"] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** What Azure DevOps' portal (Organization settings › Users) calls each level. */
export const ACCESS_LEVEL_PORTAL_NAMES: Readonly<Record<AccessLevel, string>> = { stakeholder: "Stakeholder", express: "Basic", advanced: "Basic + Test Plans" };

/** Basic: Git read/contribute needs it in private projects; Stakeholder has no Repos access there. */
export const DEFAULT_ACCESS_LEVEL: AccessLevel = "express";
