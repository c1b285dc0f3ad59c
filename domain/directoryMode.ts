/**
 * How the program treats the Azure DevOps organization's Entra directory: `verify` only checks
 * that it is connected to the app's tenant; `connect` also connects an unconnected one.
 */
export const DIRECTORY_MODES = ["verify", "connect"] as const;
export type DirectoryMode = (typeof DIRECTORY_MODES)[number];
