import { Rule } from "../types";
import { lowerCased, readItems, UNKNOWN } from "../values";
import { APPLICATION_TYPE, SERVICE_PRINCIPAL_TYPE } from "../wellKnownIds";

export interface OwnersPinnedConfig {
    /** Object ids that may own the app and its service principal: the pack's own list, reviewed apart from the stack. */
    allowedOwners: string[];
}

/**
 * An owner of the app registration can add credentials and redirect URIs to it, and an owner of
 * its service principal can manage it: owning either is as good as holding the client secret. So
 * the owners are pinned, by the pack's own config (policy/config.json, under CODEOWNERS), not by
 * the stack or the program under review: every owner must be listed in `allowedOwners`, and an
 * owner only known when the update runs (the deploying identity, when the stack sets no
 * `owners`) is not pinned. Split `ApplicationOwner` resources are refused by
 * entra-app-no-undeclared-grants.
 */
export const ownersPinned: Rule<OwnersPinnedConfig> = {
    name: "entra-app-owners-pinned",
    description: "The Application's and its service principal's owners are object ids listed in the policy config's allowedOwners (policy/config.json), " +
        "set by the stack's owners config; never the identity that happens to run the update.",
    enforcementLevel: "mandatory",
    resourceType: [APPLICATION_TYPE, SERVICE_PRINCIPAL_TYPE],
    configSchema: {
        properties: {
            allowedOwners: {
                type: "array", items: { type: "string" }, default: [],
                description: "Object ids (users, groups or service principals) that may own the app and its service principal.",
            },
        },
    },
    defaultConfig: { allowedOwners: [] },
    check({ props }, { config }) {
        const allowed = lowerCased(config.allowedOwners ?? []);
        const fix = `Pin them: set the stack's owners (pulumi config set --path 'owners[0]' <object id>) to object ids listed in the policy config's ` +
            `allowedOwners (policy/config.json: ${allowed.length > 0 ? allowed.join(", ") : "none listed yet"}).`;
        const owners = readItems(props, "owners");
        if (owners === UNKNOWN) {
            return [`has owners not known until the update runs, so they are not pinned. ${fix}`];
        }
        if (owners.length === 0) {
            return [`has no owners set, so whoever runs the first update owns it. ${fix}`];
        }
        const violations: string[] = [];
        for (const owner of owners) {
            if (owner === UNKNOWN) {
                violations.push(`has an owner not known until the update runs (the identity running it), so it is not pinned. ${fix}`);
            } else if (typeof owner !== "string" || !allowed.includes(owner.toLowerCase())) {
                violations.push(`has owner ${JSON.stringify(owner)}, which the policy config's allowedOwners does not list: owners can add credentials and ` +
                    `redirect URIs to the app. ${fix}`);
            }
        }
        return violations;
    },
};
