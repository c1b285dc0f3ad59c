import * as assert from "assert/strict";
import { Evaluation } from "../../tools/plan/evaluateProgram";
import { ROTATION_EPOCH } from "../../domain/rotationSchedule";
import { ClientSecretRotationInputs } from "../../providers/entra/clientSecretRotation";
import { runProgram } from "../harness/runProgram";
import { HandoverModel } from "./handoverModel";

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 27); // the first deployment
export const DAYS = 730;

export interface Scenario {
    title: string;
    /** Whether the scheduled pipeline runs on this day (0-based from the first deployment). */
    runsOn(day: number, settings: Settings): boolean;
    /** Stack settings in force on a day. */
    settingsOn(day: number): Settings;
    /** Whether that day's update fails at dbt Cloud, after the new secret was minted and proven. */
    consumerFailsOn?(day: number, settings: Settings): boolean;
}

export interface Settings {
    rotationDays: number;
    overlapDays: number;
}

export const DEFAULTS: Settings = { rotationDays: 90, overlapDays: 14 };

/** Days since the last period boundary, for the settings in force. */
export function daysIntoPeriod(day: number, settings: Settings): number {
    return Math.floor((START + day * DAY - ROTATION_EPOCH.getTime()) / DAY) % settings.rotationDays;
}

/** A run's time of day varies, as a scheduled pipeline's queue time does. */
export function runInstant(day: number): Date {
    const minutes = (day * 7919) % (24 * 60);
    return new Date(START + day * DAY + minutes * 60_000);
}

/** The rotation resource's inputs, as the program declared them in this run. */
function rotationInputs(run: Evaluation): ClientSecretRotationInputs {
    const rotation = run.resources.find((r) => r.type === "pulumi-nodejs:dynamic/entra:ClientSecretRotation");
    assert.ok(rotation, "the program declares the secret's rotation");
    assert.equal((rotation.actualInputs.handover as { kind: string }).kind, "dbtCloud", "the simulated stack manages dbt Cloud's record");
    return rotation.actualInputs as unknown as ClientSecretRotationInputs;
}

/**
 * Walks two years of scheduled runs through the real program, applying each to the ledger.
 * Pulumi's SDK captures a stack trace for every promise it makes; nothing here reads them, and
 * skipping them makes the thousands of evaluations about twice as fast.
 */
export function simulate(scenario: Scenario): Promise<HandoverModel> {
    return withoutPromiseStackTraces(() => walk(scenario));
}

export async function withoutPromiseStackTraces<T>(work: () => Promise<T>): Promise<T> {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await work();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

async function walk(scenario: Scenario): Promise<HandoverModel> {
    let settings = scenario.settingsOn(0);
    const ledger = new HandoverModel(() => settings.overlapDays);
    for (let day = 0; day < DAYS; day++) {
        settings = scenario.settingsOn(day);
        const dayStart = new Date(START + day * DAY);
        ledger.check(dayStart);
        if (day === 0 || scenario.runsOn(day, settings)) {
            const at = runInstant(day);
            const evaluation = await runProgram({
                at,
                config: {
                    secretRotationDays: String(settings.rotationDays),
                    secretOverlapDays: String(settings.overlapDays),
                    // dbt Cloud's record is the consumer whose secret must never go stale.
                    dbtCloudAccountId: "70403103926931",
                },
            });
            await ledger.run(at, rotationInputs(evaluation), { dbtFails: scenario.consumerFailsOn?.(day, settings) ?? false });
        }
        ledger.check(new Date(dayStart.getTime() + DAY - 1));
    }
    return ledger;
}

export async function expectZeroDowntime(scenario: Scenario): Promise<void> {
    const ledger = await simulate(scenario);
    assert.ok(ledger.mints >= 8, `only ${ledger.mints} secrets minted in two years`);
    assert.ok(ledger.live().length <= 2, "at most the two slots' secrets are left");
    if (scenario.consumerFailsOn) {
        assert.ok(ledger.failedRuns >= 5, `only ${ledger.failedRuns} failed dbt Cloud writes were simulated`);
    }
    console.log(
        `      [${scenario.title}] ${ledger.runs} runs, ${ledger.mints} secrets minted, ${ledger.failedRuns} failed dbt Cloud writes; ` +
            `worst remaining validity of dbt Cloud's secret: ${ledger.worstRemainingDays.toFixed(2)} days`,
    );
}
