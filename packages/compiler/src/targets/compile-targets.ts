/**
 * Building targets from a policy set: each target gets the policies that do not exclude it,
 * and the exceptions it can carry (see EXCEPTIONS_WITHOUT_CLOCK).
 */
import {
  expiryInstant,
  type Policy,
  type PolicyException,
  type TargetName,
  unconfiguredReason,
} from "@charter/ir";
import { DEFAULT_TARGET_OPTIONS, supports, type TargetOptions } from "./target-descriptor.js";
import { TARGET_NAMES, TARGETS } from "./targets.js";

/**
 * The policies a target is built from: all but those that exclude it (`excludeTargets`) and
 * those still waiting for their signing keys (`unconfiguredReason`: no policy is better than one
 * with a placeholder key, or one that denies every image).
 */
export function policiesFor(policies: readonly Policy[], target: TargetName): Policy[] {
  return policies.filter(
    (policy) =>
      policy.excludeTargets?.[target] === undefined && unconfiguredReason(policy) === undefined,
  );
}

/**
 * Targets whose artifacts may carry an exception with no clock to end it: CEL folded into a
 * ValidatingAdmissionPolicy or a Kyverno policy. They are built with the exceptions in force
 * only, so once one expires the artifacts must be rebuilt (`charter build --check` fails).
 */
export const EXCEPTIONS_WITHOUT_CLOCK: readonly TargetName[] = TARGET_NAMES.filter(
  (target) => !supports(TARGETS[target], "exception-expiry"),
);

/** The exceptions a target is built with: those of its policies, in force when it lacks a clock. */
export function exceptionsFor(
  target: TargetName,
  built: readonly Policy[],
  exceptions: readonly PolicyException[],
  now: number,
): PolicyException[] {
  const names = new Set(built.map((policy) => policy.name));
  return exceptions.filter(
    (e) =>
      names.has(e.policy) &&
      (!EXCEPTIONS_WITHOUT_CLOCK.includes(target) || now < expiryInstant(e.expires)),
  );
}

export function compileTargets(
  policies: readonly Policy[],
  targets: readonly TargetName[],
  options: TargetOptions = DEFAULT_TARGET_OPTIONS,
  exceptions: readonly PolicyException[] = [],
  now: number = Date.now(),
): Map<string, ReadonlyMap<string, string>> {
  return new Map(
    targets.map((target) => {
      const built = policiesFor(policies, target);
      return [
        target,
        TARGETS[target].emit(built, options, exceptionsFor(target, built, exceptions, now)),
      ];
    }),
  );
}

/**
 * The expired exceptions a target's committed output still carries: for each exception of
 * the target's policies that has expired, whether some file of `committed` equals what the
 * target compiles to with that exception kept (and differs from the build without it).
 */
export function expiredStillShipped(
  policies: readonly Policy[],
  target: TargetName,
  options: TargetOptions,
  exceptions: readonly PolicyException[],
  now: number,
  committed: (file: string) => string | undefined,
): PolicyException[] {
  if (!EXCEPTIONS_WITHOUT_CLOCK.includes(target)) return [];
  const built = policiesFor(policies, target);
  const inForce = exceptionsFor(target, built, exceptions, now);
  const current = TARGETS[target].emit(built, options, inForce);
  const names = new Set(built.map((policy) => policy.name));
  return exceptions.filter((e) => {
    if (!names.has(e.policy) || now < expiryInstant(e.expires)) return false;
    const kept = TARGETS[target].emit(built, options, [...inForce, e]);
    return [...kept].some(([file, text]) => current.get(file) !== text && committed(file) === text);
  });
}
