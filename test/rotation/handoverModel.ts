/**
 * Two years of scheduled runs through the provider's own logic (providers/entra/clientSecretRotation.ts:
 * `mintReasons`, which `diff` and `update` use, and `rotate`), with an in-memory Entra app and dbt
 * Cloud record in place of the HTTP services. The engine's part is small here: state is what the
 * last successful (or partially failed) provider call returned, and a failed one leaves it as it was.
 *
 * The ledger keeps every secret that ever existed and checks, at every instant it is asked and at
 * every dbt Cloud write, the handover's invariants: dbt Cloud holds a secret that exists on the app,
 * valid for at least the overlap; the secret it held until a write still existed at that write; the
 * app holds at most the two slots' secrets after a successful run (a failed write may leave one
 * more, for the next run to remove).
 */
import * as assert from "assert/strict";
import { ListedCredential } from "../../domain/clientSecretCredentials";
import { DbtAppCredentials, DbtRecordState, DbtRecordTarget } from "../../providers/dbtcloud/record";
import {
    ClientSecretRotationInputs, ClientSecretRotationOutputs, CredentialStore, mintReasons, rotate, RotationDeps,
} from "../../providers/entra/clientSecretRotation";
import { makeHttpError } from "../../lib/http/httpError";

const DAY = 86_400_000;

export interface ModelSecret {
    serial: number;
    keyId: string;
    displayName: string;
    value: string;
    created: Date;
    endDate: Date;
    removed?: Date;
}

export class HandoverModel {
    readonly secrets: ModelSecret[] = [];
    private state: ClientSecretRotationOutputs | undefined;
    private held: ModelSecret | undefined;
    private now = new Date(0);
    /** Set for one run: dbt Cloud answers 503 to the write (it may or may not have taken it: it did not). */
    private dbtFails = false;
    worstRemainingDays = Infinity;
    runs = 0;
    mints = 0;
    failedRuns = 0;

    constructor(private readonly minimumRemainingDays: () => number) {}

    get consumerSecret(): ModelSecret | undefined {
        return this.held;
    }

    live(): ModelSecret[] {
        return this.secrets.filter((s) => !s.removed);
    }

    private readonly store: CredentialStore = {
        list: async (): Promise<ListedCredential[]> => this.live().map((s) => ({ keyId: s.keyId, displayName: s.displayName, endDateTime: s.endDate.toISOString() })),
        add: async (_objectId, credential) => {
            const endDate = new Date(credential.endDateTime);
            assert.ok(endDate.getTime() > this.now.getTime(), `${this.now.toISOString()}: a secret minted already expired`);
            const serial = this.secrets.length;
            const secret: ModelSecret = { serial, keyId: `key-${serial}`, displayName: credential.displayName, value: `secret-${serial}`, created: this.now, endDate };
            this.secrets.push(secret);
            this.mints++;
            return { keyId: secret.keyId, secretText: secret.value };
        },
        remove: async (_objectId, keyId) => {
            const secret = this.live().find((s) => s.keyId === keyId);
            if (!secret) return "absent";
            assert.notEqual(secret, this.held, `${this.now.toISOString()}: #${secret.serial} removed while dbt Cloud holds it`);
            secret.removed = this.now;
            return "removed";
        },
    };

    private readonly deps: RotationDeps = {
        store: this.store,
        prove: async () => ({ requests: 8, elapsedMs: 0 }),
        writeDbt: async (target: DbtRecordTarget, credentials: DbtAppCredentials, existing: DbtRecordState | undefined): Promise<DbtRecordState> => {
            if (this.dbtFails) {
                throw makeHttpError("POST .../azure-ad-applications/501/ failed with HTTP 503.", { kind: "status", status: 503, endpoint: "POST dbt" });
            }
            const secret = this.live().find((s) => s.value === credentials.clientSecret);
            assert.ok(secret, "dbt Cloud is given a secret the app holds");
            assert.ok(!this.held || !this.held.removed, "the secret dbt Cloud held until this write still existed");
            this.held = secret;
            // dbt answers the domain of the host it serves the account on: the host the stack names.
            return existing ?? { applicationId: 501, effectiveApiBaseUrl: target.apiBaseUrl, adoptedExisting: false, oauthRedirectUriDomain: new URL(target.apiBaseUrl).hostname };
        },
        nonce: () => Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0"),
        log: () => undefined,
    };

    /**
     * One scheduled `pulumi up` with the rotation resource's inputs as the program declared them at `at`:
     * create on the first, then update when `mintReasons` says so. `dbtFails` makes dbt Cloud's write fail.
     */
    async run(at: Date, news: ClientSecretRotationInputs, outcome: { dbtFails?: boolean } = {}): Promise<void> {
        this.now = at;
        this.check(at);
        this.dbtFails = outcome.dbtFails ?? false;
        const id = "rotation";
        try {
            if (!this.state) {
                this.state = await rotate(news, { slots: {}, dbtRecord: undefined, legacyIsOrphaned: false, id }, this.deps);
            } else {
                const liveKeyIds = this.live().map((s) => s.keyId);
                if (mintReasons(this.state, news, liveKeyIds).length > 0) {
                    this.state = await rotate(news, { slots: this.state.slots, dbtRecord: this.state.dbtRecord, legacyIsOrphaned: true, id }, this.deps);
                }
            }
            const live = this.live().length;
            assert.ok(live <= 2, `${at.toISOString()}: ${live} secrets on the app after a successful run`);
        } catch (error) {
            if (!outcome.dbtFails) throw error;
            this.failedRuns++;
            assert.ok(this.live().length <= 3, "a failed write leaves at most one secret more");
        }
        this.runs++;
        this.check(at);
    }

    /** The invariants at one instant: dbt Cloud's secret exists and has the overlap left. */
    check(at: Date): void {
        if (!this.held) return;
        assert.equal(this.held.removed, undefined, `${at.toISOString()}: dbt Cloud holds removed secret #${this.held.serial}`);
        const remainingDays = (this.held.endDate.getTime() - at.getTime()) / DAY;
        this.worstRemainingDays = Math.min(this.worstRemainingDays, remainingDays);
        assert.ok(remainingDays >= this.minimumRemainingDays(),
            `${at.toISOString()}: dbt Cloud's secret #${this.held.serial} has ${remainingDays.toFixed(2)} days left, less than the overlap`);
    }
}
