/**
 * Where a CI step runs, and the environment its `pulumi` and `node` children get.
 *
 * Azure Pipelines turns every non-secret variable (queue-time, pipeline, variable group) into an
 * environment variable of every step, so a step must not trust what it finds there: a variable
 * named NODE_OPTIONS would load code into the program, DBT_CLOUD_HOST_URL or AZDO_*_BASE_URL
 * would send the tokens elsewhere, PULUMI_BACKEND_URL would swap the state. So:
 * - DBT_ADO_TEST_OVERRIDES (the switch that enables the test-only base-URL and download
 *   overrides) is refused on a real CI runner, in every mode;
 * - without it, the base-URL overrides are dropped from the children's environment, with a note;
 * - NODE_OPTIONS and NODE_TLS_REJECT_UNAUTHORIZED are always dropped (`.ci/step` unsets
 *   NODE_OPTIONS before node itself starts);
 * - on a real runner the state backend is the one `.ci/stacks.yml` names, whatever the
 *   environment says; elsewhere (a workstation, the tests, nektos/act) an exported
 *   PULUMI_BACKEND_URL wins, as it does for `pulumi` itself.
 */
import { BASE_URL_OVERRIDES, TEST_OVERRIDES_SWITCH, testOverridesEnabled } from "../../domain/baseUrlOverride";

export { TEST_OVERRIDES_SWITCH };

export type CiSystem = "github-actions" | "azure-pipelines" | "act" | "local";

export type Env = Record<string, string | undefined>;

/** Base URLs that redirect where tokens go, honoured by the program only with the switch on. */
export const TOKEN_REDIRECTING_OVERRIDES: readonly string[] = Object.keys(BASE_URL_OVERRIDES);

/** Never passed on: they change how every Node process of the run behaves. */
export const DROPPED_NODE_VARIABLES: readonly string[] = ["NODE_OPTIONS", "NODE_TLS_REJECT_UNAUTHORIZED"];

export function ciSystem(env: Env): CiSystem {
    if (env.TF_BUILD !== undefined && env.TF_BUILD !== "") {
        return "azure-pipelines";
    }
    if (env.GITHUB_ACTIONS === "true") {
        // nektos/act sets ACT=true: it runs on a developer's machine, as the tests do.
        return env.ACT === "true" ? "act" : "github-actions";
    }
    return "local";
}

/** A hosted or self-hosted runner of GitHub or Azure DevOps: deploy credentials may be present. */
export function onRealRunner(env: Env): boolean {
    const system = ciSystem(env);
    return system === "github-actions" || system === "azure-pipelines";
}

export interface PreparedEnvironment {
    /** What the step's children (pulumi, node) get. */
    env: Env;
    /** One line per thing changed or ignored, for the log. */
    notes: string[];
    /** Why the step must not run at all (empty when it may). */
    refusals: string[];
}

/** The environment a step's children get, and why a step must not run (see the file's header). */
export function prepareEnvironment(env: Env): PreparedEnvironment {
    const out: Env = { ...env };
    const notes: string[] = [];
    const refusals: string[] = [];
    const system = ciSystem(env);

    if (env[TEST_OVERRIDES_SWITCH] !== undefined && onRealRunner(env)) {
        refusals.push(
            `${TEST_OVERRIDES_SWITCH} is set on ${system === "azure-pipelines" ? "an Azure Pipelines" : "a GitHub Actions"} runner. ` +
                "It enables test-only redirections of the tokens and of the CLI download, so no CI step runs with it. " +
                "Remove the variable (in Azure DevOps: the pipeline's variables, the variable groups, and what was set at queue time; " +
                "turn on \"Limit variables that can be set at queue time\").",
        );
    }
    for (const name of DROPPED_NODE_VARIABLES) {
        if (out[name] !== undefined) {
            delete out[name];
            notes.push(`${name} was set and is cleared: CI steps run Node with no options from the environment.`);
        }
    }
    if (!testOverridesEnabled(env)) {
        for (const name of TOKEN_REDIRECTING_OVERRIDES) {
            if (out[name] !== undefined) {
                delete out[name];
                notes.push(`${name} is set but ignored: it is a test-only override (${TEST_OVERRIDES_SWITCH}=1 enables it, outside CI only).`);
            }
        }
    }
    out.PULUMI_SKIP_UPDATE_CHECK = "true";
    return { env: out, notes, refusals };
}

/** A warning or error the CI system shows beside the run, and the plain line for the log. */
export function annotation(kind: "warning" | "error", message: string, env: Env): string {
    const oneLine = message.replace(/\s*\n\s*/g, " ");
    switch (ciSystem(env)) {
        case "github-actions":
        case "act":
            return `::${kind}::${oneLine}`;
        case "azure-pipelines":
            return `##vso[task.logissue type=${kind}]${oneLine}`;
        case "local":
            return `${kind}: ${oneLine}`;
    }
}
