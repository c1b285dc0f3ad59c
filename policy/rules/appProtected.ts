import { Rule } from "../types";
import { APPLICATION_TYPE } from "../wellKnownIds";

/**
 * Deleting the app registration breaks every dbt Cloud user's Azure DevOps connection, and a
 * recreated app has a new client id that must be re-entered in dbt Cloud. The `protect`
 * resource option makes Pulumi refuse the delete (or a replace) until someone unprotects it
 * on purpose.
 */
export const appProtected: Rule = {
    name: "entra-app-protected",
    description: "The Entra ID application is declared with the `protect` resource option, so Pulumi refuses to delete it.",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ opts }) {
        return opts.protect === true
            ? []
            : ["is not protected: set the resource option `protect: true` (config protectApplication) so a delete or replace is refused."];
    },
};
