/**
 * A stateful fake of dbt Cloud's azure-ad-applications endpoints (what terraform-provider-dbtcloud's
 * `pkg/dbt_cloud/azure_ad_application.go` calls): one record per account, soft delete, and the
 * "duplicate key value" answer when a soft-deleted record blocks a new one (its schema.go).
 * Served on 127.0.0.1 by FakeServer, under /api like the real access hosts.
 *
 * Behaviours beyond the happy path, each from a named source (the exact wording of dbt's texts is
 * only as quoted there; the rest of each sentence is this fake's):
 * - lists page with `limit`/`offset` and answer `extra.pagination` {count, total_count}
 *   (terraform-provider-dbtcloud pkg/dbt_cloud/paginate.go, client.go ResponseExtra): `pageSize`;
 * - 404 "... check that you have the proper permissions" for a token that may not act
 *   (client.go attemptRequest looks for "permission" in a 404's status.user_message): `permission404`;
 * - the duplicate text in any part of the body, at any status (resource.go Create matches
 *   `duplicate key value` in an error that client.go builds from the whole body): `duplicateAnswer`;
 * - 429 and a five-minute cooldown once the account exceeds its limit
 *   (docs.getdbt.com/docs/dbt-apis/rate-limits): `throttleAfter`;
 * - 403 "Token is not scoped to account" and IP-allowlist refusals (REFERENCE.md "dbt Cloud: access
 *   URLs and API behaviours"; client.go NewClient mentions IP restrictions): `forbid`;
 * - `created_at` and `updated_at` on every record returned, `updated_at` moving on every write
 *   (pkg/dbt_cloud/azure_ad_application.go's AzureADApplication struct; schema.go marks both Computed).
 */
import { FakeServer, RecordedRequest, Reply } from "../http/fakeServer";

export const ACCOUNT = "70403103920001";
export const DBT_TOKEN = "dbtc_TOKEN-never-print-4f5e6d";

export interface StoredRecord { id: number; active: boolean; fields: Record<string, unknown>; account?: string; createdAt?: string; updatedAt?: string }

/** Where the fake puts "duplicate key value" when a (soft-deleted) record blocks a create, and at which status. */
export interface DuplicateAnswer {
    status: number;
    where: "user_message" | "developer_message" | "data" | "raw";
}

const DUPLICATE_TEXT = "duplicate key value violates unique constraint \"azure_ad_application_account_id_key\"";
/** The phrase terraform-provider-dbtcloud's client.go keys on; the sentence around it is the fake's. */
export const PERMISSION_404_TEXT = "The requested resource was not found. Please check that you have the proper permissions.";
export const NOT_SCOPED_TEXT = "Token is not scoped to account";
export const IP_REFUSED_TEXT = "Access denied: your IP address is not on this account's IP allowlist";
/** dbt's cooldown after the limit is exceeded (docs.getdbt.com rate-limits page). */
export const COOLDOWN_MS = 5 * 60_000;

/**
 * One dbt Cloud deployment's records. Several FakeDbtCloud servers may share one, like
 * cloud.getdbt.com and a cell host serving the same accounts; a separate region has its own.
 */
export class FakeDeployment {
    public readonly records: StoredRecord[] = [];
    /**
     * What every record of this deployment answers as `oauth_redirect_uri_domain`: the host dbt
     * Cloud sends the Azure DevOps sign-in back to. dbt sets it, read-only, "automatically by dbt
     * Cloud based on the account's subdomain" (terraform-provider-dbtcloud
     * pkg/framework/objects/azure_ad_application/schema.go, a Computed attribute; the API field in
     * pkg/dbt_cloud/azure_ad_application.go). A region's deployment answers its own host, e.g.
     * emea.dbt.com; a cell host such as ab123.us1.dbt.com is what a moved account answers (the
     * default: the dev stack's host).
     */
    public oauthRedirectUriDomain = "ab123.us1.dbt.com";
    constructor(public nextId = 501, public readonly accounts: string[] = [ACCOUNT], oauthRedirectUriDomain?: string) {
        if (oauthRedirectUriDomain !== undefined) this.oauthRedirectUriDomain = oauthRedirectUriDomain;
    }
}

/** Stateful fake of dbt Cloud's azure-ad-applications endpoints: one record per account, soft delete. */
/**
 * A deployment whose account still answers dbt's legacy redirect domain, cloud.getdbt.com: every
 * account did before dbt's access-URL move (docs.getdbt.com "Access URLs"), and the provider tests
 * that predate the move keep that world, moving the account explicitly where a test is about it.
 */
export function onLegacyHost(nextId = 501): FakeDeployment {
    return new FakeDeployment(nextId, [ACCOUNT], "cloud.getdbt.com");
}

export class FakeDbtCloud {
    public readonly server = new FakeServer((r) => this.handle(r));

    /** Largest page a list answers (the request's `limit` can only lower it). */
    public pageSize = 100;
    /** Methods ("DELETE", "POST", "GET") the token may not use: answered 404 with the permission text. */
    public permission404 = new Set<string>();
    /** How a blocked create is refused (default: 400 with the text in status.user_message). */
    public duplicateAnswer: DuplicateAnswer = { status: 400, where: "user_message" };
    /** Requests served before the account is throttled; undefined: never. */
    private requestsUntilThrottle: number | undefined;
    /** Until when (epoch ms) every request is answered 429. */
    public cooldownUntil = 0;
    /** A 403 text every request is answered with, when set. */
    public forbid: string | undefined;

    constructor(public readonly deployment = new FakeDeployment()) {}

    /** Serve `n` more requests, then answer 429 to everything for dbt's five-minute cooldown. */
    public throttleAfter(n: number): void {
        this.requestsUntilThrottle = n;
    }

    /** Removes a record for good, as dbt Support does with a soft-deleted one (so a new one can be created). */
    public purge(id: number): void {
        const at = this.records.findIndex((r) => r.id === id);
        if (at >= 0) this.records.splice(at, 1);
    }

    private duplicate(): Reply {
        const { status, where } = this.duplicateAnswer;
        if (where === "raw") {
            return { status, raw: `<html><body><h1>Server Error</h1><pre>IntegrityError: ${DUPLICATE_TEXT}</pre></body></html>`, headers: { "Content-Type": "text/html" } };
        }
        const envelope = { code: status, is_success: false, user_message: where === "user_message" ? DUPLICATE_TEXT : "Something went wrong.", developer_message: where === "developer_message" ? DUPLICATE_TEXT : "" };
        return { status, body: { status: envelope, data: where === "data" ? { non_field_errors: [DUPLICATE_TEXT] } : null } };
    }

    /** Records of this deployment; a record without `account` belongs to ACCOUNT. */
    public get records(): StoredRecord[] {
        return this.deployment.records;
    }

    private view(r: StoredRecord) {
        // Like the real API: secret, client id and tenant are never returned.
        return {
            id: r.id, account_id: Number(r.account ?? ACCOUNT), organization_name: r.fields.organization_name, azure_service_authentication_method: r.fields.azure_service_authentication_method,
            oauth_redirect_uri_domain: this.deployment.oauthRedirectUriDomain, state: 1, created_at: r.createdAt ?? null, updated_at: r.updatedAt ?? null,
        };
    }

    /** dbt's timestamps have microseconds; a counter keeps two writes in one millisecond apart. */
    private stamp(): string {
        this.writes += 1;
        return new Date().toISOString().replace("Z", `${String(this.writes % 1000).padStart(3, "0")}+00:00`);
    }
    private writes = 0;

    private handle(request: RecordedRequest): Reply {
        if (request.headers.authorization !== `Token ${DBT_TOKEN}`) {
            return { status: 401, body: { status: { code: 401, is_success: false, user_message: "Invalid token." }, data: null } };
        }
        if (this.requestsUntilThrottle !== undefined && this.requestsUntilThrottle-- <= 0) {
            this.requestsUntilThrottle = undefined;
            this.cooldownUntil = Date.now() + COOLDOWN_MS;
        }
        if (Date.now() < this.cooldownUntil) {
            return { status: 429, body: { status: { code: 429, is_success: false, user_message: "Too many requests. Please try again later." }, data: null } };
        }
        if (this.forbid !== undefined) {
            return { status: 403, body: { status: { code: 403, is_success: false, user_message: this.forbid }, data: null } };
        }
        if (this.permission404.has(request.method)) {
            return { status: 404, body: { status: { code: 404, is_success: false, user_message: PERMISSION_404_TEXT }, data: null } };
        }
        // The accounts the token may use (terraform-provider-dbtcloud client.go NewClient: GET /v2/accounts/,
        // then "does not have access to the account id" when the account is not listed).
        if (request.method === "GET" && request.path === "/api/v2/accounts/") {
            return { status: 200, body: { status: { code: 200, is_success: true }, data: this.deployment.accounts.map((id) => ({ id: Number(id), name: `Account ${id}`, state: 1, plan: "enterprise" })) } };
        }
        const m = /^\/api\/v3\/accounts\/(\d+)\/azure-ad-applications\/(?:(\d+)\/)?$/.exec(request.path);
        if (!m || !this.deployment.accounts.includes(m[1])) {
            return { status: 404, body: { status: { code: 404, user_message: "Not found" }, data: null } };
        }
        const account = m[1];
        const mine = this.records.filter((r) => (r.account ?? ACCOUNT) === account);
        const ok = (data: unknown): Reply => ({ status: 200, body: { status: { code: 200, is_success: true }, data } });
        if (!m[2]) {
            if (request.method === "GET") {
                const active = mine.filter((r) => r.active);
                const limit = Math.min(Number(request.query.get("limit") ?? this.pageSize) || this.pageSize, this.pageSize);
                const offset = Number(request.query.get("offset") ?? 0) || 0;
                const page = active.slice(offset, offset + limit).map((r) => this.view(r));
                return { status: 200, body: { status: { code: 200, is_success: true }, data: page, extra: { filters: { limit, offset }, pagination: { count: page.length, total_count: active.length } } } };
            }
            if (mine.length > 0) {
                return this.duplicate();
            }
            const now = this.stamp();
            const record = { id: this.deployment.nextId++, active: true, fields: request.body as Record<string, unknown>, account, createdAt: now, updatedAt: now };
            this.records.push(record);
            return { status: 201, body: { status: { code: 201, is_success: true }, data: this.view(record) } };
        }
        const record = mine.find((r) => r.id === Number(m[2]) && r.active);
        if (!record) {
            return { status: 404, body: { status: { code: 404, user_message: "Not found" }, data: null } };
        }
        if (request.method === "DELETE") {
            record.active = false;
            return ok(this.view(record));
        }
        if (request.method === "POST") {
            record.fields = request.body as Record<string, unknown>;
            record.updatedAt = this.stamp();
        }
        return ok(this.view(record));
    }
}
