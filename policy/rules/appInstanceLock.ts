import { Rule } from "../types";
import { read, UNKNOWN } from "../values";
import { APP_INSTANCE_LOCK_TYPE, APPLICATION_TYPE, DBT_APP_COMPONENT_TYPE } from "../wellKnownIds";

/**
 * A multitenant app has a service principal in every tenant that consents to it, and without the
 * app instance property lock (Graph's `servicePrincipalLockConfiguration`) an administrator of any
 * of those tenants can add credentials to their copy and sign in as the app there. Microsoft
 * recommends the lock for multitenant apps (Zero Trust assessment test 21777; issue 15 item 6).
 * Every Application must have the program's AppInstanceLock beside it: the child
 * `<app component>-lock` of the same DbtAzureDevOpsApp, enabled, on all properties.
 *
 * Matched by place, not by `applicationObjectId`, which is not known until the app exists.
 */
export const appInstanceLock: Rule = {
    name: "entra-app-instance-lock",
    description: "Every Application has the app instance property lock: an AppInstanceLock beside it (<app component>-lock) with lock.isEnabled and lock.allProperties true.",
    enforcementLevel: "mandatory",
    scope: "stack",
    resourceType: APPLICATION_TYPE,
    defaultConfig: {},
    check(application, { stack }) {
        const component = application.parentTypes.at(-1) === DBT_APP_COMPONENT_TYPE ? application.parentName : undefined;
        const lock = component === undefined ? undefined : (stack ?? []).find((r) =>
            r.type === APP_INSTANCE_LOCK_TYPE && r.parentName === component && r.name === `${component}-lock` && r.parentTypes.at(-1) === DBT_APP_COMPONENT_TYPE);
        if (lock === undefined) {
            return [`has no app instance property lock: declare the AppInstanceLock ${component ?? "<app component>"}-lock beside it, in its DbtAzureDevOpsApp, ` +
                "with lock.isEnabled and lock.allProperties true. Without it an administrator of any tenant that consented can add credentials to the app there."];
        }
        const settings = read(lock.props, "lock");
        const off = ["isEnabled", "allProperties"].filter((flag) => settings === UNKNOWN || read(settings, flag) !== true);
        return off.length === 0 ? [] : [`has an app instance property lock (${lock.name}) without ${off.map((f) => `lock.${f}: true`).join(" and ")}: ` +
            "every property of the app's instances must be locked."];
    },
};
