/**
 * Each rule of the domain has one home, domain/: the stack config and the providers' checks call
 * it, so config time and preview time cannot disagree. A second definition anywhere else in the
 * program's code fails here. (The policy pack's deliberate copies are ids, not these rules.)
 */
import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../harness/runProgram";

/** What a definition of each rule looks like in TypeScript source. */
const RULES: { rule: string; home: string; definition: RegExp }[] = [
    { rule: "GUID pattern", home: "domain/guid.ts", definition: /\[0-9a-f]\{8}|\[0-9a-fA-F]\{8}|\\h\{8}/ },
    { rule: "organization-name rule", home: "domain/organizationName.ts", definition: /dev\\\.azure\\\.com|visualstudio\\\.com|\{0,48}/ },
    { rule: "auth modes", home: "domain/authMode.ts", definition: /["'`]service_principal["'`]\s*[|,]\s*["'`]service_user["'`]|["'`]service_user["'`]\s*[|,]\s*["'`]service_principal["'`]/ },
    { rule: "directory modes", home: "domain/directoryMode.ts", definition: /["'`]verify["'`]\s*[|,]\s*["'`]connect["'`]|["'`]connect["'`]\s*[|,]\s*["'`]verify["'`]/ },
    { rule: "access levels", home: "domain/accessLevel.ts", definition: /["'`](stakeholder|express|advanced)["'`]\s*[|,]\s*["'`](stakeholder|express|advanced)["'`]/ },
    { rule: "project access modes", home: "domain/projectAccess.ts", definition: /["'`]least_privilege["'`]\s*[|,]\s*["'`]project_administrators["'`]/ },
];

/** The program's TypeScript: every .ts file outside domain/, the tests, node_modules, dist and tools/engine. */
function programSources(dir = ""): string[] {
    return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const file = path.posix.join(dir, entry.name);
        if (entry.isDirectory()) {
            return /^(\.|node_modules$|dist$|domain$|test$|tools\/engine$)/.test(file) || entry.name.startsWith(".") ? [] : programSources(file);
        }
        return entry.isFile() && file.endsWith(".ts") ? [file] : [];
    });
}

/**
 * Inline spellings of rules domain/ (and the read-back poll) already name: case-insensitive
 * equality of organization names, project names or GUIDs (domain's sameOrganization, sameProject,
 * sameGuid), and a bounded poll written by hand (readUntil in providers/azuredevops/api/eventually.ts).
 */
const INLINE_COPIES: { rule: string; home: string; pattern: RegExp }[] = [
    {
        rule: "case-insensitive equality of organization names, project names or GUIDs (use sameOrganization, sameProject, sameGuid)",
        home: "domain/",
        pattern: /^(?=.*\.toLowerCase\(\))(?=.*[!=]==)(?=.*(organization|project|tenantId|objectId|originId|olds\[key\]))/i,
    },
    { rule: "bounded poll written by hand (use readUntil)", home: "providers/azuredevops/api/eventually.ts", pattern: /attempt\s*(\+\s*1\s*)?[<>]=?\s*[\w.]*attempts\b/ },
];

/** Lines matching `pattern` in files whose path does not start with `skip`, as file:line: text. */
function linesMatching(pattern: RegExp, files: Record<string, string>, skip?: string): string[] {
    return Object.entries(files).filter(([file]) => skip === undefined || !file.startsWith(skip)).flatMap(([file, text]) =>
        text.split("\n").flatMap((line, index) => (pattern.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])));
}

const definitionsOutsideHome = (rule: (typeof RULES)[number], files: Record<string, string>) => linesMatching(rule.definition, files);
const copiesOutsideHome = (rule: (typeof INLINE_COPIES)[number], files: Record<string, string>) => linesMatching(rule.pattern, files, rule.home);

describe("one home for each rule of the domain", () => {
    const files = Object.fromEntries(programSources().map((file) => [file, fs.readFileSync(`${REPO_ROOT}/${file}`, "utf8")]));

    it("reads the program's code: components, providers, lib, config, tools, policy", () => {
        for (const folder of ["components/", "providers/", "lib/http/", "config/", "tools/plan/", "policy/"]) {
            assert.ok(Object.keys(files).some((f) => f.startsWith(folder)), folder);
        }
    });

    for (const rule of RULES) {
        it(`defines the ${rule.rule} in ${rule.home} only`, () => {
            assert.ok(rule.definition.test(fs.readFileSync(`${REPO_ROOT}/${rule.home}`, "utf8")), `${rule.home} holds the definition`);
            assert.deepEqual(definitionsOutsideHome(rule, files), []);
        });
    }
    for (const rule of INLINE_COPIES) {
        it(`has no ${rule.rule} outside ${rule.home}`, () => assert.deepEqual(copiesOutsideHome(rule, files), []));
    }

    it("would catch an inline copy of a comparison or a poll (the check bites)", () => {
        const copies: Record<string, string> = {
            "providers/a.ts": '.filter((key) => String(olds[key]).toLowerCase() !== String(inputs[key]).toLowerCase());',
            "providers/b.ts": 'if (olds.project.toLowerCase() !== news.project.toLowerCase()) replaces.push("project");',
            "providers/c.ts": 'return all.find((sp) => (sp.originId ?? "").toLowerCase() === objectId.toLowerCase());',
            "providers/d.ts": 'for (let attempt = 0; attempt < polling.attempts; attempt++) {',
            "providers/e.ts": 'if (attempt >= polling.attempts) {',
        };
        assert.equal(copiesOutsideHome(INLINE_COPIES[0], copies).length, 3);
        assert.equal(copiesOutsideHome(INLINE_COPIES[1], copies).length, 2);
    });

    it("would catch a copy (the check bites)", () => {
        const copies: Record<string, string> = {
            "providers/x.ts": 'const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;',
            "config/y.ts": 'if (/dev\\.azure\\.com|visualstudio\\.com|[/:\\s]/i.test(value)) {',
            "lib/z.ts": 'export type Method = "service_principal" | "service_user";',
            "components/w.ts": 'const MODES = ["verify", "connect"] as const;',
            "tools/v.ts": 'export type Level = "stakeholder" | "express" | "advanced";',
            "policy/u.ts": 'oneOf(["least_privilege", "project_administrators"])',
        };
        for (const rule of RULES) {
            assert.equal(definitionsOutsideHome(rule, copies).length, 1, rule.rule);
        }
    });
});
