/**
 * The app as Microsoft Graph has it now, with everything the audit compares: the application,
 * its owners and federated credentials, its service principal with owners, app-role assignments
 * both ways and delegated grants, and the service principals its permissions point at (for their
 * names only). Read-only (providers/entra/api/directoryReads.ts).
 */
import {
    AppRegistration, AppRoleAssignment, DelegatedGrant, DirectoryObject, FederatedIdentityCredential, getApplicationByAppId, getServicePrincipal,
    getServicePrincipalByAppId, listAppRoleAssignedTo, listAppRoleAssignments, listApplicationOwners, listDelegatedGrants, listFederatedIdentityCredentials,
    listServicePrincipalOwners, ServicePrincipalListing,
} from "../../providers/entra/api/directoryReads";
import { GraphSession } from "../../providers/entra/api/graph";
import { DeclaredApp } from "./stateExport";

export interface LiveServicePrincipal {
    listing: ServicePrincipalListing;
    owners: DirectoryObject[];
    appRolesHeld: AppRoleAssignment[];
    appRolesGiven: AppRoleAssignment[];
    grants: DelegatedGrant[];
}

/** Service principals the app's permissions and grants point at, by app id and by object id (lower case). */
export interface Directory {
    byAppId: Map<string, ServicePrincipalListing>;
    byObjectId: Map<string, ServicePrincipalListing>;
}

export interface LiveApp {
    app: AppRegistration;
    owners: DirectoryObject[];
    federated: FederatedIdentityCredential[];
    /** "missing": the stack declares one, and the directory has none. Undefined: none declared. */
    servicePrincipal?: LiveServicePrincipal | "missing";
    directory: Directory;
}

/** The app and all around it; undefined when the directory has no app with the declared client id. */
export async function readLiveApp(session: GraphSession, declared: DeclaredApp): Promise<LiveApp | undefined> {
    const app = await getApplicationByAppId(session, declared.clientId);
    if (!app) {
        return undefined;
    }
    const [owners, federated, servicePrincipal] = await Promise.all([
        listApplicationOwners(session, app.id),
        listFederatedIdentityCredentials(session, app.id),
        declared.servicePrincipal ? readServicePrincipal(session, declared.servicePrincipal.objectId) : Promise.resolve(undefined),
    ]);
    const sp = servicePrincipal === "missing" ? undefined : servicePrincipal;
    const appIds = [...declared.requiredAccess.map((r) => r.resourceAppId), ...app.requiredResourceAccess.map((r) => r.resourceAppId)];
    const declaredSp = declared.servicePrincipal;
    const objectIds = [
        ...(sp?.grants.map((g) => g.resourceId) ?? []), ...(sp?.appRolesHeld.map((a) => a.resourceId) ?? []),
        ...(declaredSp?.grants.map((g) => g.resourceObjectId) ?? []), ...(declaredSp?.appRolesHeld.map((a) => a.resourceObjectId) ?? []),
    ];
    return { app, owners, federated, ...(servicePrincipal ? { servicePrincipal } : {}), directory: await readDirectory(session, appIds, objectIds) };
}

async function readServicePrincipal(session: GraphSession, objectId: string): Promise<LiveServicePrincipal | "missing"> {
    const listing = await getServicePrincipal(session, objectId);
    if (!listing) {
        return "missing";
    }
    const [owners, appRolesHeld, appRolesGiven, grants] = await Promise.all([
        listServicePrincipalOwners(session, objectId),
        listAppRoleAssignments(session, objectId),
        listAppRoleAssignedTo(session, objectId),
        listDelegatedGrants(session, objectId),
    ]);
    return { listing, owners, appRolesHeld, appRolesGiven, grants };
}

/**
 * The service principals named by app id or object id. Only names and permission values come
 * from here: one that cannot be read is left out, and the finding then shows ids.
 */
async function readDirectory(session: GraphSession, appIds: string[], objectIds: string[]): Promise<Directory> {
    const directory: Directory = { byAppId: new Map(), byObjectId: new Map() };
    const add = (sp: ServicePrincipalListing | undefined) => {
        if (sp) {
            directory.byAppId.set(sp.appId.toLowerCase(), sp);
            directory.byObjectId.set(sp.id.toLowerCase(), sp);
        }
    };
    const quietly = <T>(read: Promise<T>) => read.catch(() => undefined);
    const byApp = await Promise.all([...new Set(appIds.map((a) => a.toLowerCase()))].map((a) => quietly(getServicePrincipalByAppId(session, a))));
    byApp.forEach(add);
    const unknown = [...new Set(objectIds.map((o) => o.toLowerCase()))].filter((o) => !directory.byObjectId.has(o));
    (await Promise.all(unknown.map((o) => quietly(getServicePrincipal(session, o))))).forEach(add);
    return directory;
}
