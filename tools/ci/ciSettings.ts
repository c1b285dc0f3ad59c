/**
 * `.ci/stacks.yml`: the stacks CI runs (one job per stack and mode, in both CI systems) and
 * where their state lives. It is an Azure Pipelines variables template, so azure-pipelines.yml
 * includes it and splits `ciStacks` at compile time; the steps read the same file. The list
 * itself is read and checked in one place, `.ci/step stacks` (bash: GitHub's job that builds the
 * matrix runs it before anything is installed); this file reads the other settings.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { Env, onRealRunner } from "./ciEnvironment";

export const CI_SETTINGS_FILE = ".ci/stacks.yml";

export interface CiSettings {
    /** `pulumi login` URL of the state backend every CI stack uses. */
    backendUrl: string;
    /** AZURE_STORAGE_ACCOUNT for an azblob:// backend. */
    storageAccount: string;
    /** Secrets provider given to a stack the first deploy creates. */
    secretsProvider: string;
    /** The expiry check fails when the secret dbt Cloud holds expires within this many days. */
    expiryWarningDays: number;
}

export class CiSettingsError extends Error {}

const KEYS = {
    ciStacks: "stacks",
    ciStateBackend: "backendUrl",
    ciStateStorageAccount: "storageAccount",
    ciSecretsProvider: "secretsProvider",
    ciExpiryWarningDays: "expiryWarningDays",
} as const;

/** Reads and checks `.ci/stacks.yml` under `projectDir`, reporting every problem at once. */
export function readCiSettings(projectDir: string): CiSettings {
    const file = path.join(projectDir, CI_SETTINGS_FILE);
    if (!fs.existsSync(file)) {
        throw new CiSettingsError(`${CI_SETTINGS_FILE} is missing: it lists the stacks CI runs (see docs/ci-github.md or docs/ci-azure-pipelines.md).`);
    }
    let document: unknown;
    try {
        document = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new CiSettingsError(`${CI_SETTINGS_FILE} is not valid YAML: ${(error as Error).message}`);
    }
    const variables = (document as { variables?: unknown } | null)?.variables;
    if (!Array.isArray(variables)) {
        throw new CiSettingsError(`${CI_SETTINGS_FILE} must hold "variables:", a list of "- name: ..., value: ..." entries (it is an Azure Pipelines variables template).`);
    }
    const values = new Map<string, string>();
    const problems: string[] = [];
    for (const entry of variables as Array<{ name?: unknown; value?: unknown }>) {
        if (typeof entry?.name !== "string" || !["string", "number"].includes(typeof entry.value)) {
            problems.push(`every entry needs a name and a plain value; found ${JSON.stringify(entry)}.`);
            continue;
        }
        if (!(entry.name in KEYS)) {
            problems.push(`${entry.name} is not a CI setting (known: ${Object.keys(KEYS).join(", ")}).`);
        }
        values.set(entry.name, String(entry.value));
    }
    for (const key of Object.keys(KEYS)) {
        if (!values.get(key)) {
            problems.push(`${key} is missing or empty.`);
        }
    }
    const days = values.get("ciExpiryWarningDays") ?? "";
    if (days && !/^\d{1,3}$/.test(days)) {
        problems.push(`ciExpiryWarningDays "${days}" is not a whole number of days.`);
    }
    const backend = values.get("ciStateBackend") ?? "";
    if (backend && !/^[a-z][a-z0-9+]*:\/\//.test(backend)) {
        problems.push(`ciStateBackend "${backend}" is not a backend URL such as azblob://<container>.`);
    }
    if (problems.length > 0) {
        throw new CiSettingsError(`${CI_SETTINGS_FILE}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    return {
        backendUrl: backend,
        storageAccount: values.get("ciStateStorageAccount") as string,
        secretsProvider: values.get("ciSecretsProvider") as string,
        expiryWarningDays: Number(days),
    };
}

/**
 * The state backend a step uses: `.ci/stacks.yml`'s on a real CI runner, whatever the
 * environment says; elsewhere an exported PULUMI_BACKEND_URL (and AZURE_STORAGE_ACCOUNT) wins.
 */
export function stateBackend(settings: CiSettings, env: Env): { backendUrl: string; storageAccount: string; notes: string[] } {
    const notes: string[] = [];
    if (!onRealRunner(env) && env.PULUMI_BACKEND_URL) {
        return { backendUrl: env.PULUMI_BACKEND_URL, storageAccount: env.AZURE_STORAGE_ACCOUNT ?? settings.storageAccount, notes };
    }
    if (env.PULUMI_BACKEND_URL && env.PULUMI_BACKEND_URL !== settings.backendUrl) {
        notes.push(`PULUMI_BACKEND_URL is set to another backend and ignored: CI uses ${CI_SETTINGS_FILE}'s ciStateBackend.`);
    }
    if (env.AZURE_STORAGE_ACCOUNT && env.AZURE_STORAGE_ACCOUNT !== settings.storageAccount) {
        notes.push(`AZURE_STORAGE_ACCOUNT is set to another account and ignored: CI uses ${CI_SETTINGS_FILE}'s ciStateStorageAccount.`);
    }
    return { backendUrl: settings.backendUrl, storageAccount: settings.storageAccount, notes };
}
