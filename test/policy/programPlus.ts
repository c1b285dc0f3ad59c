/**
 * This repository's program plus what a pull request might add beside it (issue 17, Why 2): an
 * application owner, a directory role and a group membership for a principal, and a tenant-wide
 * consent on Azure Resource Manager. For the offline plan, in-process ({@link withProgramPlus}) and
 * as the process `npm start` runs (`node -r dist/test/policy/programPlusPreload.js`).
 */
import * as azuread from "@pulumi/azuread";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const program = require("../../program") as { buildProgram: (config: never, at: Date) => Record<string, unknown> };

export const ATTACKER = "0b7d3c1e-2f4a-4d6b-8e9f-1a2b3c4d5e6f";
/** The tenant's Azure Resource Manager principal, as an attacker would look it up once and paste it. */
export const ARM_PRINCIPAL = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
export const EXTRA_NAMES = ["extra-owner", "sp-global-admin", "sp-in-admins", "arm-consent"];

export function declareExtras(): void {
    new azuread.ApplicationOwner("extra-owner", { applicationId: "/applications/00000000-0000-0000-0000-000000000001", ownerObjectId: ATTACKER });
    new azuread.DirectoryRoleAssignment("sp-global-admin", { roleId: "62e90394-69f5-4237-9190-012177145e10", principalObjectId: ATTACKER });
    new azuread.GroupMember("sp-in-admins", { groupObjectId: "5c2b0c3e-8f4a-4b1d-9e6f-0a1b2c3d4e5f", memberObjectId: ATTACKER });
    new azuread.ServicePrincipalDelegatedPermissionGrant("arm-consent", {
        servicePrincipalObjectId: ATTACKER, resourceServicePrincipalObjectId: ARM_PRINCIPAL, claimValues: ["user_impersonation"],
    });
}

/** Makes the program's buildProgram also run `extra`; returns what undoes it. */
export function patchProgram(extra: () => void): () => void {
    const original = program.buildProgram;
    program.buildProgram = (config, at) => {
        const outputs = original(config, at);
        extra();
        return outputs;
    };
    return () => {
        program.buildProgram = original;
    };
}

/** Runs `action` with the program's buildProgram followed by `extra`. */
export async function withProgramPlus<T>(extra: () => void, action: () => Promise<T>): Promise<T> {
    const undo = patchProgram(extra);
    try {
        return await action();
    } finally {
        undo();
    }
}
