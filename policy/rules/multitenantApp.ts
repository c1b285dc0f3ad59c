import { Rule } from "../types";
import { APPLICATION_TYPE } from "../wellKnownIds";

const MULTITENANT = "AzureADMultipleOrgs";

/**
 * dbt Cloud signs users in through its own multitenant flow, so the app must accept accounts
 * from any directory. Single-tenant is the most common setup mistake in dbt's docs.
 */
export const multitenantApp: Rule = {
    name: "entra-app-multitenant",
    description: `The Entra ID application's signInAudience is ${MULTITENANT}, as dbt Cloud requires.`,
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ props }) {
        const audience = props.signInAudience;
        if (audience === MULTITENANT) {
            return [];
        }
        // The provider's default is AzureADMyOrg: leaving it out is the same mistake.
        const actual = audience === undefined ? "unset (Entra defaults to AzureADMyOrg)" : JSON.stringify(audience);
        return [`signInAudience is ${actual}; dbt Cloud needs ${MULTITENANT} ("Accounts in any organizational directory").`];
    },
};
