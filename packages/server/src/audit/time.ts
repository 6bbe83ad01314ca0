/**
 * The clock flags of `charter audit`: `--since`/`--until` (a date or an RFC 3339 date-time)
 * and `--window` (the width of the time buckets). Everything is UTC.
 */
import { CharterError, isValidExpiry } from "@charter/ir";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function invalid(flag: string, value: string): CharterError {
  return new CharterError(
    `${flag} ${JSON.stringify(value)} is not a date`,
    {},
    'write "YYYY-MM-DD" (UTC) or an RFC 3339 date-time such as 2026-01-31T12:00:00Z',
  );
}

/** `--since`: the first instant included; a bare date means the start of that day. */
export function parseSince(value: string): number {
  if (!isValidExpiry(value)) throw invalid("--since", value);
  return DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
}

/**
 * `--until`: the first instant left out. A bare date includes that whole day (as people read
 * "until the 31st"); a date-time is exclusive.
 */
export function parseUntil(value: string): number {
  if (!isValidExpiry(value)) throw invalid("--until", value);
  return DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00Z`) + DAY_MS : Date.parse(value);
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: DAY_MS } as const;

/** `--window`: `15m`, `1h`, `6h`, `1d`, `7d`… in milliseconds. */
export function parseWindow(value: string): number {
  const match = /^(\d+)(m|h|d)$/.exec(value.trim());
  const count = Number(match?.[1] ?? 0);
  if (!match || count === 0) {
    throw new CharterError(
      `--window ${JSON.stringify(value)} is not a duration`,
      {},
      "write a whole number of minutes, hours or days: 15m, 1h, 1d, 7d",
    );
  }
  return count * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** The start of the window holding `instant`; windows are aligned on the Unix epoch (UTC). */
export function windowStart(instant: number, windowMs: number): number {
  return Math.floor(instant / windowMs) * windowMs;
}

/** An event's time: OPA's `timestamp`, else when our server received it; NaN when neither. */
export function eventInstant(timestamp: unknown, receivedAt: unknown): number {
  for (const value of [timestamp, receivedAt]) {
    if (typeof value === "string") {
      const instant = Date.parse(value);
      if (!Number.isNaN(instant)) return instant;
    }
  }
  return Number.NaN;
}

export function iso(instant: number): string {
  return new Date(instant).toISOString();
}
