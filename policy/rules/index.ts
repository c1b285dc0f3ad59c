import { Rule } from "../types";
import { appProtected } from "./appProtected";
import { clientSecretLifetime } from "./clientSecretLifetime";
import { dbtRedirectUris } from "./dbtRedirectUris";
import { multitenantApp } from "./multitenantApp";
import { noUndeclaredAppGrants } from "./noUndeclaredAppGrants";
import { onlyAdoUserImpersonation } from "./onlyAdoUserImpersonation";

/** Every rule of the pack, in the order verdicts are printed. */
export const RULES: readonly Rule<object>[] = [
    multitenantApp,
    dbtRedirectUris,
    onlyAdoUserImpersonation,
    clientSecretLifetime,
    appProtected,
    noUndeclaredAppGrants,
];
