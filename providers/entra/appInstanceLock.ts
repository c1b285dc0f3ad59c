/**
 * Desired state "no tenant's copy of the app can be given credentials of its own": the app instance
 * property lock (`servicePrincipalLockConfiguration` on the application), Microsoft's
 * recommendation for multitenant apps (Zero Trust assessment test 21777; Graph's application
 * resource). With `allProperties`, every sensitive property of the app's service principals is
 * locked, in every tenant: credentials used to sign or verify, token encryption key, identifier URIs.
 * @pulumi/azuread 6.9.1 does not expose it, so it is set over Microsoft Graph, on the deploying
 * identity's token (./api/graph.ts).
 *
 * Deleting the resource leaves the lock as it is: unlocking would widen what a tenant's copy of the
 * app may hold, which is not something a `pulumi destroy` should do silently.
 */
import * as pulumi from "@pulumi/pulumi";
import { sameGuid } from "../../domain/guid";
import { guidFailures } from "../checkFailures";
import { isUnknown, providerLog, withRedaction } from "../providerSafety";
import { getApplicationCredentials, InstanceLock, openGraphSession, setInstanceLock } from "./api/graph";

/** Microsoft's recommended lock: every property, enabled. */
export const RECOMMENDED_INSTANCE_LOCK: InstanceLock = {
    isEnabled: true,
    allProperties: true,
    credentialsWithUsageVerify: true,
    credentialsWithUsageSign: true,
    identifierUris: true,
    tokenEncryptionKeyId: true,
};

const LOCK_KEYS = Object.keys(RECOMMENDED_INSTANCE_LOCK);

export interface AppInstanceLockInputs {
    applicationObjectId: string;
    lock: InstanceLock;
}

function sameLock(a: InstanceLock | null | undefined, b: InstanceLock): boolean {
    return LOCK_KEYS.every((key) => (a?.[key] === true) === (b[key] === true));
}

/** The lock as Graph reports it, reduced to the keys this resource manages. */
function normalized(lock: InstanceLock | null): InstanceLock {
    return Object.fromEntries(LOCK_KEYS.map((key) => [key, lock?.[key] === true]));
}

async function apply(inputs: AppInstanceLockInputs): Promise<AppInstanceLockInputs> {
    const graph = openGraphSession();
    await setInstanceLock(graph, inputs.applicationObjectId, normalized(inputs.lock));
    const live = (await getApplicationCredentials(graph, inputs.applicationObjectId)).servicePrincipalLockConfiguration;
    if (!sameLock(live, inputs.lock)) {
        throw new Error(`Graph accepted the instance property lock of application ${inputs.applicationObjectId} but reads back ${JSON.stringify(live)}; ` +
            "re-run `pulumi up` in a minute (directory replication).");
    }
    return { applicationObjectId: inputs.applicationObjectId, lock: normalized(live) };
}

export const appInstanceLockProvider: pulumi.dynamic.ResourceProvider<AppInstanceLockInputs, AppInstanceLockInputs> = {
    async check(_olds, news) {
        const failures = guidFailures("applicationObjectId", news.applicationObjectId);
        if (!isUnknown(news.lock) && (typeof news.lock !== "object" || news.lock === null || !Object.values(news.lock).every((v) => typeof v === "boolean"))) {
            failures.push({ property: "lock", reason: `lock must map ${LOCK_KEYS.join(", ")} to true or false.` });
        }
        return { inputs: news, failures };
    },
    async diff(_id, olds, news) {
        if (!sameGuid(olds.applicationObjectId, news.applicationObjectId)) {
            return { changes: true, replaces: ["applicationObjectId"] };
        }
        return { changes: !sameLock(olds.lock, news.lock), replaces: [] };
    },
    async create(inputs) {
        return withRedaction(() => [], async () => ({ id: `${inputs.applicationObjectId}/servicePrincipalLockConfiguration`, outs: await apply(inputs) }));
    },
    async update(_id, _olds, news) {
        return withRedaction(() => [], async () => ({ outs: await apply(news) }));
    },
    /** For `pulumi refresh`: the lock as Graph has it, so a lock lifted in the portal shows as drift. */
    async read(id, props) {
        if (!props) {
            return { id, props };
        }
        return withRedaction(() => [], async () => {
            const live = normalized((await getApplicationCredentials(openGraphSession(), props.applicationObjectId)).servicePrincipalLockConfiguration);
            const state = { applicationObjectId: props.applicationObjectId, lock: live };
            return { id, props: state, inputs: state };
        });
    },
    async delete(_id, props) {
        providerLog(`The instance property lock of application ${props.applicationObjectId} is left in place; lift it in the portal ` +
            "(App registrations > the app > Authentication > App instance property lock) if that is really meant.");
    },
};

/** Arguments of {@link AppInstanceLock}. */
export interface AppInstanceLockArgs {
    /** The application's object id. */
    applicationObjectId: pulumi.Input<string>;
    /**
     * The lock.
     * @default RECOMMENDED_INSTANCE_LOCK (every property, enabled)
     */
    lock?: pulumi.Input<InstanceLock>;
}

/** The app instance property lock of an application, set over Microsoft Graph. */
export class AppInstanceLock extends pulumi.dynamic.Resource {
    declare public readonly applicationObjectId: pulumi.Output<string>;
    declare public readonly lock: pulumi.Output<InstanceLock>;

    constructor(name: string, args: AppInstanceLockArgs, opts?: pulumi.CustomResourceOptions) {
        super(appInstanceLockProvider, name, { applicationObjectId: args.applicationObjectId, lock: args.lock ?? RECOMMENDED_INSTANCE_LOCK }, opts, "entra", "AppInstanceLock");
    }
}
