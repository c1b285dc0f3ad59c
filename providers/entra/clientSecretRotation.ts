/**
 * Desired state "the app's client secret follows the rotation schedule, and its consumer holds a
 * secret that works". One implementation for both consumers; they differ only in where the new
 * secret goes (`handover`):
 * - `dbtCloud`: dbt Cloud's Azure AD application record is written with it. The secret's value is
 *   never returned to Pulumi: state holds key ids, end dates and slots, and the record's id.
 * - `stackOutput`: a person copies it into dbt Cloud, so it is returned as the secret output
 *   `value` (and so is in state, encrypted), as before.
 *
 * One handover, in this order, each step only after the one before succeeded:
 * 1. list the app's password credentials (Graph; values are never listed);
 * 2. mint the new secret into the schedule's current slot (`addPassword`), its display name marked
 *    with this stack and a nonce (domain/clientSecretCredentials.ts);
 * 3. prove it: Azure DevOps tokens N times in a row (./readiness.ts); if it never passes, it is
 *    removed and the run fails: the consumer keeps the secret it had;
 * 4. hand it over (dbt's record, or the output);
 * 5. retire what the consumer no longer needs: the secret the slot held before, and the stack's
 *    orphans, i.e. credentials a run that died minted but never recorded (`removePassword`).
 *    Credentials made by hand or by anyone else are reported with their key ids, never touched.
 * A failure after step 4 is a partial failure: Pulumi records the new state and fails the run.
 *
 * A mint happens on the first run of a rotation period, when the schedule's settings change, when
 * the current slot's secret is gone from Entra, and on any change of dbt Cloud's record (dbt's API
 * needs the secret on every write: organization, mode, host, client or tenant); `diff` says which
 * in the preview. Redirect domain: dbt sets the record's `oauth_redirect_uri_domain` on its side;
 * `check` reads it fresh from dbt on every preview and up and refuses a domain the app does not
 * allow, before anything is written; `diff` notices when dbt changed it.
 *
 * Replacement: only a different application, account, or consumer kind replaces (create, then the
 * old one's delete retires its secrets and, for dbt, soft-deletes the old account's record).
 * Stacks written before this resource existed hold dbt's record as
 * `pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication`; an alias carries that state over here, and
 * the first update writes the record with a fresh secret and drops the old secret from state.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { AUTH_MODES, AuthMode } from "../../domain/authMode";
import { tokenUrlProblem } from "../../domain/baseUrlOverride";
import {
    classifyCredentials, CredentialClasses, ListedCredential, mintedDisplayName, parseMintedDisplayName, retiredAfterHandover, SlotRecord, SlotRecords, slotsStillListed,
} from "../../domain/clientSecretCredentials";
import { sameGuid } from "../../domain/guid";
import { explainKnownError } from "../../domain/knownErrors";
import { redirectDomainProblem } from "../../domain/redirectUris";
import { SECRET_SLOTS, SecretSlot } from "../../domain/rotationSchedule";
import { isHttpError } from "../../lib/http/httpError";
import { guidFailures, oneOfFailures, organizationFailures } from "../checkFailures";
import {
    accountIdText, canonicalApiBase, currentRedirectDomain, DbtAppCredentials, DbtRecordState, DbtRecordTarget, dbtSession, deleteRecord, effectiveHost,
    isCertainlyNotWritten, readRecord,
    writeRecord,
} from "../dbtcloud/record";
import { isUnknown, partialFailure, providerLog, withRedaction } from "../providerSafety";
import { addPassword, getApplicationCredentials, GraphSession, openGraphSession, removePassword } from "./api/graph";
import { proveSecret, ReadinessProof, ReadinessSettings, realReadinessHooks } from "./readiness";

/** Where the schedule stands: the secret that should be current, from domain/rotationSchedule.ts. */
export interface ScheduledSecret {
    slot: SecretSlot;
    period: number;
    /** RFC 3339: the first instant of the period. */
    periodStart: string;
    /** RFC 3339, whole seconds. */
    endDate: string;
}

export interface DbtCloudHandover extends DbtRecordTarget {
    kind: "dbtCloud";
    /** The app's access hosts: dbt's redirect domain must be one of them. */
    redirectHosts: string[];
}

export type Handover = DbtCloudHandover | { kind: "stackOutput" };

export interface ClientSecretRotationInputs {
    /** The application's object id (not its client id). */
    applicationObjectId: string;
    clientId: string;
    tenantId: string;
    /** `<project>/<stack>`: marks the secrets this stack mints. */
    owner: string;
    current: ScheduledSecret;
    readiness: ReadinessSettings;
    handover: Handover;
}

export interface ClientSecretRotationOutputs extends ClientSecretRotationInputs {
    slots: SlotRecords;
    /** The current slot's secret: its key id and end date. */
    keyId: string;
    expiresAt: string;
    /** The other slot's secret's end date; "" when there is none. */
    previousExpiresAt: string;
    /** The secret itself, only for a `stackOutput` handover. */
    value?: string;
    /** dbt Cloud's record, only for a `dbtCloud` handover. */
    dbtRecord?: DbtRecordState;
}

/** State written by the former dbt record resource (`dbtcloud:AzureAdApplication`), carried over by alias. */
interface LegacyRecordState {
    accountId: string | number;
    apiBaseUrl: string;
    organizationName: string;
    clientId: string;
    clientSecret: string;
    tenantId: string;
    authMethod: AuthMode;
    applicationId: number;
    oauthRedirectUriDomain?: string;
    adoptedExisting?: boolean;
    effectiveApiBaseUrl?: string;
}

type Olds = ClientSecretRotationOutputs | LegacyRecordState;

function isLegacy(olds: Olds): olds is LegacyRecordState {
    return (olds as ClientSecretRotationOutputs).slots === undefined;
}

/** The old state in this resource's shape: no slots (the old ones are Pulumi's ApplicationPasswords), the record carried over. */
function normalizedOlds(olds: Olds): ClientSecretRotationOutputs {
    if (!isLegacy(olds)) {
        return olds;
    }
    return {
        applicationObjectId: "",
        clientId: olds.clientId,
        tenantId: olds.tenantId,
        owner: "",
        current: { slot: "a", period: -1, periodStart: "", endDate: "" },
        readiness: { successes: 0, timeoutSeconds: 0 },
        handover: { kind: "dbtCloud", accountId: olds.accountId, apiBaseUrl: olds.apiBaseUrl, organizationName: olds.organizationName, authMethod: olds.authMethod, redirectHosts: [] },
        slots: {},
        keyId: "",
        expiresAt: "",
        previousExpiresAt: "",
        dbtRecord: {
            applicationId: olds.applicationId,
            effectiveApiBaseUrl: olds.effectiveApiBaseUrl ? canonicalApiBase(olds.effectiveApiBaseUrl) : effectiveHost(olds.apiBaseUrl),
            adoptedExisting: olds.adoptedExisting === true,
            oauthRedirectUriDomain: olds.oauthRedirectUriDomain ?? "",
        },
    };
}

function otherSlot(slot: SecretSlot): SecretSlot {
    return SECRET_SLOTS.find((s) => s !== slot)!;
}

/** Why an update must mint a new secret; empty when it need not. `liveKeyIds` (when known) is what Entra lists now. */
export function mintReasons(olds: Olds, news: ClientSecretRotationInputs, liveKeyIds?: string[]): string[] {
    if (isLegacy(olds)) {
        return ["the client secret moves out of Pulumi state: a new one is minted over Graph and the two ApplicationPassword slots are retired after dbt Cloud holds it"];
    }
    const reasons: string[] = [];
    const held = olds.slots[news.current.slot];
    if (!held) {
        reasons.push(`slot ${news.current.slot} holds no secret yet`);
    } else if (held.period !== news.current.period) {
        reasons.push(`a new rotation period starts ${news.current.periodStart.slice(0, 10)}: slot ${news.current.slot} gets its next secret`);
    } else if (held.endDate !== news.current.endDate) {
        reasons.push(`the schedule's settings changed: the current secret should expire ${news.current.endDate}, not ${held.endDate}`);
    } else if (liveKeyIds !== undefined && !liveKeyIds.some((id) => sameGuid(id, held.keyId))) {
        reasons.push(`the current secret (key id ${held.keyId}) is no longer on the app`);
    }
    if (news.handover.kind === "stackOutput" && olds.handover.kind === "stackOutput" && !olds.value) {
        reasons.push("the secret's value is not in state");
    }
    if (news.handover.kind === "dbtCloud" && olds.handover.kind === "dbtCloud") {
        if (!olds.dbtRecord) {
            // A refresh found the record gone (deleted outside Pulumi): only a write with a secret brings it back.
            reasons.push("dbt Cloud's record is not in state (a refresh found it deleted outside Pulumi): it is written again, or the record the account has by then adopted");
        }
        const changed = dbtRecordChanges(olds, news);
        if (changed.length > 0) {
            reasons.push(`dbt Cloud's record changes (${changed.join(", ")}), and dbt's API needs the client secret on every write`);
        }
    }
    return reasons;
}

/** Fields of dbt's record that differ between state and the new inputs (the host compared where calls go). */
function dbtRecordChanges(olds: ClientSecretRotationOutputs, news: ClientSecretRotationInputs): string[] {
    const before = olds.handover as DbtCloudHandover;
    const after = news.handover as DbtCloudHandover;
    const changed: string[] = [];
    if (before.organizationName !== after.organizationName) changed.push("organizationName");
    if (before.authMethod !== after.authMethod) changed.push("authMethod");
    const recordHost = olds.dbtRecord?.effectiveApiBaseUrl ?? effectiveHost(before.apiBaseUrl);
    if (canonicalApiBase(before.apiBaseUrl) !== canonicalApiBase(after.apiBaseUrl) || canonicalApiBase(recordHost) !== effectiveHost(after.apiBaseUrl)) {
        changed.push("apiBaseUrl");
    }
    if (!sameGuid(olds.clientId, news.clientId)) changed.push("clientId");
    if (!sameGuid(olds.tenantId, news.tenantId)) changed.push("tenantId");
    return changed;
}

function replaceKeys(olds: Olds, news: ClientSecretRotationInputs): string[] {
    const before = normalizedOlds(olds);
    const keys: string[] = [];
    if (!isLegacy(olds) && !sameGuid(before.applicationObjectId, news.applicationObjectId)) keys.push("applicationObjectId");
    if (before.handover.kind !== news.handover.kind) keys.push("handover");
    else if (before.handover.kind === "dbtCloud" && news.handover.kind === "dbtCloud" && accountIdText(before.handover.accountId) !== accountIdText(news.handover.accountId)) {
        keys.push("handover");
    }
    return keys;
}

/** Where the app's password credentials live: Microsoft Graph, or (in simulations) a model of it. */
export interface CredentialStore {
    list(objectId: string): Promise<ListedCredential[]>;
    /** Mints one; the answer holds its value once. */
    add(objectId: string, credential: { displayName: string; endDateTime: string }): Promise<{ keyId: string; secretText: string }>;
    remove(objectId: string, keyId: string): Promise<"removed" | "absent">;
}

/** What the handover needs besides its inputs; the real ones come from the environment, tests and simulations pass their own. */
export interface RotationDeps {
    store: CredentialStore;
    /** Proves a new secret works (./readiness.ts). */
    prove(secret: string, settings: ReadinessSettings): Promise<ReadinessProof>;
    /** Writes dbt Cloud's record (../dbtcloud/record.ts). */
    writeDbt(target: DbtRecordTarget, credentials: DbtAppCredentials, existing: DbtRecordState | undefined): Promise<DbtRecordState>;
    nonce(): string;
    log(line: string): void;
}

/** Graph as a credential store, on the deploying identity's token. */
export function graphStore(graph: GraphSession): CredentialStore {
    return {
        list: async (objectId) => listedOf((await getApplicationCredentials(graph, objectId)).passwordCredentials),
        add: (objectId, credential) => addPassword(graph, objectId, credential),
        remove: (objectId, keyId) => removePassword(graph, objectId, keyId),
    };
}

/**
 * Throws when the handover cannot happen, before anything is minted: without DBT_CLOUD_TOKEN (or with
 * a refused DBT_CLOUD_HOST_URL) a secret minted and proven for dbt Cloud would be left for nobody.
 */
function assertCanHandOver(inputs: ClientSecretRotationInputs): void {
    if (inputs.handover.kind === "dbtCloud") {
        dbtSession(inputs.handover);
    }
}

export function realDeps(inputs: Pick<ClientSecretRotationInputs, "tenantId" | "clientId">): RotationDeps {
    const readiness = realReadinessHooks(inputs.tenantId, inputs.clientId);
    return {
        store: graphStore(openGraphSession()),
        prove: (secret, settings) => proveSecret(secret, settings, readiness),
        writeDbt: writeRecord,
        nonce: () => crypto.randomBytes(4).toString("hex"),
        log: (line) => providerLog(line),
    };
}

function listedOf(credentials: Array<{ keyId: string; displayName?: string | null; endDateTime?: string | null }>): ListedCredential[] {
    return credentials.map((c) => ({ keyId: c.keyId, displayName: c.displayName ?? "", endDateTime: c.endDateTime ?? "" }));
}

function describe(credentials: readonly ListedCredential[]): string {
    return credentials.map((c) => `${c.keyId} ("${c.displayName}", ends ${c.endDateTime.slice(0, 10) || "?"})`).join(", ");
}

/** Removes key ids, best effort when `bestEffort`: a failure is reported, the key stays for the next run. */
async function retire(deps: RotationDeps, objectId: string, keyIds: string[], why: string): Promise<string[]> {
    const failed: string[] = [];
    for (const keyId of keyIds) {
        try {
            const outcome = await deps.store.remove(objectId, keyId);
            deps.log(`Removed client secret ${keyId} from the app (${why})${outcome === "absent" ? ": it was already gone" : ""}.`);
        } catch (error) {
            failed.push(`${keyId}: ${(error as Error).message}`);
        }
    }
    return failed;
}

interface RotationStart {
    slots: SlotRecords;
    dbtRecord: DbtRecordState | undefined;
    /** Legacy credentials are orphans once this resource has its own state (the upgrade run is over). */
    legacyIsOrphaned: boolean;
    /** The secret's value of the previous state (stackOutput only), kept when no mint happens. */
    id: string;
}

/**
 * One handover: mint, prove, hand over, retire (see the header). Returns the new state; throws a
 * partial failure (new state recorded) for failures after the handover.
 */
export async function rotate(inputs: ClientSecretRotationInputs, start: RotationStart, deps: RotationDeps): Promise<ClientSecretRotationOutputs> {
    const objectId = inputs.applicationObjectId;
    const slot = inputs.current.slot;
    const listed = await deps.store.list(objectId);
    const slots = slotsStillListed(start.slots, listed);
    const classes = classifyCredentials(listed, slots, inputs.owner);
    reportOthers(deps, classes, start.legacyIsOrphaned);

    // 2. Mint.
    const nonce = deps.nonce();
    const displayName = mintedDisplayName(slot, new Date(inputs.current.periodStart), inputs.owner, nonce);
    let added;
    try {
        added = await deps.store.add(objectId, { displayName, endDateTime: inputs.current.endDate });
    } catch (error) {
        // A lost answer may still have minted it: find it by its nonce and take it back (nobody has its value).
        await removeByNonce(deps, objectId, inputs.owner, nonce, undefined).catch(() => undefined);
        const explained = explainKnownError((error as Error).message);
        throw new Error(`Minting a new client secret for slot ${slot} failed; nothing was handed over, and the consumer keeps the secret it had. ` +
            `${(error as Error).message}${explained ? ` ${explained}` : ""}`);
    }
    await removeByNonce(deps, objectId, inputs.owner, nonce, added.keyId);
    const minted: SlotRecord = { keyId: added.keyId, endDate: inputs.current.endDate, period: inputs.current.period, displayName };
    deps.log(`Minted client secret ${added.keyId} into slot ${slot} (expires ${inputs.current.endDate}).`);

    // 3. Prove.
    try {
        const proof = await deps.prove(added.secretText, inputs.readiness);
        deps.log(`The new secret obtained an Azure DevOps token ${inputs.readiness.successes} times in a row (${proof.requests} requests, ${Math.round(proof.elapsedMs / 1000)} s).`);
    } catch (error) {
        const left = await retire(deps, objectId, [added.keyId], "it never proved to work");
        throw new Error(`${(error as Error).message} The consumer was not given it and keeps the secret it had` +
            (left.length > 0 ? `; removing the unproven secret failed too (${left.join("; ")}): the next run removes it.` : "; the unproven secret was removed."));
    }

    // 4. Hand over.
    let dbtRecord = start.dbtRecord;
    if (inputs.handover.kind === "dbtCloud") {
        try {
            dbtRecord = await deps.writeDbt(inputs.handover, { clientId: inputs.clientId, clientSecret: added.secretText, tenantId: inputs.tenantId }, start.dbtRecord);
        } catch (error) {
            // A refusal means dbt did not take it; anything else (no answer, 5xx) may have: then it stays,
            // marked, and the next run that hands over a newer secret removes it.
            const refused = isCertainlyNotWritten(error) ||
                (isHttpError(error) && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429);
            const left = refused ? await retire(deps, objectId, [added.keyId], "dbt Cloud refused it") : ["kept"];
            throw new Error(`Writing dbt Cloud's record failed: ${(error as Error).message} dbt Cloud keeps the secret it had, which stays valid` +
                (refused ? (left.length === 0 ? "; the new secret was removed." : `; removing the new secret failed (${left.join("; ")}): the next run removes it.`)
                    : `; the new secret (key id ${added.keyId}) stays on the app in case dbt Cloud took it, and the next run that hands over a newer one removes it.`));
        }
    }
    const newSlots: SlotRecords = { ...slots, [slot]: minted };
    const state = outputsOf(inputs, newSlots, dbtRecord, inputs.handover.kind === "stackOutput" ? added.secretText : undefined);

    // 5. Retire.
    const retired = retiredAfterHandover(slot, slots, classes, start.legacyIsOrphaned);
    const problems = await retire(deps, objectId, retired, "the consumer holds the newer secret");
    const domainProblem = dbtRecord && inputs.handover.kind === "dbtCloud"
        ? redirectDomainProblem(dbtRecord.oauthRedirectUriDomain, inputs.handover.redirectHosts, inputs.handover.redirectHosts.length - 1, "written")
        : undefined;
    if (problems.length > 0 || domainProblem) {
        const message = [
            ...(domainProblem ? [domainProblem] : []),
            ...(problems.length > 0 ? [`The new secret was handed over, but removing ${problems.length} old secret(s) failed (${problems.join("; ")}); ` +
                "the next run removes them (they are marked as this stack's)."] : []),
        ].join(" ");
        throw partialFailure(new Error(message), start.id, state as unknown as Record<string, unknown>, inputs as unknown as Record<string, unknown>);
    }
    return state;
}

/** Removes credentials carrying this mint's nonce, except `keep` (a retried POST minted twice). */
async function removeByNonce(deps: RotationDeps, objectId: string, owner: string, nonce: string, keep: string | undefined): Promise<void> {
    const listed = await deps.store.list(objectId);
    const twins = listed.filter((c) => {
        const marked = parseMintedDisplayName(c.displayName);
        return marked?.owner === owner && marked.nonce === nonce && (keep === undefined || !sameGuid(c.keyId, keep));
    });
    if (twins.length > 0) {
        await retire(deps, objectId, twins.map((c) => c.keyId), "a repeated request minted it twice, or its answer was lost");
    }
}

function reportOthers(deps: RotationDeps, classes: CredentialClasses, legacyIsOrphaned: boolean): void {
    if (classes.foreign.length > 0) {
        deps.log(`The app has ${classes.foreign.length} client secret(s) this stack did not make: ${describe(classes.foreign)}. They are left alone; ` +
            "if nobody needs them, remove them (az ad app credential delete --id <clientId> --key-id <keyId>).");
    }
    if (classes.orphans.length > 0) {
        deps.log(`The app has ${classes.orphans.length} client secret(s) this stack minted in a run that did not finish: ${describe(classes.orphans)}. ` +
            "They are removed once the consumer holds the new secret.");
    }
    if (classes.legacy.length > 0) {
        deps.log(legacyIsOrphaned
            ? `The app still has client secret(s) of the former ApplicationPassword slots: ${describe(classes.legacy)}. They are removed once the consumer holds the new secret.`
            : `The former ApplicationPassword slots' secret(s) ${describe(classes.legacy)} are retired by Pulumi at the end of this run, after the consumer holds the new secret.`);
    }
}

function outputsOf(inputs: ClientSecretRotationInputs, slots: SlotRecords, dbtRecord: DbtRecordState | undefined, value: string | undefined): ClientSecretRotationOutputs {
    const current = slots[inputs.current.slot];
    const previous = slots[otherSlot(inputs.current.slot)];
    return {
        ...inputs,
        slots,
        keyId: current?.keyId ?? "",
        expiresAt: current?.endDate ?? "",
        previousExpiresAt: previous?.endDate ?? "",
        ...(value !== undefined ? { value } : {}),
        ...(dbtRecord ? { dbtRecord } : {}),
    };
}

function secretsOf(state: { value?: string; clientSecret?: string } | undefined): string[] {
    return [process.env.DBT_CLOUD_TOKEN ?? "", state?.value ?? "", state?.clientSecret ?? ""];
}

/** The redirect domain dbt reports now, judged against the app's hosts; a check failure when it is not one of them. */
async function redirectDomainFailures(news: ClientSecretRotationInputs): Promise<pulumi.dynamic.CheckFailure[]> {
    const handover = news.handover;
    if (handover.kind !== "dbtCloud" || [handover.accountId, handover.apiBaseUrl, handover.redirectHosts].some(isUnknown)) {
        return [];
    }
    if (!process.env.DBT_CLOUD_TOKEN?.trim()) {
        providerLog("dbt Cloud's redirect domain was not read: DBT_CLOUD_TOKEN is not set (a preview without it cannot judge it).");
        return [];
    }
    let domain: string | undefined;
    try {
        domain = await withRedaction(() => secretsOf(undefined), () => currentRedirectDomain(handover));
    } catch (error) {
        providerLog(`dbt Cloud's redirect domain could not be read (${(error as Error).message}); it is judged again when the record is written.`);
        return [];
    }
    const problem = redirectDomainProblem(domain, handover.redirectHosts, handover.redirectHosts.length - 1, "not written");
    return problem ? [{ property: "handover", reason: problem }] : [];
}

export const clientSecretRotationProvider: pulumi.dynamic.ResourceProvider<ClientSecretRotationInputs, ClientSecretRotationOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [
            ...guidFailures("applicationObjectId", news.applicationObjectId),
            ...guidFailures("clientId", news.clientId),
            ...guidFailures("tenantId", news.tenantId),
        ];
        const current = news.current;
        if (!isUnknown(current) && (!current || !SECRET_SLOTS.includes(current.slot) || !Number.isInteger(current.period) || Number.isNaN(Date.parse(current.endDate)))) {
            failures.push({ property: "current", reason: "current must name a slot (a or b), a period and an RFC 3339 end date, as domain/rotationSchedule.ts computes them." });
        }
        const readiness = news.readiness;
        if (!isUnknown(readiness) && (!readiness || !Number.isInteger(readiness.successes) || readiness.successes < 1 || !Number.isInteger(readiness.timeoutSeconds) || readiness.timeoutSeconds < 1)) {
            failures.push({ property: "readiness", reason: "readiness must give whole numbers successes >= 1 and timeoutSeconds >= 1." });
        }
        const handover = news.handover;
        if (!isUnknown(handover) && handover?.kind === "dbtCloud") {
            if (!isUnknown(handover.accountId) && !/^\d+$/.test(accountIdText(handover.accountId))) {
                failures.push({ property: "handover.accountId", reason: "handover.accountId must be the numeric dbt Cloud account id." });
            }
            // The dbt Cloud token and the client secret go there: the rule for every token address (domain/baseUrlOverride.ts).
            if (!isUnknown(handover.apiBaseUrl) && tokenUrlProblem(String(handover.apiBaseUrl)) !== undefined) {
                failures.push({ property: "handover.apiBaseUrl", reason: "handover.apiBaseUrl must be an https:// URL such as https://ab123.us1.dbt.com/api, without a user or password " +
                    "(plain http only for 127.0.0.1 and localhost), as the dbt Cloud token and the client secret are sent there." });
            }
            failures.push(...organizationFailures(handover.organizationName).map((f) => ({ property: "handover.organizationName", reason: f.reason })));
            failures.push(...oneOfFailures("handover.authMethod", handover.authMethod, AUTH_MODES));
            if (failures.length === 0) {
                failures.push(...(await redirectDomainFailures(news)));
            }
        } else if (!isUnknown(handover) && handover?.kind !== "stackOutput") {
            failures.push({ property: "handover", reason: "handover.kind must be dbtCloud or stackOutput." });
        }
        return { inputs: news, failures };
    },

    /**
     * A mint is planned for the reasons `mintReasons` gives, said in the preview's output. Entra's
     * list (is the current secret still there?) and dbt's redirect domain are read fresh when the
     * credentials to read them are at hand; neither read writes anything.
     */
    async diff(id, olds, news) {
        const replaces = replaceKeys(olds, news);
        if (replaces.length > 0) {
            providerLog(`${id}: replaced (${replaces.join(", ")}): a new secret is minted and handed over first; the old one's secrets are retired after.`);
            return { changes: true, replaces, deleteBeforeReplace: false };
        }
        const before = normalizedOlds(olds);
        let liveKeyIds: string[] | undefined;
        if (!isLegacy(olds)) {
            try {
                liveKeyIds = (await getApplicationCredentials(openGraphSession(), news.applicationObjectId)).passwordCredentials.map((c) => c.keyId);
            } catch (error) {
                providerLog(`Could not list the app's client secrets (${(error as Error).message.split("\n")[0]}); whether the current one is still there is not checked.`);
            }
        }
        const reasons = mintReasons(olds, news, liveKeyIds);
        if (reasons.length > 0) {
            providerLog(`${id}: this update mints a new client secret: ${reasons.join("; ")}.`);
            return { changes: true, replaces: [] };
        }
        let domainChanged = false;
        if (news.handover.kind === "dbtCloud" && before.dbtRecord && process.env.DBT_CLOUD_TOKEN?.trim()) {
            try {
                const live = await withRedaction(() => secretsOf(undefined), () => readRecord(accountIdText((news.handover as DbtCloudHandover).accountId), before.dbtRecord!));
                domainChanged = live !== undefined && (live.oauth_redirect_uri_domain ?? "") !== before.dbtRecord.oauthRedirectUriDomain;
            } catch (error) {
                providerLog(`dbt Cloud's record could not be read (${(error as Error).message.split("\n")[0]}).`);
            }
        }
        const redirectHostsChanged = news.handover.kind === "dbtCloud" && before.handover.kind === "dbtCloud" &&
            JSON.stringify(news.handover.redirectHosts) !== JSON.stringify(before.handover.redirectHosts);
        return { changes: domainChanged || redirectHostsChanged, replaces: [] };
    },

    async create(inputs) {
        return withRedaction(() => secretsOf(undefined), async () => {
            const id = `${inputs.applicationObjectId}/${inputs.handover.kind === "dbtCloud" ? `dbt-${accountIdText(inputs.handover.accountId)}` : "output"}`;
            assertCanHandOver(inputs);
            const outs = await rotate(inputs, { slots: {}, dbtRecord: undefined, legacyIsOrphaned: false, id }, realDeps(inputs));
            return { id, outs };
        });
    },

    async update(id, olds, news) {
        return withRedaction(() => [...secretsOf(olds as { value?: string; clientSecret?: string }), ...secretsOf(undefined)], async () => {
            const before = normalizedOlds(olds);
            const deps = realDeps(news);
            let live: ListedCredential[] | undefined;
            if (!isLegacy(olds)) {
                live = await deps.store.list(news.applicationObjectId);
            }
            if (mintReasons(olds, news, live?.map((c) => c.keyId)).length === 0) {
                // No write: the new inputs, the slots as Entra still lists them, dbt's redirect domain as dbt reports it now.
                let dbtRecord = before.dbtRecord;
                if (dbtRecord && news.handover.kind === "dbtCloud") {
                    const record = await readRecord(accountIdText(news.handover.accountId), dbtRecord);
                    dbtRecord = record ? { ...dbtRecord, oauthRedirectUriDomain: record.oauth_redirect_uri_domain ?? "" } : dbtRecord;
                }
                const slots = live ? slotsStillListed(before.slots, live) : before.slots;
                return { outs: outputsOf(news, slots, dbtRecord, news.handover.kind === "stackOutput" ? before.value : undefined) };
            }
            assertCanHandOver(news);
            const outs = await rotate(news, { slots: before.slots, dbtRecord: before.dbtRecord, legacyIsOrphaned: !isLegacy(olds), id }, deps);
            return { outs };
        });
    },

    /** Retires this resource's secrets and, for a dbt handover, soft-deletes the account's record where it lives. */
    async delete(id, props) {
        return withRedaction(() => secretsOf(props as { value?: string; clientSecret?: string }), async () => {
            const state = normalizedOlds(props);
            if (state.handover.kind === "dbtCloud" && state.dbtRecord) {
                await deleteRecord(state.handover.accountId, state.dbtRecord);
            }
            const keyIds = Object.values(state.slots).filter((s): s is SlotRecord => s !== undefined).map((s) => s.keyId);
            if (keyIds.length > 0 && state.applicationObjectId) {
                const deps = realDeps(state);
                const failed = await retire(deps, state.applicationObjectId, keyIds, `${id} is deleted`);
                if (failed.length > 0) {
                    throw new Error(`Removing this stack's client secrets failed: ${failed.join("; ")}. Re-run the same command.`);
                }
            }
        });
    },

    /**
     * For `pulumi refresh`: slots whose secret Entra no longer lists are dropped (the next `up`
     * mints again), and dbt's record is read (organization, mode, redirect domain; the secret dbt
     * holds cannot be read). A record the account no longer lists is drift the next `up` repairs
     * by writing it again with a fresh secret.
     */
    async read(id, props) {
        if (!props) {
            return { id, props };
        }
        return withRedaction(() => secretsOf(props as { value?: string; clientSecret?: string }), async () => {
            if (isLegacy(props)) {
                return { id, props };
            }
            const deps = realDeps(props);
            const listed = await deps.store.list(props.applicationObjectId);
            const slots = slotsStillListed(props.slots, listed);
            const classes = classifyCredentials(listed, slots, props.owner);
            reportOthers(deps, classes, true);
            let state: ClientSecretRotationOutputs = outputsOf(props, slots, props.dbtRecord, props.value);
            let inputs: ClientSecretRotationInputs = { ...props };
            if (props.handover.kind === "dbtCloud" && props.dbtRecord) {
                const record = await readRecord(accountIdText(props.handover.accountId), props.dbtRecord);
                if (!record) {
                    providerLog(`dbt Cloud account ${accountIdText(props.handover.accountId)} no longer lists Azure AD application record ${props.dbtRecord.applicationId}: ` +
                        "it was deleted outside Pulumi. `pulumi up` writes it again (adopting the record the account has by then), with a fresh secret.");
                    // Dropped, not set to undefined: the engine's Struct encoding refuses undefined values.
                    const { dbtRecord: _gone, ...withoutRecord } = state;
                    state = withoutRecord;
                } else {
                    const handover: DbtCloudHandover = {
                        ...props.handover,
                        organizationName: typeof record.organization_name === "string" ? record.organization_name : props.handover.organizationName,
                        authMethod: (typeof record.azure_service_authentication_method === "string" ? record.azure_service_authentication_method : props.handover.authMethod) as AuthMode,
                    };
                    state = { ...state, handover, dbtRecord: { ...props.dbtRecord, oauthRedirectUriDomain: record.oauth_redirect_uri_domain ?? "" } };
                    inputs = { ...inputs, handover };
                }
            }
            return { id, props: state, inputs: inputs as ClientSecretRotationOutputs };
        });
    },
};

/** Arguments of {@link ClientSecretRotation}. */
export interface ClientSecretRotationArgs {
    applicationObjectId: pulumi.Input<string>;
    clientId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    owner: pulumi.Input<string>;
    current: pulumi.Input<ScheduledSecret>;
    readiness: pulumi.Input<ReadinessSettings>;
    handover: pulumi.Input<Handover>;
}

/** The app's client secret, minted, proven and handed over over Microsoft Graph. */
export class ClientSecretRotation extends pulumi.dynamic.Resource {
    declare public readonly slots: pulumi.Output<SlotRecords>;
    declare public readonly keyId: pulumi.Output<string>;
    declare public readonly expiresAt: pulumi.Output<string>;
    declare public readonly previousExpiresAt: pulumi.Output<string>;
    declare public readonly value: pulumi.Output<string | undefined>;
    declare public readonly dbtRecord: pulumi.Output<DbtRecordState | undefined>;

    constructor(name: string, args: ClientSecretRotationArgs, opts?: pulumi.CustomResourceOptions) {
        super(clientSecretRotationProvider, name, {
            ...args, slots: undefined, keyId: undefined, expiresAt: undefined, previousExpiresAt: undefined, value: undefined, dbtRecord: undefined,
        }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }), "entra", "ClientSecretRotation");
    }
}

