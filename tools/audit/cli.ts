/**
 * `pulumi stack export --stack <stack> | npm run -s audit-app` (or `node dist/tools/audit/cli.js`):
 * audits the stack's Entra app over Microsoft Graph against what the state export declares.
 * Exit 0: exactly as declared. Exit 1: drift, one line per difference on standard output.
 * Exit 2: the audit could not run (not a state export, no app in it, no Graph token, no
 * permission to read, Graph unreachable); the reason on standard error.
 * What it checks and what to do for each finding: docs/drift-audit.md.
 */
import { DEFAULT_GRAPH_BASE_URL, authorityHost, graphBaseUrl } from "../../domain/entraEndpoints";
import { GraphSession } from "../../providers/entra/api/graph";
import { deployerCredential, TokenSource } from "../../lib/http/entraCredential";
import { HttpError, isHttpError } from "../../lib/http/httpError";
import { FlagKinds, parseFlags } from "../cliFlags";
import { readStdin } from "../stdin";
import { auditApp, Finding, renderFinding } from "./findings";
import { readLiveApp } from "./liveApp";
import { DeclaredApp, readStateExport } from "./stateExport";

/** The audit takes no flags but --help. */
export const AUDIT_FLAGS: FlagKinds = {};

const USAGE = "Usage: pulumi stack export --stack <stack> | npm run -s audit-app   (or node dist/tools/audit/cli.js; --help)";
const HELP = `${USAGE}

Reads the stack's state export on standard input (no --show-secrets needed) and compares the app
registration it declares with what Microsoft Graph has now: password, certificate and federated
credentials, redirect URIs (web, spa, publicClient) and sign-in settings, owners (of the app and
of its service principal), required API access, app-role assignments and delegated grants of its
service principal, and the app instance property lock.

It signs in as the deploying (or read-only preview) identity, the way the azuread provider does:
az login, workload identity federation, a managed identity, or AZURE_TENANT_ID + AZURE_CLIENT_ID +
AZURE_CLIENT_SECRET. It reads only, and never prints a token or a secret (Graph lists no secret
values). Needs Application.Read.All and DelegatedPermissionGrant.Read.All (or Directory.Read.All).

Exit status: 0 the app is exactly as declared; 1 drift (one line per difference on standard
output: what was found, what is declared, and the fix); 2 the audit could not run (bad input,
no credentials or permission, Graph unreachable). Findings explained: docs/drift-audit.md.
`;

export interface AuditIo {
    stdin: string;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    env: NodeJS.ProcessEnv;
    /** The identity's token source; the deploying identity (DefaultAzureCredential) unless given. */
    credential?: TokenSource;
}

export async function runAuditCommand(argv: string[], io: AuditIo): Promise<number> {
    const { help, problems } = parseFlags(argv, AUDIT_FLAGS);
    if (help) {
        io.stdout(HELP);
        return 0;
    }
    if (problems.length > 0) {
        io.stderr(`${[...problems, USAGE].join("\n")}\n`);
        return 2;
    }
    const reading = readStateExport(io.stdin);
    if (!reading.ok) {
        io.stderr(`${[...reading.problems, USAGE].join("\n")}\n`);
        return 2;
    }
    let session: GraphSession;
    try {
        const baseUrl = graphBaseUrl(io.env);
        authorityHost(io.env);
        session = { baseUrl, credential: io.credential ?? deployerCredential(io.env), secrets: [] };
        if (baseUrl !== DEFAULT_GRAPH_BASE_URL) {
            io.stderr(`AZURE_GRAPH_BASE_URL=${baseUrl} is in force (test overrides on): Graph calls go there instead of ${DEFAULT_GRAPH_BASE_URL}.\n`);
        }
    } catch (error) {
        io.stderr(`The audit cannot sign in: ${(error as Error).message}\n`);
        return 2;
    }
    const reports: Array<{ app: DeclaredApp; findings: Finding[] }> = [];
    for (const app of reading.apps) {
        try {
            reports.push({ app, findings: auditApp(app, await readLiveApp(session, app), session.baseUrl) });
        } catch (error) {
            io.stderr(`${cannotAudit(app, error)}\n`);
            return 2;
        }
    }
    const drifted = reports.filter((r) => r.findings.length > 0);
    for (const { app, findings } of reports) {
        if (findings.length === 0) {
            io.stdout(`${describe(app)} is exactly as declared: credentials, redirect URIs, sign-in settings, owners, required access, app roles, ` +
                `delegated grants${app.lock ? " and the instance property lock" : " (no instance property lock declared)"}.\n`);
            continue;
        }
        io.stdout(`Drift: ${describe(app)} differs from what the stack declares in ${findings.length} way${findings.length === 1 ? "" : "s"}:\n`);
        io.stdout(findings.map((f) => `  ${renderFinding(f)}\n`).join(""));
    }
    if (drifted.length > 0) {
        io.stdout("Each finding, and what to do about it: docs/drift-audit.md.\n");
        return 1;
    }
    return 0;
}

function describe(app: DeclaredApp): string {
    return `the app "${app.displayName}" (client id ${app.clientId})${app.stack ? ` of stack ${app.stack}` : ""}`;
}

/** Why Graph could not be read, and what to do: the message of ./graph.ts (endpoint, code, permission), redacted there. */
function cannotAudit(app: DeclaredApp, error: unknown): string {
    const message = String((error as Error)?.message ?? error);
    const prefix = `The audit of ${describe(app)} could not read Microsoft Graph, so nothing was judged:`;
    if (!isHttpError(error)) {
        return `${prefix} ${message}`;
    }
    const http = error as HttpError;
    if (http.kind === "credentials") {
        return `${prefix} ${message}`;
    }
    if (http.status === 401 || http.status === 403) {
        return `${prefix} ${message} Grant it, or run the audit as an identity that has it.`;
    }
    return `${prefix} ${message} Run it again later; if it persists, check the network path from this runner to Graph.`;
}

if (require.main === module) {
    const argv = process.argv.slice(2);
    if (process.stdin.isTTY === true && !parseFlags(argv, AUDIT_FLAGS).help) {
        process.stderr.write(`Nothing is piped in: standard input is a terminal.\n${HELP}`);
        process.exit(2);
    }
    readStdin()
        .then((stdin) => runAuditCommand(argv, { stdin, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env }))
        .then((code) => {
            process.exitCode = code;
        }, (error: unknown) => {
            process.stderr.write(`The audit failed unexpectedly: ${String((error as Error)?.message ?? error).split("\n")[0]}\n`);
            process.exitCode = 2;
        });
}
