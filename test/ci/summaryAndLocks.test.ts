/**
 * The job summary (what a job that could not install the pinned CLI says about dbt Cloud's
 * secret, checked against the rotation schedule) and the lock listing the recovery step reads.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planRotation } from "../../domain/rotationSchedule";
import { heldByEndedLocalProcess, listStackLocks } from "../../tools/ci/stackLocks";
import { StepRecord } from "../../tools/ci/stepRecords";
import { commentMarker, renderSummary, rotationSettingsOf, worstCaseLines } from "../../tools/ci/summary";
import { ciProject } from "./ciProject";

const NOW = new Date("2026-12-20T05:17:00Z");

function record(step: StepRecord["step"], outcome: StepRecord["outcome"], lines: string[], mode: StepRecord["mode"] = "rotate"): StepRecord {
    return { step, stack: "prod", mode, outcome, exitCode: outcome === "succeeded" ? 0 : 1, startedAt: NOW.toISOString(), finishedAt: NOW.toISOString(), lines, facts: {} };
}

describe("CI summary", () => {
    it("the worst case is secretRotationDays + secretOverlapDays after the last period boundary: the previous period's secret's end", () => {
        const settings = { rotationDays: 90, overlapDays: 14 };
        const plan = planRotation(NOW, settings);
        const [line] = worstCaseLines(settings, NOW);
        const boundary = plan.current.periodStart;
        const worst = new Date(boundary.getTime() + (90 + 14) * 86_400_000);
        assert.equal(plan.previous.endDate, worst.toISOString().replace(".000", ""), "the schedule's own previous end date is boundary + R + O");
        assert.match(line, new RegExp(`at worst:\\*\\* until ${worst.toISOString().slice(0, 10)} \\(${Math.floor((worst.getTime() - NOW.getTime()) / 86_400_000)} days from now\\)`));
        assert.match(line, new RegExp(`\\(90 \\+ 14 = 104 days\\) after the last period boundary, ${boundary.toISOString().slice(0, 10)}`));
        assert.match(line, new RegExp(`If a run got through since ${boundary.toISOString().slice(0, 10)}, it lasts until ${plan.current.endDate.slice(0, 10)}`));
        assert.match(line, /brings the worst case 90 days closer/);
    });

    it("reads secretRotationDays and secretOverlapDays from the stack file, with Pulumi.yaml's defaults", () => {
        const project = ciProject({ stacks: { prod: "config: {}\n", short: "config:\n  dbt-azure-devops:secretRotationDays: 30\n  dbt-azure-devops:secretOverlapDays: 7\n" } });
        try {
            assert.deepEqual(rotationSettingsOf(project.dir, "prod"), { rotationDays: 90, overlapDays: 14 });
            assert.deepEqual(rotationSettingsOf(project.dir, "short"), { rotationDays: 30, overlapDays: 7 });
            assert.match(String(rotationSettingsOf(project.dir, "ghost")), /No stack file Pulumi\.ghost\.yaml/);
        } finally {
            project.dispose();
        }
    });

    it("a job that could not install says what it did not do and how long dbt Cloud's secret lasts at worst", () => {
        const project = ciProject();
        try {
            const markdown = renderSummary({
                stack: "prod",
                mode: "rotate",
                records: { install: record("install", "failed", ["could not install Pulumi CLI v3.276.0", "Pin it on a trusted machine: `npm run pin-pulumi-cli -- 3.276.0`"]), preview: record("preview", "refused", ["not run: no verified Pulumi CLI in this job"]) },
                projectDir: project.dir,
                now: NOW,
            });
            assert.match(markdown, /^### ✗ `prod`: scheduled rotation failed$/m);
            assert.match(markdown, /^\| Install the pinned Pulumi CLI \| ✗ failed could not install Pulumi CLI v3\.276\.0 \|$/m);
            assert.match(markdown, /^\| pulumi up \| – not run \|$/m);
            assert.match(markdown, /^- Pin it on a trusted machine: `npm run pin-pulumi-cli -- 3\.276\.0`$/m);
            assert.match(markdown, /\*\*This job could not install the pinned Pulumi CLI\*\*, so it ran no pulumi command with its credentials \(not run: Recover from a killed run, pulumi up, Expiry check\): nothing was changed and the client secret was not rotated\./);
            assert.ok(markdown.includes(worstCaseLines({ rotationDays: 90, overlapDays: 14 }, NOW)[0]));
        } finally {
            project.dispose();
        }
    });

    it("a preview's summary is the pull-request comment: its marker first, the output unfolded, code fences defused", () => {
        const markdown = renderSummary({
            stack: "prod",
            mode: "preview",
            records: { install: record("install", "succeeded", ["v3.276.0, checksum pinned"], "preview"), preview: record("preview", "succeeded", ["every policy passed; 1 to update, 14 unchanged"], "preview") },
            previewOutput: "Previewing update (prod):\n```evil```\nResources:\n    ~ 1 to update\n",
            projectDir: "/nonexistent",
            now: NOW,
        });
        assert.ok(markdown.startsWith(`${commentMarker("prod")}\n### ✓ \`prod\`: pull-request preview succeeded`));
        assert.match(markdown, /<details open><summary>pulumi preview output<\/summary>\n\n```\nPreviewing update \(prod\):\n'''evil'''\n/);
        assert.doesNotMatch(markdown, /could not install/);
    });
});

describe("CI recovery: the locks a DIY backend holds", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "locks-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function writeLock(folder: string, id: string, content: object): void {
        fs.mkdirSync(path.join(dir, folder), { recursive: true });
        fs.writeFileSync(path.join(dir, folder, `${id}.json`), JSON.stringify(content));
        fs.writeFileSync(path.join(dir, folder, `${id}.json.attrs`), "{}");
    }

    it("reads a file:// backend's lock files, both layouts, for this stack only", () => {
        const lock = { pid: 4242, username: "runner", hostname: "fv-az123", timestamp: "2026-12-06T05:17:02Z" };
        writeLock(".pulumi/locks/organization/dbt-azure-devops/prod", "a1", lock);
        writeLock(".pulumi/locks/prod", "b2", { ...lock, pid: 1 });
        writeLock(".pulumi/locks/organization/dbt-azure-devops/prod-eu", "c3", lock);
        const listing = listStackLocks(`file://${dir}?no_tmp_dir=true`, "dbt-azure-devops", "prod", {});
        assert.ok(listing.known);
        assert.deepEqual(listing.locks.map((l) => [l.key, l.pid, l.hostname]), [
            [".pulumi/locks/organization/dbt-azure-devops/prod/a1.json", 4242, "fv-az123"],
            [".pulumi/locks/prod/b2.json", 1, "fv-az123"],
        ]);
        const none = listStackLocks(`file://${dir}`, "dbt-azure-devops", "other", {});
        assert.deepEqual(none, { known: true, locks: [] });
        assert.deepEqual(listStackLocks("s3://bucket", "p", "s", {}), { known: false, why: "locks of a s3:// backend cannot be listed here" });
    });

    it("reads an azblob:// backend's lock blobs with the Azure CLI the job signed in", () => {
        const bin = path.join(dir, "bin");
        const args = path.join(dir, "args");
        fs.mkdirSync(bin);
        // `az storage blob list -o json` prints an array of blobs with name and properties.
        const blobs = JSON.stringify([
            { name: "state/.pulumi/locks/organization/dbt-azure-devops/prod/a1.json", properties: { lastModified: "2026-12-06T05:17:02+00:00" } },
            { name: "state/.pulumi/locks/organization/dbt-azure-devops/prod/a1.json.attrs", properties: {} },
        ]);
        fs.writeFileSync(path.join(bin, "az"), `#!/bin/sh\necho "$*" >> ${args}\ncase "$*" in *organization*) echo '${blobs}' ;; *) echo '[]' ;; esac\n`, { mode: 0o755 });
        const listing = listStackLocks("azblob://pulumi-state/state", "dbt-azure-devops", "prod", { PATH: `${bin}:${process.env.PATH}`, AZURE_STORAGE_ACCOUNT: "stdbt" });
        assert.ok(listing.known);
        assert.deepEqual(listing.locks, [{ key: "state/.pulumi/locks/organization/dbt-azure-devops/prod/a1.json", timestamp: "2026-12-06T05:17:02+00:00" }]);
        assert.equal(fs.readFileSync(args, "utf8").split("\n")[0], "storage blob list --auth-mode login --account-name stdbt --container-name pulumi-state --prefix state/.pulumi/locks/organization/dbt-azure-devops/prod/ --output json");
        fs.writeFileSync(path.join(bin, "az"), "#!/bin/sh\necho 'ERROR: Please run az login to setup account.' >&2\nexit 1\n", { mode: 0o755 });
        assert.deepEqual(listStackLocks("azblob://pulumi-state", "dbt-azure-devops", "prod", { PATH: `${bin}:${process.env.PATH}`, AZURE_STORAGE_ACCOUNT: "stdbt" }), { known: false, why: "az storage blob list failed: ERROR: Please run az login to setup account." });
    });

    it("a lock is provably stale only when this machine's process that wrote it has ended", () => {
        const ended = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
        const pid = Number(ended.stdout);
        assert.equal(heldByEndedLocalProcess({ key: "k", pid, hostname: os.hostname() }), true);
        assert.equal(heldByEndedLocalProcess({ key: "k", pid: process.pid, hostname: os.hostname() }), false, "alive");
        assert.equal(heldByEndedLocalProcess({ key: "k", pid, hostname: "another-runner" }), false, "another machine");
        assert.equal(heldByEndedLocalProcess({ key: "k", hostname: os.hostname() }), false, "no pid");
    });
});
