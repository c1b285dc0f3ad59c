/**
 * The services a Pulumi backend and secrets provider live in, as `npm run doctor` reads them, on
 * 127.0.0.1 under <base>/<host>/... (tools/doctor/pulumiBackend.ts serviceUrl):
 *
 * - Azure Blob Storage "List Blobs" (GET https://{account}.blob.core.windows.net/{container}
 *   ?restype=container&comp=list): 200 with an XML EnumerationResults, 404 ContainerNotFound, 403
 *   AuthorizationPermissionMismatch for an identity without a data role (Azure Storage REST
 *   reference, "List Blobs" and "Blob service error codes"); an Entra token (aud
 *   https://storage.azure.com) or a SAS query authorizes.
 * - Azure Key Vault "Get Key" (GET https://{vault}.vault.azure.net/keys/{name}/{version}?api-version=7.4):
 *   `{ key: { kid, kty, key_ops }, attributes: { enabled } }`, 404 KeyNotFound, 403 Forbidden
 *   (Key Vault REST reference, "Get Key").
 * - Pulumi Cloud "Get current user" (GET https://api.pulumi.com/api/user, `Authorization: token <t>`):
 *   the user, 401 for a token it does not know (Pulumi Cloud REST API docs).
 */
import { FakeServer, RecordedRequest, Reply } from "../http/fakeServer";

export const PULUMI_TOKEN = "pul-doctor-test-token-0123456789";
export const SAS = "sv=2022-11-02&sig=fake-sas-signature-0123456789";

function claimsOf(request: RecordedRequest): { aud?: string } | undefined {
    const jwt = /^Bearer [^.]+\.([^.]+)\./.exec(String(request.headers.authorization ?? ""));
    try {
        return jwt ? (JSON.parse(Buffer.from(jwt[1], "base64url").toString("utf8")) as { aud?: string }) : undefined;
    } catch {
        return undefined;
    }
}

export class FakeAzureServices {
    public readonly server = new FakeServer((r) => this.handle(r));
    /** account -> containers. */
    public readonly containers = new Map<string, Set<string>>([["contosostate", new Set(["pulumi-state"])]]);
    /** Whether the signed-in identity holds a data role on the storage account. */
    public blobReader = true;
    /** "vault host/key name" -> key. */
    public readonly keys = new Map<string, { enabled: boolean; keyOps: string[] }>([["contoso-kv.vault.azure.net/pulumi", { enabled: true, keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] }]]);
    public keyReader = true;

    public async start(): Promise<string> {
        return this.server.start();
    }

    public async stop(): Promise<void> {
        await this.server.stop();
    }

    private handle(request: RecordedRequest): Reply {
        let m: RegExpExecArray | null;
        if ((m = /^\/([a-z0-9]+)\.blob\.core\.windows\.net\/([^/]+)$/.exec(request.path)) && request.query.get("comp") === "list") {
            const sas = request.query.get("sig") === "fake-sas-signature-0123456789";
            if (!sas && claimsOf(request)?.aud !== "https://storage.azure.com") {
                return { status: 401, raw: "<Error><Code>NoAuthenticationInformation</Code></Error>", headers: { "Content-Type": "application/xml" } };
            }
            if (!this.containers.get(m[1])?.has(m[2])) {
                return { status: 404, raw: "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.</Message></Error>", headers: { "Content-Type": "application/xml" } };
            }
            if (!sas && !this.blobReader) {
                return { status: 403, raw: "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>", headers: { "Content-Type": "application/xml" } };
            }
            return { status: 200, raw: `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="${m[2]}"><Blobs /><NextMarker /></EnumerationResults>`, headers: { "Content-Type": "application/xml" } };
        }
        if ((m = /^\/([a-z0-9-]+\.vault\.azure\.net)\/keys\/([^/]+)(?:\/[^/]+)?$/.exec(request.path))) {
            if (claimsOf(request)?.aud !== "https://vault.azure.net") {
                return { status: 401, body: { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } } };
            }
            if (!this.keyReader) {
                return { status: 403, body: { error: { code: "Forbidden", message: "Caller is not authorized to perform action on resource." } } };
            }
            const key = this.keys.get(`${m[1]}/${m[2]}`);
            return key
                ? { status: 200, body: { key: { kid: `https://${m[1]}/keys/${m[2]}/0123456789abcdef`, kty: "RSA", key_ops: key.keyOps }, attributes: { enabled: key.enabled } } }
                : { status: 404, body: { error: { code: "KeyNotFound", message: `A key with (name/id) ${m[2]} was not found in this key vault.` } } };
        }
        if (request.path === "/api.pulumi.com/api/user") {
            return request.headers.authorization === `token ${PULUMI_TOKEN}`
                ? { status: 200, body: { name: "Deployer", githubLogin: "deployer" } }
                : { status: 401, body: { code: 401, message: "Unauthorized: No credentials provided or are invalid." } };
        }
        return { status: 404, body: { message: `fake Azure services: no route for ${request.method} ${request.path}` } };
    }
}
