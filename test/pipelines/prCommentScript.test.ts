/**
 * The pull-request comment of pull-request.yml (the inline actions/github-script step), run as
 * github-script runs it: an async function of `require`, `github` and `context`, here with a fake
 * `github` that keeps comments as GitHub's issues API does (listComments pages, each comment with
 * its author's `user.type`). The first push creates one comment per stack; later pushes edit it,
 * found by its marker; a person's comment that quotes the marker is never edited.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { readRepoFile, repoFileExists } from "./repoFiles";

type Comment = { id: number; body: string; user: { type: "Bot" | "User"; login: string } };
type Step = { uses?: string; env?: Record<string, string>; with?: { script?: string } };

describe("GitHub pull-request comment script", () => {
    let script = "";
    let dir = "";
    const comments: Comment[] = [];
    const calls: string[] = [];

    before(function () {
        if (!repoFileExists(".github/workflows/pull-request.yml")) {
            this.skip();
        }
        const workflow = YAML.parse(readRepoFile(".github/workflows/pull-request.yml")) as { jobs: Record<string, { steps: Step[] }> };
        const step = workflow.jobs.preview.steps.find((s) => (s.uses ?? "").startsWith("actions/github-script@"));
        assert.ok(step?.with?.script, "the preview job posts with actions/github-script");
        script = step.with.script;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-comment-"));
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** GitHub's issues API for one pull request, in memory; pages of two so paging is exercised. */
    const github = {
        rest: {
            issues: {
                listComments: async ({ page = 1 }: { page?: number }) => ({ data: comments.slice((page - 1) * 2, page * 2) }),
                createComment: async ({ issue_number, body }: { issue_number: number; body: string }) => {
                    calls.push(`create #${issue_number}`);
                    comments.push({ id: 100 + comments.length, body, user: { type: "Bot", login: "github-actions[bot]" } });
                },
                updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
                    calls.push(`update ${comment_id}`);
                    const found = comments.find((c) => c.id === comment_id);
                    assert.ok(found);
                    found.body = body;
                },
            },
        },
        // Octokit's paginate: every page of a list endpoint, concatenated.
        paginate: async (list: (p: { page: number }) => Promise<{ data: Comment[] }>, params: Record<string, unknown>) => {
            const all: Comment[] = [];
            for (let page = 1; ; page++) {
                const { data } = await list({ ...params, page });
                all.push(...data);
                if (data.length === 0) return all;
            }
        },
    };
    const context = { repo: { owner: "contoso", repo: "dbt-azure-devops" }, issue: { number: 42 } };

    async function post(stack: string, summary: string | undefined): Promise<void> {
        const file = path.join(dir, `${stack}-summary.md`);
        if (summary === undefined) fs.rmSync(file, { force: true });
        else fs.writeFileSync(file, summary);
        const saved = { SUMMARY: process.env.SUMMARY, STACK: process.env.STACK };
        Object.assign(process.env, { SUMMARY: file, STACK: stack });
        try {
            const run = new (Object.getPrototypeOf(async () => undefined).constructor)("require", "github", "context", script);
            await run(require, github, context);
        } finally {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        }
    }

    it("creates one comment per stack on the first push, holding the summary", async () => {
        comments.push(
            { id: 1, body: "LGTM", user: { type: "User", login: "alice" } },
            { id: 2, body: "quoting: <!-- pulumi-preview:prod --> is the marker", user: { type: "User", login: "bob" } },
            { id: 3, body: "<!-- pulumi-preview:prod -->\nforged by a person", user: { type: "User", login: "mallory" } },
        );
        await post("prod", "<!-- pulumi-preview:prod -->\n### ✓ `prod`: pull-request preview succeeded\n");
        await post("eu-west", "<!-- pulumi-preview:eu-west -->\n### ✓ `eu-west`: pull-request preview succeeded\n");
        assert.deepEqual(calls, ["create #42", "create #42"]);
        assert.match(comments[3].body, /`prod`: pull-request preview succeeded/);
        assert.match(comments[4].body, /`eu-west`/);
    });

    it("edits that stack's comment on the next push, leaving people's comments and the other stack's alone", async () => {
        calls.length = 0;
        await post("prod", "<!-- pulumi-preview:prod -->\n### ✗ `prod`: pull-request preview failed\n");
        assert.deepEqual(calls, ["update 103"], "found on the second page of comments");
        assert.match(comments[3].body, /failed/);
        assert.match(comments[4].body, /`eu-west`: pull-request preview succeeded/);
        assert.equal(comments[2].body, "<!-- pulumi-preview:prod -->\nforged by a person");
    });

    it("without a summary file (the job failed before it), posts a pointer to the log under the same marker", async () => {
        calls.length = 0;
        await post("eu-west", undefined);
        assert.deepEqual(calls, ["update 104"]);
        assert.equal(comments[4].body, "<!-- pulumi-preview:eu-west -->\nNo preview summary: see the run's log.");
    });
});
