/**
 * `exception(name, spec)`: a policy exception — which policy (and rules) it excuses, which
 * resources, why, who owns it and until when. Checked here, so a typo in an expiry date or a
 * label key is an error with the file and line of the call, not a silently dead exception.
 */
import {
  CharterError,
  deepFreeze,
  didYouMean,
  type ErrorLocation,
  type ExceptionMatch,
  isValidExpiry,
  type PolicyException,
} from "@charter/ir";
import { callSite } from "./callsite.js";
import { kindRefOf } from "./kind-ref.js";
import { labelsOf } from "./policy.js";

export interface ExceptionSpec {
  /** The policy's name. */
  readonly policy: string;
  /** The rules excused; absent: every rule of the policy. */
  readonly rules?: readonly string[];
  /** Which resources: every field given must hold; at least one. */
  readonly match: {
    readonly namespaces?: readonly string[];
    /** Globs on `metadata.name` (`*`, `?`). */
    readonly names?: readonly string[];
    /** `"apps/v1/Deployment"`, `"v1/Pod"`… */
    readonly kinds?: readonly string[];
    readonly labels?: ExceptionMatch["labels"];
    /** Globs on container images; every container of the resource must match one. */
    readonly images?: readonly string[];
  };
  readonly reason: string;
  readonly owner: string;
  /** `YYYY-MM-DD` (through the end of that day, UTC) or an RFC 3339 date-time. */
  readonly expires: string;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SPEC_KEYS = ["policy", "rules", "match", "reason", "owner", "expires"];
const MATCH_KEYS = ["namespaces", "names", "kinds", "labels", "images"];

function fail(message: string, at: ErrorLocation, hint?: string): never {
  throw new CharterError(message, at, hint);
}

function checkKeys(given: object, allowed: readonly string[], what: string, at: ErrorLocation) {
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) {
      const suggestion = didYouMean(key, allowed);
      fail(`${what} has an unknown key \`${key}\``, at, suggestion ?? `use ${allowed.join(", ")}`);
    }
  }
}

function nonEmptyStrings(value: unknown, what: string, at: ErrorLocation): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === "string" && v !== "")
  ) {
    fail(`${what} must be a non-empty list of non-empty strings`, at);
  }
  return [...value];
}

function text(value: unknown, what: string, at: ErrorLocation): string {
  if (typeof value !== "string" || value.trim() === "")
    fail(`${what} must be a non-empty string`, at);
  return value;
}

export function exception(name: string, spec: ExceptionSpec): PolicyException {
  const site = callSite(exception);
  const at: ErrorLocation = site ? { file: site.file, line: site.line, column: site.column } : {};
  const where = (message: string) => `exception ${JSON.stringify(name)}: ${message}`;
  if (typeof name !== "string" || !NAME.test(name) || name.length > 63) {
    fail(
      `exception name ${JSON.stringify(name)} is not valid`,
      at,
      "use lower-case letters, digits and single dashes, starting with a letter (at most 63 characters)",
    );
  }
  if (typeof spec !== "object" || spec === null) fail(where("the spec must be an object"), at);
  checkKeys(spec, SPEC_KEYS, where("the spec"), at);
  const policy = text(spec.policy, where("policy"), at);
  if (!NAME.test(policy)) fail(where(`policy ${JSON.stringify(policy)} is not a policy name`), at);
  const rules =
    spec.rules === undefined ? undefined : nonEmptyStrings(spec.rules, where("rules"), at);
  if (typeof spec.match !== "object" || spec.match === null || Array.isArray(spec.match)) {
    fail(where("match must be an object"), at, `give one or more of ${MATCH_KEYS.join(", ")}`);
  }
  checkKeys(spec.match, MATCH_KEYS, where("match"), at);
  const { namespaces, names, kinds, labels, images } = spec.match;
  const match: ExceptionMatch = {
    ...(namespaces !== undefined
      ? { namespaces: nonEmptyStrings(namespaces, where("match.namespaces"), at) }
      : {}),
    ...(names !== undefined ? { names: nonEmptyStrings(names, where("match.names"), at) } : {}),
    ...(kinds !== undefined
      ? {
          kinds: nonEmptyStrings(kinds, where("match.kinds"), at).map((k) =>
            kindRefOf(k, where("match.kinds"), at),
          ),
        }
      : {}),
    ...(labels !== undefined ? { labels: labelsOf(labels, at) } : {}),
    ...(images !== undefined ? { images: nonEmptyStrings(images, where("match.images"), at) } : {}),
  };
  if (Object.keys(match).length === 0) {
    fail(
      where("match names no resources"),
      at,
      `give one or more of ${MATCH_KEYS.join(", ")}: an exception for every resource is the policy switched off`,
    );
  }
  const reason = text(spec.reason, where("reason"), at);
  const owner = text(spec.owner, where("owner"), at);
  const expires = text(spec.expires, where("expires"), at);
  if (!isValidExpiry(expires)) {
    fail(
      where(`expires ${JSON.stringify(expires)} is not a date`),
      at,
      'write "YYYY-MM-DD" (it applies through that day, UTC) or an RFC 3339 date-time',
    );
  }
  return deepFreeze({
    name,
    policy,
    ...(rules ? { rules } : {}),
    match: structuredClone(match),
    reason,
    owner,
    expires,
    ...(site ? { source: { file: site.file, line: site.line } } : {}),
  });
}
