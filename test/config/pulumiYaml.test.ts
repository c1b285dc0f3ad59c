import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import {
    DBT_AZURE_DEVOPS_APP_DEFAULTS, ORGANIZATION_ACCESS_DEFAULTS, ROTATING_CLIENT_SECRET_DEFAULTS,
} from "../../components";
import { MAX_SECRET_LIFETIME_DAYS, OVERLAP_DAYS_RANGE, ROTATION_DAYS_RANGE, STACK_CONFIG_PARSERS } from "../../config/stackConfigSchema";
import { DEFAULT_MAX_LIFETIME_DAYS } from "../../policy/rules/clientSecretLifetime";
import { readProjectFile, stackNames } from "../../tools/plan/stackFiles";
import { REPO_ROOT } from "../harness/runProgram";

describe("Pulumi.yaml and the stack files", () => {
    const project = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    const { declarations, defaults } = readProjectFile(REPO_ROOT);

    it("declares every key the program parses, each with a type and a description", () => {
        assert.deepEqual(Object.keys(declarations).sort(), Object.keys(STACK_CONFIG_PARSERS).sort());
        for (const [key, declared] of Object.entries(declarations)) {
            assert.ok(["string", "integer", "boolean", "array"].includes(String(declared.type)), `${key}: type ${declared.type}`);
            assert.ok(typeof declared.description === "string" && declared.description.length > 20, `${key}: description`);
        }
    });

    it("declares defaults the program's parsers accept unchanged, as the CLI passes them", () => {
        for (const [key, parse] of Object.entries(STACK_CONFIG_PARSERS)) {
            const raw = defaults[`dbt-azure-devops:${key}`];
            if (raw === undefined) {
                continue;
            }
            const result = (parse as (raw: string) => { ok: boolean; value?: unknown; problem?: string })(raw);
            assert.ok(result.ok, `${key}: default ${raw} is refused: ${result.problem}`);
            assert.deepEqual(result.value, declarations[key].default, key);
        }
    });

    it("describes the ranges the parsers enforce", () => {
        assert.match(String(declarations.secretRotationDays.description), new RegExp(`\\(${ROTATION_DAYS_RANGE.min}-${ROTATION_DAYS_RANGE.max}\\)`));
        assert.match(String(declarations.secretOverlapDays.description), new RegExp(`\\(${OVERLAP_DAYS_RANGE.min}-${OVERLAP_DAYS_RANGE.max} days`));
    });

    it("agrees with the components' own defaults where a key feeds one", () => {
        const fedBy: Record<string, unknown> = {
            authMode: DBT_AZURE_DEVOPS_APP_DEFAULTS.authMode,
            appDisplayName: DBT_AZURE_DEVOPS_APP_DEFAULTS.displayName,
            owners: DBT_AZURE_DEVOPS_APP_DEFAULTS.owners,
            adminConsent: DBT_AZURE_DEVOPS_APP_DEFAULTS.adminConsent,
            protectApplication: DBT_AZURE_DEVOPS_APP_DEFAULTS.protectApplication,
            secretRotationDays: ROTATING_CLIENT_SECRET_DEFAULTS.rotationDays,
            secretOverlapDays: ROTATING_CLIENT_SECRET_DEFAULTS.overlapDays,
            secretReadinessChecks: ROTATING_CLIENT_SECRET_DEFAULTS.readinessChecks,
            secretReadinessTimeoutSeconds: ROTATING_CLIENT_SECRET_DEFAULTS.readinessTimeoutSeconds,
            connectDirectory: ORGANIZATION_ACCESS_DEFAULTS.connectDirectory,
            adoProjects: ORGANIZATION_ACCESS_DEFAULTS.projects,
            adoProjectAccess: ORGANIZATION_ACCESS_DEFAULTS.projectAccess,
            adoAccessLevel: ORGANIZATION_ACCESS_DEFAULTS.accessLevel,
        };
        for (const [key, componentDefault] of Object.entries(fedBy)) {
            assert.deepEqual(declarations[key].default, componentDefault, key);
        }
    });

    it("caps secret lifetimes where the policy pack does", () => {
        assert.equal(MAX_SECRET_LIFETIME_DAYS, DEFAULT_MAX_LIFETIME_DAYS);
    });

    it("keeps the stack files in stacks/, as stackConfigDir says, and none beside Pulumi.yaml", () => {
        assert.equal(project.stackConfigDir, "stacks");
        const { stackDir } = readProjectFile(REPO_ROOT);
        assert.equal(stackDir, path.join(REPO_ROOT, "stacks"));
        assert.deepEqual(stackNames(stackDir), ["dev", "emea", "prod"], "the example stacks, and CI's (.ci/stacks.yml)");
        assert.deepEqual(stackNames(REPO_ROOT), [], "a Pulumi.<stack>.yaml at the root would be ignored by the CLI");
    });

    it("keeps secrets out of every stack file", () => {
        const { stackDir } = readProjectFile(REPO_ROOT);
        for (const stack of stackNames(stackDir)) {
            const file = `Pulumi.${stack}.yaml`;
            const text = fs.readFileSync(path.join(stackDir, file), "utf8");
            assert.ok(!text.includes("secure:"), `${file} holds an encrypted value`);
            const keys = Object.keys(YAML.parse(text).config ?? {});
            assert.deepEqual(keys.filter((k) => /token|password|clientSecret/i.test(k)), [], file);
        }
    });
});
