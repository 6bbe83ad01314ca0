/**
 * RFC 3339 instants, to the nanosecond: scanners write them so (`2021-08-25T12:20:30.000000005Z`,
 * Go's RFC3339Nano), and a JavaScript Date keeps milliseconds only, so two reports a few
 * nanoseconds apart would tie. The decisions are the IR's for exception expiry
 * (`isValidExpiry`): `T` and `Z` upper-case, hours 00–23, minutes and seconds 00–59 (Go's
 * time.Parse refuses a leap second), a numeric offset of at most ±23:59, the day checked
 * against the calendar. Fractions longer than 9 digits are cut to nanoseconds, as Go does.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const NANOS_PER_MILLI = 1_000_000n;
const NANOS_PER_MINUTE = 60_000_000_000n;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC from a full ISO string, since
  // Date.UTC reads the years 0–99 as 1900–1999.
  const next =
    month === 12
      ? `${String(year + 1).padStart(4, "0")}-01`
      : `${String(year).padStart(4, "0")}-${String(month + 1).padStart(2, "0")}`;
  return new Date(Date.parse(`${next}-01T00:00:00Z`) - 86_400_000).getUTCDate();
}

/** Nanoseconds since the Unix epoch, or undefined when `text` is not an RFC 3339 instant. */
export function instantNanos(text: unknown): bigint | undefined {
  if (typeof text !== "string") return undefined;
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction = "", sign, oh = "0", om = "0"] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
    string | undefined,
    string | undefined,
    string | undefined,
  ];
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const wholeSeconds = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  const nanosOfSecond = BigInt(fraction.slice(0, 9).padEnd(9, "0"));
  const offset = BigInt(offsetHours * 60 + offsetMinutes) * NANOS_PER_MINUTE;
  const local = BigInt(wholeSeconds) * NANOS_PER_MILLI + nanosOfSecond;
  // 10:00+09:00 is 01:00Z: subtract an east (+) offset.
  return sign === "+" ? local - offset : sign === "-" ? local + offset : local;
}
