/**
 * The instant the program is evaluated at. A real `pulumi up` uses the clock; the offline plan
 * and the tests pin it so that the rotation schedule can be replayed at any date.
 */
let pinned: Date | undefined;

export function evaluationInstant(): Date {
    return pinned ? new Date(pinned.getTime()) : new Date();
}

export function pinEvaluationInstant(at: Date | undefined): void {
    pinned = at;
}
