/**
 * Instants given on a command line (`npm start -- --at`, `check-expiry --now`): one parser, so the
 * plan and the expiry check accept exactly the same dates. A date (midnight UTC), or a date-time
 * with an explicit zone (no guessing at local time); seconds and up to three fraction digits
 * optional. `Date.parse` alone is not enough: it rolls `2027-02-30` over to March 2 and takes
 * `T24:00` as the next midnight, so every field is range-checked here first.
 */
import { fail, ok, ParseResult } from "./parseResult";

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2})))?$/;
const EXAMPLE = "use e.g. 2027-03-01 or 2027-03-01T09:30:00Z";

export function parseInstant(value: string): ParseResult<Date> {
    const match = INSTANT.exec(value);
    if (!match) {
        return fail(`"${value}" is not an ISO-8601 date or date-time with a zone; ${EXAMPLE}.`);
    }
    const [, year, month, day, hour = "00", minute = "00", second = "00", , zoneHour = "00", zoneMinute = "00"] = match;
    const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
    if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth) {
        return fail(`"${value}" is not a calendar date; ${EXAMPLE}.`);
    }
    if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(zoneHour) > 23 || Number(zoneMinute) > 59) {
        return fail(`"${value}" is not a time of day (hours 00-23, minutes and seconds 00-59); ${EXAMPLE}.`);
    }
    return ok(new Date(match[4] === undefined ? `${value}T00:00:00Z` : value));
}
