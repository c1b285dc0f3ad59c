/**
 * A local HTTP server on 127.0.0.1 (port 0) for provider tests: routes requests to a
 * stateful fake, records every request exactly, and injects one-shot faults
 * (429 with Retry-After, 5xx, hangs, connection resets, malformed JSON, 401/403/404).
 */
import * as http from "http";
import * as https from "https";
import { AddressInfo, Socket } from "net";

export interface RecordedRequest {
    method: string;
    path: string;
    query: URLSearchParams;
    headers: http.IncomingHttpHeaders;
    rawBody: string;
    body: unknown;
}

export interface Reply {
    status: number;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
}

export type Handler = (request: RecordedRequest) => Reply;

export type Fault =
    | { kind: "status"; status: number; retryAfter?: string; body?: unknown }
    | { kind: "hang" }
    | { kind: "reset" }
    | { kind: "malformed" }
    /** Let the fake handle the request (state changes happen), then drop the connection. */
    | { kind: "reset-after-handling" };

interface PendingFault {
    matches: (request: RecordedRequest) => boolean;
    fault: Fault;
    remaining: number;
}

export class FakeServer {
    public readonly requests: RecordedRequest[] = [];
    private readonly faults: PendingFault[] = [];
    private readonly sockets = new Set<Socket>();
    private server: http.Server | https.Server | undefined;
    public baseUrl = "";
    /** Called with every request as it arrives, before any fault or handler: for ordering checks. */
    public onRequest: ((request: RecordedRequest) => void) | undefined;

    /** `tls`: serve https with this key and certificate (see test/http/testCertificate.ts). */
    constructor(private readonly handler: Handler, private readonly options: { tls?: { key: string; cert: string } } = {}) {}

    /** Applies `fault` to the next `times` requests that match. */
    public inject(matches: (request: RecordedRequest) => boolean, fault: Fault, times = 1): void {
        this.faults.push({ matches, fault, remaining: times });
    }

    /** Forgets unconsumed faults and recorded requests, so tests cannot leak into each other. */
    public reset(): void {
        this.faults.length = 0;
        this.requests.length = 0;
    }

    public async start(): Promise<string> {
        const serve = (req: http.IncomingMessage, res: http.ServerResponse) => this.serve(req, res);
        this.server = this.options.tls ? https.createServer({ key: this.options.tls.key, cert: this.options.tls.cert }, serve) : http.createServer(serve);
        this.server.on("connection", (socket: Socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.baseUrl = `${this.options.tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this.baseUrl;
    }

    public async stop(): Promise<void> {
        for (const socket of this.sockets) {
            socket.destroy();
        }
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    /** Requests other than the given method+path prefix filter, for exact assertions. */
    public matching(method: string, pathPart: string): RecordedRequest[] {
        return this.requests.filter((r) => r.method === method && r.path.includes(pathPart));
    }

    private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://fake");
            const rawBody = Buffer.concat(chunks).toString("utf8");
            let body: unknown;
            try {
                body = rawBody ? JSON.parse(rawBody) : undefined;
            } catch {
                body = rawBody;
            }
            const request: RecordedRequest = { method: req.method ?? "GET", path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, rawBody, body };
            this.requests.push(request);
            this.onRequest?.(request);

            const pending = this.faults.find((f) => f.remaining > 0 && f.matches(request));
            if (pending) {
                pending.remaining--;
                const fault = pending.fault;
                switch (fault.kind) {
                    case "hang":
                        return; // never answer; the client's timeout must fire
                    case "reset":
                        req.socket.destroy();
                        return;
                    case "reset-after-handling":
                        this.handler(request);
                        req.socket.destroy();
                        return;
                    case "malformed":
                        res.writeHead(200, { "Content-Type": "application/json" });
                        res.end("{\"value\": [tru");
                        return;
                    case "status": {
                        const headers: Record<string, string> = { "Content-Type": "application/json" };
                        if (fault.retryAfter !== undefined) {
                            headers["Retry-After"] = fault.retryAfter;
                        }
                        res.writeHead(fault.status, headers);
                        res.end(JSON.stringify(fault.body ?? { message: `injected ${fault.status}` }));
                        return;
                    }
                }
            }

            let reply: Reply;
            try {
                reply = this.handler(request);
            } catch (error) {
                reply = { status: 500, body: { message: `fake crashed: ${(error as Error).message}` } };
            }
            res.writeHead(reply.status, { "Content-Type": "application/json", ...(reply.headers ?? {}) });
            res.end(reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body)));
        });
    }
}

/** Sets environment variables for a test and restores the previous values afterwards. */
export function useEnv(vars: Record<string, string | undefined>): () => void {
    const previous: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(vars)) {
        previous[key] = process.env[key];
        if (value === undefined) {
            delete process.env[key];
        } else {
            process.env[key] = value;
        }
    }
    return () => {
        for (const [key, value] of Object.entries(previous)) {
            if (value === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = value;
            }
        }
    };
}

/**
 * Fast, bounded retry settings so fault-injection tests never wait for real backoff, and the test
 * switch that lets the fakes' AZDO_*_BASE_URL / DBT_CLOUD_HOST_URL be honoured (domain/baseUrlOverride.ts).
 */
export const FAST_HTTP_ENV = {
    DBT_ADO_TEST_OVERRIDES: "1",
    DBT_ADO_HTTP_TIMEOUT_MS: "2000",
    DBT_ADO_HTTP_MAX_RETRIES: "3",
    DBT_ADO_HTTP_RETRY_BASE_MS: "1",
    DBT_ADO_HTTP_RETRY_MAX_MS: "5",
    DBT_ADO_HTTP_RETRY_AFTER_CAP_MS: "5",
};

/** Collects console.log/console.error lines written during `action`. */
export async function captureConsole<T>(action: () => Promise<T>): Promise<{ result?: T; error?: unknown; lines: string[] }> {
    const lines: string[] = [];
    const original = { log: console.log, error: console.error, warn: console.warn };
    const collect = (...args: unknown[]) => lines.push(args.map(String).join(" "));
    console.log = collect;
    console.error = collect;
    console.warn = collect;
    try {
        return { result: await action(), lines };
    } catch (error) {
        return { error, lines };
    } finally {
        Object.assign(console, original);
    }
}

/** Asserts none of `secrets` occurs in `text`, reporting where. */
export function assertNoSecrets(text: string, secrets: string[], where: string): void {
    for (const secret of secrets) {
        if (text.includes(secret)) {
            throw new Error(`${where} leaks a secret value: ${text.slice(0, 200)}`);
        }
    }
}
