/**
 * Applying policy exceptions to report rows: a row an exception in force covers becomes a
 * `skip` naming the exception, whatever the rule said. Semantics: packages/ir/src/exception.ts.
 */
import {
  CONTAINER_LISTS,
  expiryInstant,
  groupOf,
  type Json,
  type PolicyException,
} from "@charter/ir";
import { labelsSelected, podView } from "../match.js";
import { globMatches } from "../regex.js";
import type { Engine, Finding, Resource, ResourceIdentity } from "../types.js";
import { isObject } from "../value.js";

/** What a row records of the exception that excused it. */
export interface AppliedException {
  readonly name: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

/** True while the exception applies at `now` (milliseconds since the epoch). */
export function inForce(exception: PolicyException, now: number): boolean {
  return now < expiryInstant(exception.expires);
}

function imagesOf(object: Json): string[] | undefined {
  const spec = podView(object)?.spec;
  if (!isObject(spec)) return undefined;
  const images: string[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      const image = isObject(container) ? container.image : undefined;
      // A container without an image string can match no pattern: the row is not excused.
      images.push(typeof image === "string" ? image : "\u0000no image");
    }
  }
  return images;
}

/** Whether the exception's match holds for this resource (the policy and rule aside). */
export function exceptionMatches(
  exception: PolicyException,
  object: Json,
  identity: ResourceIdentity,
): boolean {
  const { namespaces, names, kinds, labels, images } = exception.match;
  if (namespaces && !(identity.namespace !== undefined && namespaces.includes(identity.namespace)))
    return false;
  if (names && !names.some((glob) => globMatches(glob, identity.name))) return false;
  if (
    kinds &&
    !kinds.some((k) => k.kind === identity.kind && k.group === groupOf(identity.apiVersion))
  )
    return false;
  if (labels && !(isObject(object) && labelsSelected(object, labels))) return false;
  if (images) {
    const found = imagesOf(object);
    if (!found || found.length === 0) return false;
    if (!found.every((image) => images.some((glob) => globMatches(glob, image)))) return false;
  }
  return true;
}

/** The first exception in force that covers this row, if any. */
export function exceptionFor(
  exceptions: readonly PolicyException[],
  row: { readonly policy: string; readonly rule: string },
  object: Json,
  identity: ResourceIdentity,
  now: number,
): PolicyException | undefined {
  return exceptions.find(
    (exception) =>
      exception.policy === row.policy &&
      (exception.rules === undefined || exception.rules.includes(row.rule)) &&
      inForce(exception, now) &&
      exceptionMatches(exception, object, identity),
  );
}

/** The row as an exception leaves it: a skip that says who excused it, why and until when. */
export function excused(finding: Finding, exception: PolicyException): Finding {
  const message = `excused by exception ${exception.name} (owner ${exception.owner}, until ${exception.expires}): ${exception.reason}`;
  return {
    ...finding,
    result: "skip",
    message,
    messages: [message],
    exception: {
      name: exception.name,
      reason: exception.reason,
      owner: exception.owner,
      expires: exception.expires,
    },
  };
}

export interface ExceptionOutcome {
  readonly findings: Finding[];
  /** The exceptions that excused at least one row. */
  readonly used: ReadonlySet<string>;
}

/** Applies the exceptions to rows judged on `resources` (rows name them by index). */
export function applyExceptions(
  findings: readonly Finding[],
  resources: readonly Resource[],
  exceptions: readonly PolicyException[],
  now: number,
): ExceptionOutcome {
  const used = new Set<string>();
  if (exceptions.length === 0) return { findings: [...findings], used };
  const applied = findings.map((finding) => {
    const object = resources[finding.resourceIndex]?.object ?? null;
    const exception = exceptionFor(exceptions, finding, object, finding.resource, now);
    if (exception === undefined) return finding;
    used.add(exception.name);
    return excused(finding, exception);
  });
  return { findings: applied, used };
}

/** Exceptions in force that stop applying within `days` of `now`, soonest first. */
export function expiringWithin(
  exceptions: readonly PolicyException[],
  now: number,
  days: number,
): PolicyException[] {
  const horizon = now + days * 86_400_000;
  return exceptions
    .filter((e) => inForce(e, now) && expiryInstant(e.expires) <= horizon)
    .sort((a, b) => expiryInstant(a.expires) - expiryInstant(b.expires));
}

/**
 * An engine whose rows get the exceptions applied by the runtime — for engines whose target
 * does not carry exceptions (the CEL ones, for now) and for the IR engine's batch form.
 */
export function withExceptions(
  engine: Engine,
  exceptions: readonly PolicyException[],
  now: number,
): Engine {
  if (exceptions.length === 0) return engine;
  return {
    ...engine,
    evaluate: async (resources) =>
      applyExceptions(await engine.evaluate(resources), resources, exceptions, now).findings,
  };
}
