import { Rule } from "../types";
import { APPLICATION_TYPE } from "../wellKnownIds";

export interface AppProtectedConfig {
    /**
     * Stacks being torn down on purpose: their app may be unprotected (stack config
     * `protectApplication: false`) so that `pulumi destroy` can delete it. Listed in the pack's own
     * config, so a teardown is a reviewed change (docs/teardown.md).
     */
    teardownStacks: string[];
}

/**
 * Deleting the app registration breaks every dbt Cloud user's Azure DevOps connection, and a
 * recreated app has a new client id that must be re-entered in dbt Cloud. The `protect`
 * resource option makes Pulumi refuse the delete (or a replace) until someone unprotects it
 * on purpose: the one way that passes this rule is the pack config naming the stack in
 * `teardownStacks` (docs/teardown.md).
 */
export const appProtected: Rule<AppProtectedConfig> = {
    name: "entra-app-protected",
    description: "The Entra ID application is declared with the `protect` resource option, so Pulumi refuses to delete it, " +
        "unless the policy config's teardownStacks names the stack (a reviewed teardown).",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    configSchema: {
        properties: {
            teardownStacks: {
                type: "array", items: { type: "string" }, default: [],
                description: "Stacks whose app may be unprotected (protectApplication: false), to be destroyed: see docs/teardown.md.",
            },
        },
    },
    defaultConfig: { teardownStacks: [] },
    check({ opts, stack }, { config }) {
        if (opts.protect === true) {
            return [];
        }
        if (stack !== undefined && (config.teardownStacks ?? []).includes(stack)) {
            return [];
        }
        return [`is not protected: set the resource option \`protect: true\` (config protectApplication) so a delete or replace is refused. ` +
            `To tear ${stack !== undefined ? `stack ${stack}` : "this stack"} down on purpose, name it in the policy config's teardownStacks ` +
            "(policy/config.json, a reviewed change), as docs/teardown.md describes."];
    },
};
