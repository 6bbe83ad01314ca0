/**
 * Policy exceptions: a named, owned, expiring decision that some resources need not meet some
 * rules of one policy. Written in the DSL (`exception(…)`), loaded beside the policies, applied
 * by the runtime to report rows and emitted for every target.
 */
import type { KindRef, LabelSelector, SourceLocation } from "./policy.js";

/**
 * What an exception covers. Every field given must hold (an exception gives at least one):
 * - `namespaces`: the resource's own namespace is one of these (exact; a cluster-scoped
 *   resource, or one naming no namespace, never matches);
 * - `names`: the resource's `metadata.name` matches one of these globs (`*`, `?`: the IR's
 *   glob semantics);
 * - `kinds`: the resource's group and kind is one of these;
 * - `labels`: a label selector on the resource's own labels (a controller's, not its
 *   template's), with the IR's selector semantics;
 * - `images`: the resource has a pod view with at least one container, and EVERY container's
 *   image (containers, init and ephemeral containers) matches one of these globs. A row is
 *   excused only when all its containers are: an exception for a sidecar's image never excuses
 *   the application container beside it.
 */
export interface ExceptionMatch {
  readonly namespaces?: readonly string[];
  readonly names?: readonly string[];
  readonly kinds?: readonly KindRef[];
  readonly labels?: LabelSelector;
  readonly images?: readonly string[];
}

export interface PolicyException {
  /** Lower-case letters, digits and single dashes, like a policy's. */
  readonly name: string;
  /** The policy it excuses from. */
  readonly policy: string;
  /** The rules it excuses from; absent: every rule of the policy. */
  readonly rules?: readonly string[];
  readonly match: ExceptionMatch;
  /** Why the resources may break the rules. */
  readonly reason: string;
  /** Who answers for it (a team, a person, an e-mail address). */
  readonly owner: string;
  /**
   * When it stops applying: a date `YYYY-MM-DD` (it applies through the end of that day, UTC)
   * or an RFC 3339 date-time (it applies while the clock is before it).
   */
  readonly expires: string;
  readonly source?: SourceLocation;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DAY_MS = 86_400_000;

/** The first instant at which the exception no longer applies, in milliseconds since the epoch. */
export function expiryInstant(expires: string): number {
  // Date.parse of the full form: Date.UTC would read the years 0000–0099 as 1900–1999.
  if (DATE.test(expires)) return Date.parse(`${expires}T00:00:00Z`) + DAY_MS;
  return Date.parse(expires);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const days = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return month >= 1 && month <= 12 && day >= 1 && day <= (days[month - 1] ?? 0);
}

/**
 * True when `expires` is a valid date `YYYY-MM-DD` or an RFC 3339 date-time, checked against
 * the calendar (Date.parse alone takes `2020-02-30` for March 1st and `T24:00:00` for the next
 * day). Decisions: `T` and `Z` upper-case, hours 00–23, minutes 00–59, seconds 00–59 — no leap
 * second, since Go's time.Parse (Kubernetes, Kyverno's `expiresAt`) refuses `:60` — and an offset
 * of at most ±23:59 (RFC 3339's time-numoffset).
 */
export function isValidExpiry(expires: string): boolean {
  const date = DATE.exec(expires);
  if (date) {
    const [, year, month, day] = date.map(Number) as [number, number, number, number];
    return isCalendarDate(year, month, day);
  }
  const time = DATE_TIME.exec(expires);
  if (!time) return false;
  const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = time.map((part) =>
    part === undefined ? 0 : Number(part),
  ) as number[] as [number, number, number, number, number, number, number, number, number];
  return (
    isCalendarDate(year, month, day) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}
