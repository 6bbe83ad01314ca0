/** `--now`: the clock exceptions expire by, for tests and for rebuilding as of a date. */
import { CharterError, isValidExpiry } from "@charter/ir";

/** `--now`: the clock exceptions expire by (default: the real one). */
export function clockOf(now: string | undefined): number {
  if (now === undefined) return Date.now();
  if (!isValidExpiry(now)) {
    throw new CharterError(
      `--now ${JSON.stringify(now)} is not a date`,
      {},
      'write "YYYY-MM-DD" (its start, UTC) or an RFC 3339 date-time',
    );
  }
  // A bare date means the start of that day (an expiry date means its end).
  return /^\d{4}-\d{2}-\d{2}$/.test(now) ? Date.parse(`${now}T00:00:00Z`) : Date.parse(now);
}
