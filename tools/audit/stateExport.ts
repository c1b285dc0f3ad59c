/**
 * What a stack declares about its Entra app, read from `pulumi stack export` (no --show-secrets
 * needed): the Application's inputs (redirect URIs, owners, required access, sign-in settings),
 * its ids from the outputs, the secrets the rotation resource recorded in its slots
 * (providers/entra/clientSecretRotation.ts, output `slots`: key ids and dates, never values), the
 * AppInstanceLock's lock, the service principal, its delegated grant, and any further azuread
 * resource a stack may declare for the app (passwords, certificates, federated credentials,
 * owners, app-role assignments), so that "declared" means what the state holds and nothing else.
 *
 * Pure: it never calls anything and never echoes a value it did not need (the export may hold
 * secrets when made with --show-secrets; none of the values read here is one).
 *
 * Limit: a bridged provider's `pulumi refresh` writes what it read back into the inputs, so after a
 * bare `pulumi refresh` the state holds the live shape, not the declared one. The drift job's
 * `pulumi preview --refresh --expect-no-changes` judges that case; this reads the state of the
 * last `pulumi up` (which ends with the declared inputs, `--refresh` or not).
 */
import { InstanceLock } from "../../providers/entra/api/graph";

/** Pulumi type tokens of what the audit reads (the program's, and what a stack may add for the app). */
export const TYPES = {
    application: "azuread:index/application:Application",
    servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
    delegatedGrant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
    applicationPassword: "azuread:index/applicationPassword:ApplicationPassword",
    applicationCertificate: "azuread:index/applicationCertificate:ApplicationCertificate",
    federatedCredential: "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
    applicationOwner: "azuread:index/applicationOwner:ApplicationOwner",
    servicePrincipalPassword: "azuread:index/servicePrincipalPassword:ServicePrincipalPassword",
    servicePrincipalCertificate: "azuread:index/servicePrincipalCertificate:ServicePrincipalCertificate",
    appRoleAssignment: "azuread:index/appRoleAssignment:AppRoleAssignment",
    rotation: "pulumi-nodejs:dynamic/entra:ClientSecretRotation",
    instanceLock: "pulumi-nodejs:dynamic/entra:AppInstanceLock",
} as const;

/** Pulumi's marker of a secret value in state (sdk/go/common/resource/sig). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export interface DeclaredPassword {
    keyId: string;
    /** Where the stack records it, e.g. `slot a of dbt-azure-devops-secret-rotation`. */
    source: string;
    /** The secret the consumer (dbt Cloud, or whoever copies the stack output) holds. */
    held: boolean;
    /** For a rotation slot: the slot. */
    slot?: string;
    endDate?: string;
}

export interface DeclaredGrant {
    resourceObjectId: string;
    /** Set for a per-user grant; absent for tenant-wide consent. */
    userObjectId?: string;
    claims: string[];
}

export interface DeclaredServicePrincipal {
    objectId: string;
    owners: string[];
    passwordKeyIds: string[];
    certificateKeyIds: string[];
    grants: DeclaredGrant[];
    /** App roles the principal holds: `resourceObjectId` + `appRoleId`. */
    appRolesHeld: Array<{ resourceObjectId: string; appRoleId: string }>;
    /** Principals holding this principal's app roles. */
    appRolesGiven: Array<{ principalObjectId: string; appRoleId: string }>;
}

export interface DeclaredApp {
    stack: string;
    project: string;
    /** The Application resource's name in the stack. */
    name: string;
    objectId: string;
    clientId: string;
    displayName: string;
    signInAudience: string;
    redirectUris: { web: string[]; spa: string[]; publicClient: string[] };
    implicitGrant: { accessToken: boolean; idToken: boolean };
    fallbackPublicClient: boolean;
    owners: string[];
    /** One entry per permission. */
    requiredAccess: Array<{ resourceAppId: string; id: string; type: string }>;
    passwords: DeclaredPassword[];
    /** `<project>/<stack>` the rotation marks its secrets with; undefined without a rotation. */
    rotationOwner?: string;
    /** Where the rotation hands the secret: dbt Cloud's record, or the `clientSecret` stack output. */
    handover?: "dbtCloud" | "stackOutput";
    certificateKeyIds: string[];
    federatedCredentialIds: string[];
    /** The lock an AppInstanceLock declares; undefined when the stack declares none. */
    lock?: InstanceLock;
    servicePrincipal?: DeclaredServicePrincipal;
}

export type StateReading = { ok: true; apps: DeclaredApp[] } | { ok: false; problems: string[] };

interface ExportedResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    delete?: boolean;
}

const EXPORT_HINT = "pipe the stack's state into this command: `pulumi stack export --stack <stack> | npm run -s audit-app`";

/** Plain values of secret wrappers (`--show-secrets`); a still-encrypted one stays a marker the caller can name. */
const ENCRYPTED = Symbol("encrypted");

function reveal(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(reveal);
    }
    if (value && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (object[SECRET_SIG] !== undefined) {
            if (typeof object.plaintext === "string") {
                try {
                    return reveal(JSON.parse(object.plaintext));
                } catch {
                    return object.plaintext;
                }
            }
            return object.value !== undefined ? reveal(object.value) : ENCRYPTED;
        }
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

function at(object: unknown, ...path: string[]): unknown {
    let current = object;
    for (const key of path) {
        if (!current || typeof current !== "object") {
            return undefined;
        }
        current = (current as Record<string, unknown>)[key];
    }
    return current;
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function text(value: unknown): string {
    return typeof value === "string" ? value : "";
}

/** `/applications/<id>`, `/servicePrincipals/<id>` or a bare id, as the object id. */
function objectIdOf(value: unknown): string {
    return text(value).replace(/^\/(applications|servicePrincipals)\//i, "").toLowerCase();
}

/** The stack, project and resource name of a URN `urn:pulumi:<stack>::<project>::<type path>::<name>`. */
function urnParts(urn: string): { stack: string; project: string; name: string } {
    const match = /^urn:pulumi:([^:]*)::([^:]*)::.*::(.*)$/.exec(urn);
    return match ? { stack: match[1], project: match[2], name: match[3] } : { stack: "", project: "", name: urn };
}

/** Reads the export; every problem at once when it cannot be audited. */
export function readStateExport(stdin: string): StateReading {
    if (stdin.trim() === "") {
        return { ok: false, problems: [`Nothing on standard input: ${EXPORT_HINT}.`] };
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(stdin);
    } catch {
        return { ok: false, problems: [`Standard input is not JSON: ${EXPORT_HINT} (not \`pulumi stack output\`, not the preview's text).`] };
    }
    const resources = at(parsed, "deployment", "resources");
    if (at(parsed, "deployment") === undefined || typeof at(parsed, "version") !== "number") {
        const hint = parsed && typeof parsed === "object" && "clientSecretExpiresAt" in parsed ? " That looks like `pulumi stack output --json`." : "";
        return { ok: false, problems: [`Standard input is not a Pulumi state export (no "version" and "deployment").${hint} ${capitalized(EXPORT_HINT)}.`] };
    }
    const all = (Array.isArray(resources) ? resources : []).filter((r): r is ExportedResource => !!r && typeof r === "object" && typeof (r as ExportedResource).type === "string" && typeof (r as ExportedResource).urn === "string")
        .map((r) => ({ ...r, inputs: reveal(r.inputs ?? {}) as Record<string, unknown>, outputs: reveal(r.outputs ?? {}) as Record<string, unknown> }));
    const applications = all.filter((r) => r.type === TYPES.application && !r.delete);
    if (applications.length === 0) {
        return {
            ok: false,
            problems: [`The state export holds no ${TYPES.application}: this stack has not deployed the app (run \`pulumi up\` first), or it is another stack's state (check --stack).`],
        };
    }
    const problems: string[] = [];
    const apps: DeclaredApp[] = [];
    for (const application of applications) {
        const app = declaredApp(application, all, problems);
        if (app) {
            apps.push(app);
        }
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, apps };
}

function capitalized(sentence: string): string {
    return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

function declaredApp(application: ExportedResource, all: ExportedResource[], problems: string[]): DeclaredApp | undefined {
    const { stack, project, name } = urnParts(application.urn);
    const inputs = application.inputs ?? {};
    const outputs = application.outputs ?? {};
    const objectId = (text(outputs.objectId) || objectIdOf(application.id)).toLowerCase();
    const clientId = text(outputs.clientId);
    const read = { owners: inputs.owners, web: inputs.web, requiredResourceAccesses: inputs.requiredResourceAccesses, objectId: outputs.objectId, clientId: outputs.clientId };
    const encrypted = Object.entries(read).filter(([, v]) => containsEncrypted(v)).map(([k]) => k);
    if (encrypted.length > 0) {
        problems.push(`${name}: ${encrypted.join(", ")} ${encrypted.length === 1 ? "is a secret" : "are secrets"} in state; export with \`pulumi stack export --show-secrets\`.`);
        return undefined;
    }
    if (!objectId || !clientId) {
        problems.push(`${name} (${application.urn}) has no objectId or clientId in state: its creation did not finish. Run \`pulumi up\` (a killed run may need \`pulumi refresh --clear-pending-creates\` first).`);
        return undefined;
    }
    const owns = (resource: ExportedResource, key: string) => objectIdOf(resource.inputs?.[key] ?? resource.outputs?.[key]) === objectId;
    const mine = (type: string, key = "applicationId") => all.filter((r) => r.type === type && owns(r, key));

    const passwords: DeclaredPassword[] = [];
    let rotationOwner: string | undefined;
    let handover: DeclaredApp["handover"];
    for (const rotation of mine(TYPES.rotation, "applicationObjectId")) {
        const out = rotation.outputs ?? {};
        const held = text(out.keyId).toLowerCase();
        const slots = (out.slots && typeof out.slots === "object" ? out.slots : {}) as Record<string, { keyId?: unknown; endDate?: unknown }>;
        for (const [slot, record] of Object.entries(slots)) {
            if (record && typeof record.keyId === "string") {
                passwords.push({ keyId: record.keyId, source: `slot ${slot} of ${urnParts(rotation.urn).name}`, held: !rotation.delete && record.keyId.toLowerCase() === held, slot, endDate: text(record.endDate) });
            }
        }
        rotationOwner = text(out.owner ?? rotation.inputs?.owner) || rotationOwner;
        const kind = text(at(out, "handover", "kind") ?? at(rotation.inputs, "handover", "kind"));
        handover = kind === "dbtCloud" || kind === "stackOutput" ? kind : handover;
    }
    for (const password of mine(TYPES.applicationPassword)) {
        const keyId = text(password.outputs?.keyId);
        if (keyId) {
            passwords.push({ keyId, source: `ApplicationPassword ${urnParts(password.urn).name}`, held: false });
        }
    }
    const inline = text(at(outputs, "password", "keyId"));
    if (inline) {
        passwords.push({ keyId: inline, source: `the inline password of ${name}`, held: false });
    }
    const lockResource = mine(TYPES.instanceLock, "applicationObjectId").find((r) => !r.delete);
    const lockValue = lockResource?.inputs?.lock ?? lockResource?.outputs?.lock;
    const lock = lockValue && typeof lockValue === "object" ? Object.fromEntries(Object.entries(lockValue).map(([k, v]) => [k, v === true])) : undefined;

    return {
        stack,
        project,
        name,
        objectId,
        clientId,
        displayName: text(inputs.displayName ?? outputs.displayName),
        signInAudience: text(inputs.signInAudience) || "AzureADMyOrg",
        redirectUris: {
            web: strings(at(inputs, "web", "redirectUris")),
            spa: strings(at(inputs, "singlePageApplication", "redirectUris")),
            publicClient: strings(at(inputs, "publicClient", "redirectUris")),
        },
        implicitGrant: {
            accessToken: at(inputs, "web", "implicitGrant", "accessTokenIssuanceEnabled") === true,
            idToken: at(inputs, "web", "implicitGrant", "idTokenIssuanceEnabled") === true,
        },
        fallbackPublicClient: inputs.fallbackPublicClientEnabled === true,
        owners: unique([...strings(inputs.owners), ...mine(TYPES.applicationOwner).map((r) => text(r.inputs?.ownerObjectId))]),
        requiredAccess: (Array.isArray(inputs.requiredResourceAccesses) ? inputs.requiredResourceAccesses : []).flatMap((r: unknown) =>
            (Array.isArray(at(r, "resourceAccesses")) ? (at(r, "resourceAccesses") as unknown[]) : []).map((a) => ({
                resourceAppId: text(at(r, "resourceAppId")), id: text(at(a, "id")), type: text(at(a, "type")),
            }))),
        passwords,
        ...(rotationOwner ? { rotationOwner } : {}),
        ...(handover ? { handover } : {}),
        certificateKeyIds: mine(TYPES.applicationCertificate).map((r) => text(r.outputs?.keyId)).filter(Boolean),
        federatedCredentialIds: mine(TYPES.federatedCredential).map((r) => text(r.outputs?.credentialId)).filter(Boolean),
        ...(lock ? { lock } : {}),
        ...declaredServicePrincipal(clientId, all),
    };
}

function containsEncrypted(value: unknown): boolean {
    if (value === ENCRYPTED) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsEncrypted);
    }
    return !!value && typeof value === "object" && Object.values(value).some(containsEncrypted);
}

/** Object ids, lower case, each once. */
function unique(values: string[]): string[] {
    return [...new Set(values.filter((v) => v !== "").map((v) => v.toLowerCase()))];
}

function declaredServicePrincipal(clientId: string, all: ExportedResource[]): { servicePrincipal?: DeclaredServicePrincipal } {
    const sp = all.find((r) => r.type === TYPES.servicePrincipal && !r.delete && text(r.inputs?.clientId ?? r.outputs?.clientId).toLowerCase() === clientId.toLowerCase());
    const objectId = (text(sp?.outputs?.objectId) || objectIdOf(sp?.id)).toLowerCase();
    if (!sp || !objectId) {
        return {};
    }
    const same = (value: unknown) => objectIdOf(value) === objectId;
    const of = (type: string) => all.filter((r) => r.type === type && !r.delete);
    return {
        servicePrincipal: {
            objectId,
            owners: unique(strings(sp.inputs?.owners)),
            passwordKeyIds: of(TYPES.servicePrincipalPassword).filter((r) => same(r.inputs?.servicePrincipalId)).map((r) => text(r.outputs?.keyId)).filter(Boolean),
            certificateKeyIds: of(TYPES.servicePrincipalCertificate).filter((r) => same(r.inputs?.servicePrincipalId)).map((r) => text(r.outputs?.keyId)).filter(Boolean),
            grants: of(TYPES.delegatedGrant).filter((r) => same(r.inputs?.servicePrincipalObjectId)).map((r) => ({
                resourceObjectId: objectIdOf(r.inputs?.resourceServicePrincipalObjectId),
                ...(text(r.inputs?.userObjectId) ? { userObjectId: text(r.inputs?.userObjectId).toLowerCase() } : {}),
                claims: strings(r.inputs?.claimValues),
            })),
            appRolesHeld: of(TYPES.appRoleAssignment).filter((r) => same(r.inputs?.principalObjectId))
                .map((r) => ({ resourceObjectId: objectIdOf(r.inputs?.resourceObjectId), appRoleId: text(r.inputs?.appRoleId).toLowerCase() })),
            appRolesGiven: of(TYPES.appRoleAssignment).filter((r) => same(r.inputs?.resourceObjectId))
                .map((r) => ({ principalObjectId: objectIdOf(r.inputs?.principalObjectId), appRoleId: text(r.inputs?.appRoleId).toLowerCase() })),
        },
    };
}
