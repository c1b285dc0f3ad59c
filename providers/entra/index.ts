/** Entra resources over Microsoft Graph: the client secret's rotation and handover, and the app instance property lock. */
export * from "./appInstanceLock";
export * from "./clientSecretRotation";
