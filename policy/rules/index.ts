import { Rule } from "../types";
import { appInstanceLock } from "./appInstanceLock";
import { noImplicitGrant, noInlinePassword, noPublicClientFlows, webRedirectUrisOnly } from "./appHardening";
import { appProtected } from "./appProtected";
import { clientSecretLifetime } from "./clientSecretLifetime";
import { consentOnAzureDevOpsOnly } from "./consentOnAzureDevOpsOnly";
import { dbtApiHostAllowed } from "./dbtApiHostAllowed";
import { dbtRedirectUris } from "./dbtRedirectUris";
import { declaredResourcesOnly } from "./declaredResourcesOnly";
import { multitenantApp } from "./multitenantApp";
import { noUndeclaredAppGrants } from "./noUndeclaredAppGrants";
import { onlyAdoUserImpersonation } from "./onlyAdoUserImpersonation";
import { ownersPinned } from "./ownersPinned";

/** Every rule of the pack, in the order verdicts are printed. */
export const RULES: readonly Rule<object>[] = [
    multitenantApp,
    dbtRedirectUris,
    onlyAdoUserImpersonation,
    clientSecretLifetime,
    appProtected,
    noUndeclaredAppGrants,
    // Issue 17: the allow-list around the app, and what each case it refuses would do.
    declaredResourcesOnly,
    noInlinePassword,
    noPublicClientFlows,
    noImplicitGrant,
    webRedirectUrisOnly,
    ownersPinned,
    consentOnAzureDevOpsOnly,
    dbtApiHostAllowed,
    appInstanceLock,
];
