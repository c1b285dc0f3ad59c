import * as assert from "assert/strict";
import { Evaluation } from "../../tools/plan/evaluateProgram";
import { ROTATION_EPOCH } from "../../domain/rotationSchedule";
import { runProgram, TYPES } from "../harness/runProgram";
import { DeclaredRun, SecretLedger } from "./secretLedger";

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 27); // the first deployment
export const DAYS = 730;

export interface Scenario {
    title: string;
    /** Whether the scheduled pipeline runs on this day (0-based from the first deployment). */
    runsOn(day: number, settings: Settings): boolean;
    /** Stack settings in force on a day. */
    settingsOn(day: number): Settings;
    /** Whether that day's update fails at dbt Cloud, after the new secrets were created. */
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

/** The secret the consumer was handed: dbt Cloud's record when the stack manages it, else the output. */
function consumerValue(run: Evaluation): string {
    const dbtRecord = run.resources.find((r) => r.type === "pulumi-nodejs:dynamic/dbtcloud:AzureAdApplication");
    assert.ok(dbtRecord, "the simulated stack manages dbt Cloud's record");
    assert.equal(dbtRecord.actualInputs.clientSecret, run.actualOutputs.clientSecret, "dbt Cloud gets what the output says");
    return dbtRecord.actualInputs.clientSecret as string;
}

function declaredRun(at: Date, evaluation: Evaluation): DeclaredRun {
    const consumer = consumerValue(evaluation);
    return {
        at,
        secrets: evaluation.resources
            .filter((r) => r.type === TYPES.password)
            .map((r) => ({ name: r.name, inputs: r.actualInputs, ignoreChanges: r.options.ignoreChanges ?? [], value: String(r.state?.value) })),
        handedOver: (live) => live.find((entry) => entry.value === consumer),
    };
}

/**
 * Walks two years of scheduled runs through the real program, applying each to the ledger.
 * Pulumi's SDK captures a stack trace for every promise it makes; nothing here reads them, and
 * skipping them makes the thousands of evaluations about twice as fast.
 */
export function simulate(scenario: Scenario): Promise<SecretLedger> {
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

async function walk(scenario: Scenario): Promise<SecretLedger> {
    let settings = scenario.settingsOn(0);
    const ledger = new SecretLedger(() => settings.overlapDays);
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
            ledger.apply(declaredRun(at, evaluation), { consumerUpdateFails: scenario.consumerFailsOn?.(day, settings) ?? false });
        }
        ledger.check(new Date(dayStart.getTime() + DAY - 1));
    }
    return ledger;
}

export async function expectZeroDowntime(scenario: Scenario): Promise<void> {
    const ledger = await simulate(scenario);
    assert.ok(ledger.rotations >= 5, `only ${ledger.rotations} rotations in two years`);
    assert.ok(ledger.entries.length >= ledger.rotations + 2);
    console.log(
        `      [${scenario.title}] ${ledger.runs} runs, ${ledger.entries.length} secrets minted, ${ledger.rotations} rotations; ` +
            `worst remaining validity of dbt Cloud's secret: ${ledger.worstRemainingDays.toFixed(2)} days`,
    );
}
