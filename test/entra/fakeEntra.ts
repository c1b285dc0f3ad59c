/**
 * A fake Microsoft identity platform and Microsoft Graph on 127.0.0.1 (https, see
 * test/http/testCertificate.ts), over the same tenant file as the fake azuread plugin
 * (test/engine/fakeAzuread/tenant.ts), so a test sees one directory whichever door a change came
 * through. What it serves, and the source of each behaviour:
 *
 * - OpenID discovery `GET /{tenant}/v2.0/.well-known/openid-configuration` and the token endpoint
 *   `POST /{tenant}/oauth2/v2.0/token` (client credentials: `client_id`, `client_secret`, `scope`,
 *   `grant_type=client_credentials`), which is what @azure/identity 4.x / msal-node 3.x call for a
 *   ClientSecretCredential with a custom `authorityHost` and `disableInstanceDiscovery`
 *   (/work/shared/REFERENCE.md, measured). Refusals carry Entra's `error`, `error_description`
 *   (starting `AADSTSnnnn:`) and `error_codes`, with 401 `invalid_client` for a bad or expired secret
 *   and 400 `unauthorized_client` for an unknown app, as Microsoft's "Microsoft identity platform
 *   and the OAuth 2.0 client credentials flow" error section lists. A new secret is refused as
 *   AADSTS7000215 until `tenant.entra.newSecretDelayMs` has passed (replication, 4-18 s in
 *   microsoftgraph/microsoft-graph-docs#17966), and then, with `flakyEvery`, still now and then
 *   (terraform-provider-vault#2079).
 * - Graph v1.0 `GET|PATCH /v1.0/applications/{objectId}` (passwordCredentials without values,
 *   `servicePrincipalLockConfiguration`), `POST /v1.0/applications/{objectId}/addPassword` (answer
 *   holds `secretText` once) and `/removePassword` (204), per Microsoft Graph's application
 *   reference; Graph's error body is `{ error: { code, message, innerError } }`. A new application
 *   answers 404 `Request_ResourceNotFound` for `tenant.entra.readLagMs` (directory replication:
 *   hamilton's msgraph client retries exactly that with RetryOn404ConsistencyFailureFunc). Removing
 *   a key id the app does not hold answers 404 (the fake's choice, consistent with the fake plugin's
 *   "already gone is Graph's 404"; callers must not rely on any particular refusal). Graph accepts
 *   only bearer tokens this fake issued for `https://graph.microsoft.com/.default` (401
 *   `InvalidAuthenticationToken` otherwise).
 *
 * Every call is appended to the tenant's `calls` log (ops `token`, `graph:*`), never with a secret.
 */
import * as crypto from "crypto";
import { addPassword, isRefusal } from "../engine/fakeAzuread/credentials";
import { CallOp, CallOutcome, DEFAULT_DEPLOYER_APP_ROLES, FakeApplication, findApplication, findServicePrincipal, Tenant, updateTenant } from "../engine/fakeAzuread/tenant";
import { FakeServer, RecordedRequest, Reply } from "../http/fakeServer";
import { testCertificate } from "../http/testCertificate";

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
/** The deploying identity's client secret in the fake tenant, unless the tenant file sets another. */
export const DEFAULT_DEPLOYER_SECRET = "deployer-secret-not-real-0123456789";

interface IssuedToken {
    clientId: string;
    scope: string;
}

/** What a Graph route returns: the reply, and how the tenant's call log records the call. */
export interface GraphRouteResult {
    reply: Reply;
    outcome: CallOutcome;
    id?: string;
}

/**
 * A further Graph route (a path under /v1.0), for fakes of other Graph areas (directory reads,
 * policies, ...): it runs after the bearer token was checked, inside the tenant file's lock, and
 * may change the tenant it is given.
 */
export interface GraphRoute {
    method: string;
    /** Matched against the path after /v1.0. */
    path: RegExp;
    op: CallOp;
    handle(match: RegExpExecArray, request: RecordedRequest, tenant: Tenant, now: Date, caller: { clientId: string }): GraphRouteResult;
}

/** The environment a process needs to use this fake as its Entra and Graph (test overrides on). */
export interface FakeEntraEnv extends Record<string, string> {
    AZURE_AUTHORITY_HOST: string;
    AZURE_GRAPH_BASE_URL: string;
    NODE_EXTRA_CA_CERTS: string;
}

export class FakeEntra {
    public readonly server: FakeServer;
    private readonly tokens = new Map<string, IssuedToken>();
    /** Every secret value this fake minted, in order: leak checks look for all of them, removed ones too. */
    public readonly minted: string[] = [];
    /** The clock of the fake: real time unless the tenant pins it (`clock.now`) or a test sets this. */
    public now: () => Date = () => new Date();
    private readonly routes: GraphRoute[] = [];

    /** Serves one more Graph route (see GraphRoute); the first route that matches wins. */
    public addGraphRoute(route: GraphRoute): void {
        this.routes.push(route);
    }

    constructor(public readonly tenantFile: string) {
        const { key, cert } = testCertificate();
        this.server = new FakeServer((request) => this.handle(request), { tls: { key, cert } });
    }

    /** Starts the server; returns the variables that point @azure/identity and our Graph client at it. */
    public async start(): Promise<FakeEntraEnv> {
        const base = await this.server.start();
        return { AZURE_AUTHORITY_HOST: base, AZURE_GRAPH_BASE_URL: base, NODE_EXTRA_CA_CERTS: testCertificate().caFile };
    }

    public async stop(): Promise<void> {
        await this.server.stop();
    }

    private handle(request: RecordedRequest): Reply {
        const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(request.path);
        if (request.method === "GET" && discovery) {
            return this.discovery(discovery[1]);
        }
        const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(request.path);
        if (request.method === "POST" && token) {
            return this.token(token[1], new URLSearchParams(request.rawBody));
        }
        const graph = /^\/v1\.0\/applications\/([^/(]+)(?:\/(addPassword|removePassword))?$/.exec(request.path);
        if (graph) {
            return this.graph(request, graph[1], graph[2]);
        }
        for (const route of this.routes) {
            const match = request.method === route.method && request.path.startsWith("/v1.0") ? route.path.exec(request.path.slice("/v1.0".length)) : null;
            if (match) {
                const caller = this.caller(request);
                if (!caller) {
                    return this.transact(route.op, request.path, () => ({ reply: graphError(401, "InvalidAuthenticationToken", "Access token is empty or invalid."), outcome: "error" }));
                }
                return this.transact(route.op, request.path, (t, now) => route.handle(match, request, t, now, caller));
            }
        }
        return graphError(404, "Request_ResourceNotFound", `fake Entra: no route for ${request.method} ${request.path}`);
    }

    private discovery(tenantId: string): Reply {
        const base = this.server.baseUrl;
        return {
            status: 200,
            body: {
                token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
                token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
                response_modes_supported: ["query", "fragment", "form_post"],
                subject_types_supported: ["pairwise"],
                id_token_signing_alg_values_supported: ["RS256"],
                response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
                scopes_supported: ["openid", "profile", "email", "offline_access"],
                issuer: `${base}/${tenantId}/v2.0`,
                request_uri_parameter_supported: false,
                userinfo_endpoint: `${base}/oidc/userinfo`,
                authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
                device_authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/devicecode`,
                http_logout_supported: true,
                frontchannel_logout_supported: true,
                end_session_endpoint: `${base}/${tenantId}/oauth2/v2.0/logout`,
                claims_supported: ["sub", "iss", "aud", "exp", "iat", "nonce", "tid"],
                kerberos_endpoint: `${base}/${tenantId}/kerberos`,
                tenant_region_scope: "EU",
                cloud_instance_name: "microsoftonline.com",
                cloud_graph_host_name: "graph.windows.net",
                msgraph_host: "graph.microsoft.com",
            },
        };
    }

    private token(tenantId: string, form: URLSearchParams): Reply {
        const clientId = form.get("client_id") ?? "";
        const secret = form.get("client_secret") ?? "";
        const scope = form.get("scope") ?? "";
        return this.transact("token", clientId, (t, now) => {
            if (form.get("grant_type") !== "client_credentials") {
                return { reply: tokenError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."), outcome: "error" };
            }
            if (tenantId.toLowerCase() !== t.tenantId.toLowerCase()) {
                return { reply: tokenError(400, "invalid_request", 90002, `Tenant '${tenantId}' not found.`), outcome: "error" };
            }
            if (clientId.toLowerCase() === t.clientId.toLowerCase()) {
                return secret === (t.entra?.deployerSecret ?? DEFAULT_DEPLOYER_SECRET)
                    ? { reply: this.issue(t, clientId, scope), outcome: "ok" }
                    : { reply: invalidSecret(clientId), outcome: "error" };
            }
            const app = findApplication(t, { clientId });
            if (!app) {
                return {
                    reply: tokenError(400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${t.tenantId}'.`),
                    outcome: "error",
                };
            }
            const password = app.passwords.find((p) => p.value === secret);
            if (!password) {
                return { reply: invalidSecret(clientId), outcome: "error" };
            }
            if (Date.parse(password.endDate) <= now.getTime()) {
                return {
                    reply: tokenError(401, "invalid_client", 7000222, `The provided client secret keys for app '${clientId}' are expired.`),
                    outcome: "error",
                };
            }
            const behaviour = t.entra ?? {};
            const age = now.getTime() - Date.parse(password.createdAt);
            const flaky = behaviour.flakyEvery !== undefined && behaviour.flakyEvery > 0 && (password.tokenRequests ?? 0) % behaviour.flakyEvery === behaviour.flakyEvery - 1;
            password.tokenRequests = (password.tokenRequests ?? 0) + 1;
            if (behaviour.secretsNeverReady || age < (behaviour.newSecretDelayMs ?? 0) || flaky) {
                return { reply: invalidSecret(clientId), outcome: "error" };
            }
            return { reply: this.issue(t, clientId, scope), outcome: "ok" };
        });
    }

    /**
     * An access token shaped as Entra's are: a JWT whose claims say who it is for (Microsoft
     * identity platform "access token claims reference": `aud`, `iss`, `tid`, `oid`, `appid`,
     * `idtyp` "app" for client credentials, `roles` the application permissions granted). Unsigned
     * here (the signature part is random): clients must not validate tokens meant for another API.
     */
    private issue(t: Tenant, clientId: string, scope: string): Reply {
        const deployer = clientId.toLowerCase() === t.clientId.toLowerCase();
        const now = Math.floor(this.now().getTime() / 1000);
        const claims = {
            aud: scope.replace(/\/\.default$/, ""),
            iss: `https://sts.windows.net/${t.tenantId}/`,
            iat: now, nbf: now, exp: now + 3599,
            tid: t.tenantId,
            appid: clientId,
            oid: deployer ? t.deployerObjectId : findServicePrincipal(t, { clientId })?.objectId ?? crypto.randomUUID(),
            idtyp: "app",
            roles: deployer ? (t.directory?.deployerAppRoles ?? DEFAULT_DEPLOYER_APP_ROLES) : [],
        };
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
        const accessToken = `${part({ typ: "JWT", alg: "RS256", kid: "fake" })}.${part(claims)}.${crypto.randomBytes(24).toString("base64url")}`;
        this.tokens.set(accessToken, { clientId, scope });
        return { status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken } };
    }

    /** Who a Graph request's bearer token was issued to; undefined unless this fake issued it for Graph. */
    private caller(request: RecordedRequest): { clientId: string } | undefined {
        const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
        const issued = bearer ? this.tokens.get(bearer) : undefined;
        return issued && issued.scope === GRAPH_SCOPE ? { clientId: issued.clientId } : undefined;
    }

    private graph(request: RecordedRequest, objectId: string, action: string | undefined): Reply {
        const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
        const issued = bearer ? this.tokens.get(bearer) : undefined;
        const op: CallOp = action === "addPassword" ? "graph:addPassword" : action === "removePassword" ? "graph:removePassword" : request.method === "PATCH" ? "graph:patch" : "graph:get";
        if (!issued || issued.scope !== GRAPH_SCOPE) {
            return this.transact(op, objectId, () => ({
                reply: graphError(401, "InvalidAuthenticationToken", issued ? "Invalid audience." : "Access token is empty or invalid."),
                outcome: "error",
            }));
        }
        return this.transact(op, objectId, (t, now) => {
            const app = findApplication(t, { objectId });
            const lagMs = t.entra?.readLagMs ?? 0;
            if (!app || now.getTime() - Date.parse(app.createdAt) < lagMs) {
                return {
                    reply: graphError(404, "Request_ResourceNotFound", `Resource '${objectId}' does not exist or one of its queried reference-property objects are not present.`),
                    outcome: "notFound",
                };
            }
            const body = (request.body ?? {}) as Record<string, unknown>;
            if (action === undefined && request.method === "GET") {
                return { reply: { status: 200, body: applicationBody(app, request.query.get("$select")) }, outcome: "ok" };
            }
            if (action === undefined && request.method === "PATCH") {
                const unknown = Object.keys(body).filter((k) => k !== "servicePrincipalLockConfiguration");
                if (unknown.length > 0) {
                    return { reply: graphError(400, "Request_BadRequest", `fake Entra: PATCH of ${unknown.join(", ")} is not modelled.`), outcome: "error" };
                }
                const lock = body.servicePrincipalLockConfiguration as Record<string, unknown>;
                app.servicePrincipalLockConfiguration = Object.fromEntries(Object.entries(lock ?? {}).map(([k, v]) => [k, v === true]));
                return { reply: { status: 204 }, outcome: "ok" };
            }
            if (action === "addPassword" && request.method === "POST") {
                const credential = (body.passwordCredential ?? {}) as Record<string, unknown>;
                const added = addPassword(t, app, {
                    displayName: String(credential.displayName ?? ""),
                    ...(typeof credential.startDateTime === "string" ? { startDate: credential.startDateTime } : {}),
                    ...(typeof credential.endDateTime === "string" ? { endDate: credential.endDateTime } : {}),
                }, now);
                if (isRefusal(added)) {
                    return { reply: graphError(added.status, added.code, added.message), outcome: "error" };
                }
                this.minted.push(added.value);
                return { reply: { status: 200, body: { ...passwordBody(added), secretText: added.value } }, outcome: "ok", id: added.keyId };
            }
            if (action === "removePassword" && request.method === "POST") {
                const keyId = String(body.keyId ?? "").toLowerCase();
                const before = app.passwords.length;
                app.passwords = app.passwords.filter((p) => p.keyId.toLowerCase() !== keyId);
                if (app.passwords.length === before) {
                    return { reply: graphError(404, "Request_ResourceNotFound", `No password credential with key id '${keyId}' on application '${objectId}'.`), outcome: "notFound", id: keyId };
                }
                return { reply: { status: 204 }, outcome: "ok", id: keyId };
            }
            return { reply: graphError(405, "Request_BadRequest", `fake Entra: ${request.method} ${request.path} is not modelled.`), outcome: "error" };
        });
    }

    /** One locked read-modify-write of the tenant file, logged in its `calls`. */
    private transact(op: CallOp, id: string, fn: (t: Tenant, now: Date) => { reply: Reply; outcome: CallOutcome; id?: string }): Reply {
        return updateTenant(this.tenantFile, (t) => {
            const now = t.clock?.now ? new Date(t.clock.now) : this.now();
            const { reply, outcome, id: recordedId } = fn(t, now);
            t.calls.push({ n: t.calls.length + 1, time: now.toISOString(), op, id: recordedId ?? id, outcome });
            return reply;
        });
    }
}

function passwordBody(p: { keyId: string; displayName: string; startDate: string; endDate: string; hint: string }) {
    return { customKeyIdentifier: null, displayName: p.displayName, endDateTime: p.endDate, hint: p.hint, keyId: p.keyId, secretText: null, startDateTime: p.startDate };
}

/** The application as Graph returns it, narrowed by `$select` like Graph does. */
export function applicationBody(app: FakeApplication, select: string | null): Record<string, unknown> {
    const full: Record<string, unknown> = {
        id: app.objectId,
        appId: app.clientId,
        displayName: app.displayName,
        signInAudience: app.signInAudience,
        passwordCredentials: app.passwords.map(passwordBody),
        keyCredentials: [],
        web: { redirectUris: app.web.redirectUris, implicitGrantSettings: { enableAccessTokenIssuance: app.web.implicitGrant.accessTokenIssuanceEnabled, enableIdTokenIssuance: app.web.implicitGrant.idTokenIssuanceEnabled } },
        requiredResourceAccess: app.requiredResourceAccesses.map((r) => ({ resourceAppId: r.resourceAppId, resourceAccess: r.resourceAccesses })),
        servicePrincipalLockConfiguration: app.servicePrincipalLockConfiguration ?? null,
    };
    if (!select) {
        return full;
    }
    const keys = select.split(",").map((k) => k.trim());
    return Object.fromEntries(Object.entries(full).filter(([k]) => k === "id" || keys.includes(k)));
}

export function graphError(status: number, code: string, message: string): Reply {
    return {
        status,
        body: { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d{3}Z$/, ""), "request-id": crypto.randomUUID(), "client-request-id": crypto.randomUUID() } } },
    };
}

function tokenError(status: number, error: string, code: number, text: string): Reply {
    const traceId = crypto.randomUUID();
    const correlationId = crypto.randomUUID();
    const timestamp = new Date().toISOString().replace("T", " ").replace("Z", "");
    return {
        status,
        body: {
            error,
            error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}Z`,
            error_codes: [code],
            timestamp,
            trace_id: traceId,
            correlation_id: correlationId,
            error_uri: "https://login.microsoftonline.com/error?code=" + code,
        },
    };
}

/** Entra's answer to a wrong secret, with the hint it gives (the secret id pasted instead of its value). */
function invalidSecret(clientId: string): Reply {
    return tokenError(401, "invalid_client", 7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
}
