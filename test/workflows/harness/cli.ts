/**
 * One workflow run, from the command line: the same world as `npm run test:workflows` (act on this
 * host, the stand-ins, the fake clouds, a fresh stack), one workflow file, one event.
 *
 *   npm run -s build && node dist/test/workflows/harness/cli.js --workflow rotate.yml --event schedule --at 2027-03-16T05:17:00Z
 *
 * Prints the run's log and a summary of jobs and steps; exits 0 when every job that ran
 * succeeded, 1 when one failed, 2 on bad input or when the run cannot start.
 */
import { parseFlags } from "../../../tools/cliFlags";
import { parseInstant } from "../../../domain/instant";
import { RunOptions, WorkflowWorld } from "./world";

const EVENTS: ReadonlyArray<RunOptions["event"]> = ["push", "pull_request", "schedule", "workflow_dispatch"];
const USAGE = `Usage: node dist/test/workflows/harness/cli.js --workflow <file in .github/workflows> --event <${EVENTS.join("|")}> [--ref refs/heads/<branch>] [--at <instant>] [--job <id>] [--keep]

  --ref    the branch pushed or dispatched from, or the pull request's head (default refs/heads/main)
  --at     run the program, providers and scripts as if the clock read this instant (libfaketime)
  --job    only this job and the jobs it needs (act -j)
  --keep   keep the world's folder (act's JSON log, the event, every step's environment)

The world starts empty: a fresh stack in a file backend, a fresh fake tenant. See test/workflows/README.md.`;

async function main(argv: string[]): Promise<number> {
    const { values, help, problems } = parseFlags(argv, { workflow: "value", event: "value", ref: "value", at: "value", job: "value", keep: "switch" });
    if (help) {
        console.log(USAGE);
        return 0;
    }
    const workflow = typeof values.workflow === "string" ? values.workflow : "";
    const event = (typeof values.event === "string" ? values.event : "") as RunOptions["event"];
    if (!/^[\w.-]+\.ya?ml$/.test(workflow)) {
        problems.push(`--workflow must name a file in .github/workflows, such as rotate.yml; got "${workflow}".`);
    }
    if (!EVENTS.includes(event)) {
        problems.push(`--event must be one of ${EVENTS.join(", ")}; got "${event}".`);
    }
    let at: Date | undefined;
    if (typeof values.at === "string") {
        const parsed = parseInstant(values.at);
        if (parsed.ok) {
            at = parsed.value;
        } else {
            problems.push(`--at ${parsed.problem}`);
        }
    }
    if (problems.length > 0) {
        console.error([...problems, USAGE].join("\n"));
        return 2;
    }
    if (values.keep) {
        process.env.KEEP_WORKFLOW_RUNS = "1";
    }
    let world: WorkflowWorld;
    try {
        world = await WorkflowWorld.create();
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        return 2;
    }
    try {
        const report = await world.run({ workflow, event, ref: typeof values.ref === "string" ? values.ref : undefined, at, job: typeof values.job === "string" ? values.job : undefined });
        console.log(report.act.readableLog());
        console.log("\nJobs and steps:");
        for (const [job, result] of report.act.jobs) {
            console.log(`  ${job}: ${result}`);
            for (const step of report.act.mainSteps(job)) {
                console.log(`    ${step.result ?? "?"}  ${step.name}`);
            }
        }
        console.log(`Signed in: ${report.signIns.map((s) => `${s.job} as the ${s.identity}`).join(", ") || "nobody"}`);
        return [...report.act.jobs.values()].includes("failure") || report.act.exitCode !== 0 ? 1 : 0;
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        return 2;
    } finally {
        await world.dispose();
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
