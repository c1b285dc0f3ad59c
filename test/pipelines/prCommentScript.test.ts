/**
 * Runs the Azure Pipelines PR-comment script (inline in azure-pipelines.yml) against a fake
 * Azure DevOps PR threads API on 127.0.0.1: the first push creates one thread, later pushes
 * find it by its marker and edit it.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parsePipeline } from "./azurePipelinesSchema";
import { readRepoFile } from "./repoFiles";

type Thread = { id: number; status?: string; comments: { id: number; content: string }[] };

function commentScript(): string {
    const pipeline = parsePipeline(readRepoFile("azure-pipelines.yml")) as { stages: { stage: string; jobs: { steps: { script?: string }[] }[] }[] };
    const steps = pipeline.stages.find((s) => s.stage === "Preview")?.jobs[0].steps ?? [];
    const script = steps.find((s) => /\/threads/.test(s.script ?? ""))?.script ?? "";
    const match = /<<'EOF'\n([\s\S]*?)\nEOF/.exec(script);
    assert.ok(match, "the step runs an inline node script");
    return match[1];
}

describe("Azure Pipelines PR comment script", function () {
    this.timeout(30_000);
    const threads: Thread[] = [];
    const requests: string[] = [];
    let server: http.Server;
    let dir: string;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-comment-"));
        fs.writeFileSync(path.join(dir, "comment.js"), commentScript());
        server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                requests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
                if (req.method === "GET") {
                    res.end(JSON.stringify({ value: threads }));
                } else if (req.method === "POST") {
                    const sent = JSON.parse(body);
                    const thread = { id: 100 + threads.length, status: sent.status, comments: [{ id: 1, content: sent.comments[0].content }] };
                    threads.push(thread);
                    res.end(JSON.stringify(thread));
                } else {
                    const [, threadId, commentId] = /threads\/(\d+)\/comments\/(\d+)/.exec(req.url ?? "") ?? [];
                    const comment = threads.find((t) => t.id === Number(threadId))?.comments.find((c) => c.id === Number(commentId));
                    assert.ok(comment);
                    comment.content = JSON.parse(body).content;
                    res.end("{}");
                }
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    });

    after(() => {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    function post(preview: string, result: string): Promise<string> {
        const file = path.join(dir, "preview.txt");
        fs.writeFileSync(file, preview);
        const env = {
            ...process.env,
            SYSTEM_COLLECTIONURI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/contoso/`,
            SYSTEM_TEAMPROJECT: "data platform",
            BUILD_REPOSITORY_ID: "repo-id",
            PR_ID: "42",
            SYSTEM_ACCESSTOKEN: "job-token",
            STACK: "dev",
            COMMIT: "0123456789abcdef",
            PREVIEW_RESULT: result,
            RUN_URL: "https://dev.azure.com/contoso/run",
        };
        return new Promise((resolve, reject) =>
            execFile(process.execPath, [path.join(dir, "comment.js"), file], { env }, (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout))),
        );
    }

    it("creates one closed thread on the first push, with the preview and its marker", async () => {
        await post("Resources:\n    9 unchanged\n", "Succeeded");
        assert.equal(threads.length, 1);
        assert.equal(threads[0].status, "closed");
        assert.match(threads[0].comments[0].content, /^<!-- pulumi-preview:dev -->\n### Pulumi preview of `dev` succeeded/);
        assert.match(threads[0].comments[0].content, /9 unchanged/);
        assert.match(requests[1], /^POST \/contoso\/data%20platform\/_apis\/git\/repositories\/repo-id\/pullRequests\/42\/threads\?api-version=7\.1 Bearer job-token$/);
    });

    it("edits that same comment on the next push instead of adding another", async () => {
        await post("Resources:\n    +-1 to replace\n", "Failed");
        assert.equal(threads.length, 1);
        assert.match(threads[0].comments[0].content, /FAILED/);
        assert.match(threads[0].comments[0].content, /\+-1 to replace/);
        assert.match(requests[requests.length - 1], /^PATCH .*\/threads\/100\/comments\/1\?api-version=7\.1 /);
    });
});
