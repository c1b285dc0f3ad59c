/**
 * Settings on the one `azuread.Application` that give the app, or whoever holds its secret, more
 * than dbt Cloud's confidential web sign-in needs. Each is refused by declared-resources-only too
 * (the program sets none of them); these rules say what each one does.
 */
import { Rule } from "../types";
import { read, readItems, UNKNOWN } from "../values";
import { APPLICATION_TYPE } from "../wellKnownIds";

/**
 * An inline `password` block is a client secret outside the rotation: it lives until its own end
 * date, nobody rotates it, and dbt Cloud never holds it, so its only use is signing in as the app
 * from somewhere else.
 */
export const noInlinePassword: Rule = {
    name: "entra-app-no-inline-password",
    description: "The Application declares no inline `password` credential: client secrets come from the program's rotation only.",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ props }) {
        const password = read(props, "password");
        if (password === undefined || password === null) {
            return [];
        }
        return ["declares an inline `password` credential: a client secret the rotation does not manage and dbt Cloud never holds, valid until its " +
            "own end date. Remove it; the program's RotatingClientSecret is the app's only secret."];
    },
};

/**
 * `fallbackPublicClientEnabled` lets the app be used as a public client: flows without a client
 * secret (device code, resource-owner password) issue tokens for this app's Azure DevOps scope to
 * anyone who can phish a user, with no redirect URI to stop them.
 */
export const noPublicClientFlows: Rule = {
    name: "entra-app-no-public-client-flows",
    description: "The Application does not allow public client flows (fallbackPublicClientEnabled): dbt Cloud is a confidential web client.",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ props }) {
        const enabled = read(props, "fallbackPublicClientEnabled");
        if (enabled === true || enabled === UNKNOWN) {
            return ["allows public client flows (fallbackPublicClientEnabled): device-code and password flows would issue Azure DevOps tokens for this " +
                "app without its secret or a redirect URI. Leave it unset; dbt Cloud is a confidential web client."];
        }
        return [];
    },
};

/**
 * Implicit grant issues tokens straight into the redirect's URL fragment, where browser history,
 * logs and referrers leak them; dbt Cloud uses the authorization-code flow with its secret.
 */
export const noImplicitGrant: Rule = {
    name: "entra-app-no-implicit-grant",
    description: "The Application issues no access or ID tokens through the implicit grant (web.implicitGrant).",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ props }) {
        const web = read(props, "web");
        const grant = read(web, "implicitGrant");
        // An object in Pulumi's types; a one-item list is how a bridged provider's state may hold the block.
        const items = Array.isArray(grant) ? readItems(web, "implicitGrant") : [grant];
        const blocks = items === UNKNOWN ? [UNKNOWN] : items;
        const turnedOn = (block: unknown, flag: string) => [true, UNKNOWN].includes(read(block, flag) as boolean);
        const on = ["accessTokenIssuanceEnabled", "idTokenIssuanceEnabled"].filter((flag) => blocks.some((block) => turnedOn(block, flag)));
        return on.map((flag) => `turns on the implicit grant (web.implicitGrant.${flag}): tokens would be returned in the redirect's URL fragment. ` +
            "Leave it off; dbt Cloud uses the authorization-code flow.");
    },
};

/**
 * dbt Cloud signs in as a confidential Web client. A redirect URI under `singlePageApplication` or
 * `publicClient` lets a browser app or a native app receive codes for this app without the secret,
 * whatever host it names: the redirect-URI rule judges Web URIs, and these have no place at all.
 */
export const webRedirectUrisOnly: Rule = {
    name: "entra-app-web-redirect-uris-only",
    description: "The Application has no redirect URIs under singlePageApplication or publicClient: dbt Cloud only uses Web redirect URIs.",
    enforcementLevel: "mandatory",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check({ props }) {
        const violations: string[] = [];
        for (const platform of ["singlePageApplication", "publicClient"]) {
            const uris = readItems(read(props, platform), "redirectUris");
            if (uris === UNKNOWN) {
                violations.push(`${platform} redirect URIs are not known until the update; dbt Cloud only uses Web redirect URIs, remove them.`);
                continue;
            }
            for (const uri of uris) {
                const shown = uri === UNKNOWN ? "(not known until the update)" : JSON.stringify(uri);
                violations.push(`${platform} redirect URI ${shown} is not allowed: a ${platform === "publicClient" ? "native" : "browser"} app could ` +
                    "receive sign-in codes for this app without its secret. dbt Cloud only uses Web redirect URIs.");
            }
        }
        return violations;
    },
};
