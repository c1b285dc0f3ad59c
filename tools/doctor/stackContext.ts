/**
 * The stack as the doctor sees it: its file, Pulumi.yaml's defaults, the settings that parse (a bad
 * one is reported by config.stack and the checks that need it say so), and what the Pulumi CLI reads
 * beside the program (azuread:tenantId, the secrets provider, the backend).
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { ConfigError } from "../../config/configError";
import { parseStackConfig } from "../../config/readStackConfig";
import { STACK_CONFIG_PARSERS, StackConfig, StackConfigKey } from "../../config/stackConfigSchema";
import { ParseResult } from "../../domain/parseResult";
import { readProjectFile, readStackFiles, StackFileConfig } from "../plan/stackFiles";

export interface StackContext {
    root: string;
    stack: string;
    at: Date;
    project: string;
    stackFilePath: string;
    files: StackFileConfig;
    /** Every setting that parses on its own (cross-key rules aside). */
    config: Partial<StackConfig>;
    /** Every problem the program would report, as it words them. */
    problems: string[];
    /** `azuread:tenantId` from the stack file, when set. */
    tenantSetting?: string;
    /** The stack file's `secretsprovider:` and `encryptionsalt:`. */
    secretsProvider?: string;
    encryptionSalt?: string;
    /** Pulumi.yaml's `backend.url`, when set. */
    projectBackend?: string;
}

export function readStackContext(root: string, stack: string, at: Date): StackContext {
    const files = readStackFiles(root, stack);
    const { stackDir } = readProjectFile(root);
    const stackFilePath = path.join(stackDir, `Pulumi.${stack}.yaml`);
    const prefix = `${files.project}:`;
    const raw = Object.fromEntries(Object.entries(files.values).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));

    let problems: string[] = [];
    try {
        parseStackConfig(files.project, stack, raw, { at });
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.problems;
    }
    const config: Partial<Record<StackConfigKey, unknown>> = {};
    for (const key of Object.keys(STACK_CONFIG_PARSERS) as StackConfigKey[]) {
        const value = raw[key];
        const parsed = value === undefined ? undefined : (STACK_CONFIG_PARSERS[key] as (raw: string) => ParseResult<unknown>)(value);
        if (parsed?.ok) config[key] = parsed.value;
    }

    const stackFile = (YAML.parse(fs.readFileSync(stackFilePath, "utf8")) ?? {}) as { secretsprovider?: unknown; encryptionsalt?: unknown };
    const projectFile = (YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) ?? {}) as { backend?: { url?: unknown } };
    const tenant = files.values["azuread:tenantId"];
    return {
        root, stack, at, project: files.project, stackFilePath, files, problems,
        config: config as Partial<StackConfig>,
        ...(tenant ? { tenantSetting: tenant.trim().toLowerCase() } : {}),
        ...(typeof stackFile.secretsprovider === "string" ? { secretsProvider: stackFile.secretsprovider } : {}),
        ...(typeof stackFile.encryptionsalt === "string" ? { encryptionSalt: stackFile.encryptionsalt } : {}),
        ...(typeof projectFile.backend?.url === "string" ? { projectBackend: projectFile.backend.url } : {}),
    };
}

/** The app's hosts as the stack declares them, primary first (undefined when dbtCloudHost does not parse). */
export function appHosts(config: Partial<StackConfig>): string[] | undefined {
    return config.dbtCloudHost === undefined ? undefined : [config.dbtCloudHost, ...(config.dbtCloudAdditionalHosts ?? [])];
}

/** 2 x secretRotationDays + secretOverlapDays; undefined when either does not parse. */
export function secretLifetime(config: Partial<StackConfig>): { rotation: number; overlap: number; lifetime: number } | undefined {
    const { secretRotationDays: rotation, secretOverlapDays: overlap } = config;
    return rotation === undefined || overlap === undefined ? undefined : { rotation, overlap, lifetime: 2 * rotation + overlap };
}
