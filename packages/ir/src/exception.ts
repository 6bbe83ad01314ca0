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

/** The first instant at which the exception no longer applies, in milliseconds since the epoch. */
export function expiryInstant(expires: string): number {
  const date = DATE.exec(expires);
  if (date) {
    const [, year, month, day] = date;
    return Date.UTC(Number(year), Number(month) - 1, Number(day) + 1);
  }
  return Date.parse(expires);
}

/** True when `expires` is a valid date or RFC 3339 date-time. */
export function isValidExpiry(expires: string): boolean {
  const date = DATE.exec(expires);
  if (date) {
    const [, year, month, day] = date.map(Number) as [number, number, number, number];
    const parsed = new Date(Date.UTC(year, month - 1, day));
    return parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
  }
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(expires) &&
    !Number.isNaN(Date.parse(expires))
  );
}
