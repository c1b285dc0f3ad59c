/**
 * A stateful fake of dbt Cloud's azure-ad-applications endpoints (what terraform-provider-dbtcloud's
 * `pkg/dbt_cloud/azure_ad_application.go` calls): one record per account, soft delete, and the
 * "duplicate key value" answer when a soft-deleted record blocks a new one (its schema.go).
 * Served on 127.0.0.1 by FakeServer, under /api like the real access hosts.
 */
import { FakeServer, RecordedRequest, Reply } from "../http/fakeServer";

export const ACCOUNT = "70403103920001";
export const DBT_TOKEN = "dbtc_TOKEN-never-print-4f5e6d";

export interface StoredRecord { id: number; active: boolean; fields: Record<string, unknown>; account?: string }

/**
 * One dbt Cloud deployment's records. Several FakeDbtCloud servers may share one, like
 * cloud.getdbt.com and a cell host serving the same accounts; a separate region has its own.
 */
export class FakeDeployment {
    public readonly records: StoredRecord[] = [];
    constructor(public nextId = 501, public readonly accounts: string[] = [ACCOUNT]) {}
}

/** Stateful fake of dbt Cloud's azure-ad-applications endpoints: one record per account, soft delete. */
export class FakeDbtCloud {
    public readonly server = new FakeServer((r) => this.handle(r));

    constructor(public readonly deployment = new FakeDeployment()) {}

    /** Records of this deployment; a record without `account` belongs to ACCOUNT. */
    public get records(): StoredRecord[] {
        return this.deployment.records;
    }

    private view(r: StoredRecord) {
        // Like the real API: secret, client id and tenant are never returned.
        return { id: r.id, account_id: Number(r.account ?? ACCOUNT), organization_name: r.fields.organization_name, azure_service_authentication_method: r.fields.azure_service_authentication_method, oauth_redirect_uri_domain: "cloud.getdbt.com", state: 1 };
    }

    private handle(request: RecordedRequest): Reply {
        if (request.headers.authorization !== `Token ${DBT_TOKEN}`) {
            return { status: 401, body: { status: { code: 401, is_success: false, user_message: "Invalid token." }, data: null } };
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
                return ok(mine.filter((r) => r.active).map((r) => this.view(r)));
            }
            if (mine.length > 0) {
                return { status: 400, body: { status: { code: 400, is_success: false, user_message: "duplicate key value violates unique constraint \"azure_ad_application_account_id_key\"" }, data: null } };
            }
            const record = { id: this.deployment.nextId++, active: true, fields: request.body as Record<string, unknown>, account };
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
        }
        return ok(this.view(record));
    }
}
