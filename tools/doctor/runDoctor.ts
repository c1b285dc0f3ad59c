/**
 * One doctor run: every check of ./checks.ts, concurrently where they do not depend on each other,
 * read-only throughout, and a report with one result per check.
 */
import { baseUrlOverridesInForce } from "../../domain/baseUrlOverride";
import { isDbtDomainHost, isSharedRegionHost, judgeLegacyHost, LEGACY_HOST_EXTENSION_KEY, legacyHostProblem } from "../../domain/dbtCloudHost";
import { testOverridesEnabled } from "../../domain/baseUrlOverride";
import { graphGet } from "../../providers/entra/api/graph";
import { TokenSource } from "../../lib/http/entraCredential";
import { azureDevOpsChecks } from "./azureDevOps";
import { CheckId, CheckResult, CHECKS, fail, notChecked, pass, warn } from "./checks";
import { dbtCloudChecks } from "./dbtCloud";
import { entraChecks, findStackApp, signInToGraph, StackApp } from "./entra";
import { AZURE_BASE_OVERRIDE, backendCheck, secretsProviderCheck } from "./pulumiBackend";
import { appHosts, readStackContext, StackContext } from "./stackContext";

export interface DoctorReport {
    stack: string;
    at: string;
    results: CheckResult[];
    /** Things to know about the run itself (test overrides in force, ESC environments not opened). */
    notes: string[];
    /** Tokens the run obtained, for the printer's redactor (never printed). */
    secrets: string[];
}

export interface DoctorOptions {
    root: string;
    stack: string;
    at: Date;
    /** The Entra sign-in to use instead of DefaultAzureCredential's (tests). */
    credential?: TokenSource;
}

/** The stack-config checks: every problem the program would report, and the access hosts at this instant. */
export function configChecks(context: StackContext): CheckResult[] {
    const legacy = (problem: string) => problem.includes(" is a getdbt.com region host, and ");
    const others = context.problems.filter((problem) => !legacy(problem));
    const stackFile = `Pulumi.${context.stack}.yaml`;
    const stack = others.length > 0
        ? fail("config.stack", `${stackFile} has ${others.length} problem(s) pulumi up would stop on: ${others.join("; ")}.`, "fix each as it says, then run npm run doctor again")
        : pass("config.stack", `${stackFile} is valid at ${context.at.toISOString()}${context.problems.length > 0 ? " apart from its access host (config.dbtCloudHost)" : ""}.`);
    return [stack, hostCheck(context)];
}

function hostCheck(context: StackContext): CheckResult {
    const hosts = appHosts(context.config);
    const extension = context.config.dbtCloudLegacyHostExtendedUntil;
    if (!hosts || extension === undefined) {
        return notChecked("config.dbtCloudHost", "dbtCloudHost or dbtCloudLegacyHostExtendedUntil does not parse (config.stack)");
    }
    const places = hosts.map((host, i) => ({ host, place: i === 0 ? { key: "dbtCloudHost" as const } : { key: "dbtCloudAdditionalHosts" as const, index: i - 1 } }));
    const refused = places.map(({ host, place }) => legacyHostProblem(host, place, context.at, extension)).filter((p): p is string => p !== undefined);
    if (refused.length > 0) {
        return fail("config.dbtCloudHost", refused.join("; "), "docs/access-url-move.md walks through the move to the account's access URL");
    }
    const extended = hosts.filter((host) => judgeLegacyHost(host, context.at, extension).kind === "extended");
    if (extended.length > 0) {
        const daysLeft = Math.ceil((Date.parse(`${extension}T00:00:00Z`) - context.at.getTime()) / 86_400_000);
        return warn("config.dbtCloudHost", `${extended.join(", ")} is accepted only because dbt extended this account until ${extension} (${LEGACY_HOST_EXTENSION_KEY}), ${daysLeft} day(s) from now; from then on every run is refused.`,
            "move to the account's access URL before then (docs/access-url-move.md)");
    }
    if (extension !== "") {
        return warn("config.dbtCloudHost", `${LEGACY_HOST_EXTENSION_KEY} is set, but no getdbt.com host is used any more.`, `pulumi config rm ${LEGACY_HOST_EXTENSION_KEY}`);
    }
    const shared = hosts.filter(isSharedRegionHost);
    if (shared.length > 0) {
        return warn("config.dbtCloudHost", `${shared.join(", ")} is a shared region host; dbt gives every account its own host (ACCOUNT_PREFIX.<cell>.dbt.com), which dbt's access-regions page now lists instead.`,
            "use the account's access URL from Account settings > Access URLs (docs/access-url-move.md)");
    }
    const custom = hosts.filter((host) => !isDbtDomainHost(host));
    return pass("config.dbtCloudHost", `${hosts.join(", ")}: ${custom.length > 0 ? `custom domain(s) ${custom.join(", ")} (dbtCloudCustomDomain), the rest ` : ""}dbt.com access host(s), not deprecated.`);
}

/** Every override of where the doctor's calls go, logged as the program logs its own. */
function overrideNotes(): string[] {
    const notes = baseUrlOverridesInForce(process.env);
    if (testOverridesEnabled(process.env)) {
        for (const variable of ["AZURE_AUTHORITY_HOST", "AZURE_GRAPH_BASE_URL", AZURE_BASE_OVERRIDE]) {
            if (process.env[variable]) notes.push(`${variable}=${process.env[variable]} is in force (DBT_ADO_TEST_OVERRIDES=1).`);
        }
    }
    return notes;
}

/** A check area that throws is a doctor failure to tell, not a crash: its checks say they could not tell. */
async function guarded(ids: CheckId[], run: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
    try {
        return await run();
    } catch (error) {
        const text = String((error as Error)?.message ?? error).split("\n")[0];
        return ids.map((id) => warn(id, `Could not check: ${text}`));
    }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
    const context = readStackContext(options.root, options.stack, options.at);
    const notes = [
        ...overrideNotes(),
        ...context.files.environments.map((env) => `Pulumi.${context.stack}.yaml imports the Pulumi ESC environment ${env}, which the doctor does not open: a value it provides shows as missing.`),
    ];
    const signIn = signInToGraph(process.env, options.credential);
    const stackApp = signIn.then((outcome) => (outcome.ok ? findStackApp(outcome.signIn.graph, context) : undefined));
    const stackPrincipal = Promise.all([signIn, stackApp]).then(async ([outcome, app]) => {
        if (!outcome.ok || !app?.ok || !app.value) return undefined;
        return principalOf(outcome.signIn.graph, app.value);
    });
    const credential = signIn.then((outcome) => (outcome.ok ? outcome.signIn.credential : undefined));

    const groups = await Promise.all([
        Promise.resolve(configChecks(context)),
        guarded(["entra.signIn", "entra.appRights", "entra.consentRights", "entra.appManagementPolicy", "entra.azureDevOpsPrincipal"],
            async () => entraChecks(context, await signIn, stackApp.then((lookup) => lookup ?? { ok: false as const, reason: "nobody is signed in" }))),
        guarded(["ado.organization", "ado.credential", "ado.rights", "ado.licence"], async () => azureDevOpsChecks(context, await signIn, stackPrincipal)),
        guarded(["dbt.token", "dbt.record", "dbt.accessHost", "dbt.redirectDomain"], () => dbtCloudChecks(context)),
        guarded(["pulumi.backend", "pulumi.secretsProvider"], async () => Promise.all([backendCheck(context, await credential), secretsProviderCheck(context, await credential)])),
    ]);
    const byId = new Map(groups.flat().map((result) => [result.id, result]));
    const results = CHECKS.map((spec) => byId.get(spec.id) ?? warn(spec.id, "Not checked: the doctor produced no result for it (a bug; please report it)."));
    const outcome = await signIn;
    return { stack: context.stack, at: context.at.toISOString(), results, notes, secrets: outcome.ok ? outcome.signIn.secrets : [] };
}

async function principalOf(graph: Parameters<typeof graphGet>[0], app: StackApp): Promise<string | undefined> {
    try {
        return (await graphGet<{ id?: string }>(graph, `/servicePrincipals(appId='${app.clientId}')?$select=id`)).id;
    } catch {
        return undefined;
    }
}
