/** The compile targets `build --target` knows, and what each emits. */
import {
  CharterError,
  expiryInstant,
  TARGET_NAMES as IR_TARGET_NAMES,
  type Policy,
  type PolicyException,
} from "@charter/ir";
import { emitGatekeeper, type GatekeeperEngine } from "./gatekeeper/index.js";
import { emitKyverno, KYVERNO_APIS, type KyvernoApi } from "./kyverno/index.js";
import { emitRego } from "./rego/index.js";
import { emitVap } from "./vap/index.js";

export interface TargetOptions {
  /** `--gatekeeper-engine`: the ConstraintTemplate's code engine. */
  readonly gatekeeperEngine: GatekeeperEngine;
  /** `--kyverno-api`: ValidatingPolicy (Kyverno ≥ 1.17) or ClusterPolicy (1.13–1.19). */
  readonly kyvernoApi: KyvernoApi;
  /** `--kyverno-exception-namespace`: where the Kyverno PolicyExceptions go. */
  readonly kyvernoExceptionNamespace?: string;
}

export const DEFAULT_TARGET_OPTIONS: TargetOptions = {
  gatekeeperEngine: "rego",
  kyvernoApi: "validatingpolicy",
};

type Emit = (
  policies: readonly Policy[],
  options: TargetOptions,
  exceptions: readonly PolicyException[],
) => ReadonlyMap<string, string>;

/**
 * The emitters. Exceptions ship with every target: the Rego (charter/data.json), the
 * Gatekeeper Constraints, Kyverno PolicyExceptions or CEL folded into the Kyverno policy, and
 * CEL folded into the ValidatingAdmissionPolicy (see EXCEPTIONS_WITHOUT_CLOCK).
 */
export const TARGETS = {
  rego: (policies, _options, exceptions) => emitRego(policies, { exceptions }),
  gatekeeper: (policies, options, exceptions) =>
    emitGatekeeper(policies, { engine: options.gatekeeperEngine, exceptions }),
  kyverno: (policies, options, exceptions) =>
    emitKyverno(policies, {
      api: options.kyvernoApi,
      exceptions,
      ...(options.kyvernoExceptionNamespace
        ? { exceptionNamespace: options.kyvernoExceptionNamespace }
        : {}),
    }),
  vap: (policies, _options, exceptions) => emitVap(policies, { exceptions }),
} as const satisfies Record<string, Emit>;

export type TargetName = keyof typeof TARGETS;
export const TARGET_NAMES: readonly TargetName[] = IR_TARGET_NAMES;

/** The policies a target is built from: all but those that exclude it (`excludeTargets`). */
export function policiesFor(policies: readonly Policy[], target: TargetName): Policy[] {
  return policies.filter((policy) => policy.excludeTargets?.[target] === undefined);
}

export function parseTargets(value: string): TargetName[] {
  const names = value === "all" ? TARGET_NAMES : value.split(",").map((t) => t.trim());
  for (const name of names) {
    if (!(name in TARGETS)) {
      throw new CharterError(
        `unknown target "${name}"`,
        {},
        `choose from ${TARGET_NAMES.join(", ")}, or all`,
      );
    }
  }
  return [...new Set(names)] as TargetName[];
}

export function parseTargetOptions(options: {
  gatekeeperEngine?: string;
  kyvernoApi?: string;
  kyvernoExceptionNamespace?: string;
}): TargetOptions {
  const gatekeeperEngine = options.gatekeeperEngine ?? DEFAULT_TARGET_OPTIONS.gatekeeperEngine;
  if (gatekeeperEngine !== "rego" && gatekeeperEngine !== "cel") {
    throw new CharterError(
      `unknown Gatekeeper engine "${gatekeeperEngine}"`,
      {},
      "choose rego or cel",
    );
  }
  const kyvernoApi = options.kyvernoApi ?? DEFAULT_TARGET_OPTIONS.kyvernoApi;
  if (!(KYVERNO_APIS as readonly string[]).includes(kyvernoApi)) {
    throw new CharterError(
      `unknown Kyverno API "${kyvernoApi}"`,
      {},
      `choose ${KYVERNO_APIS.join(" or ")}`,
    );
  }
  return {
    gatekeeperEngine,
    kyvernoApi: kyvernoApi as KyvernoApi,
    ...(options.kyvernoExceptionNamespace
      ? { kyvernoExceptionNamespace: options.kyvernoExceptionNamespace }
      : {}),
  };
}

/**
 * Targets whose artifacts may carry an exception with no clock to end it: CEL folded into a
 * ValidatingAdmissionPolicy or a Kyverno policy. They are built with the exceptions in force
 * only, so once one expires the artifacts must be rebuilt (`charter build --check` fails).
 */
export const EXCEPTIONS_WITHOUT_CLOCK: readonly TargetName[] = ["kyverno", "vap"];

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
        TARGETS[target](built, options, exceptionsFor(target, built, exceptions, now)),
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
  const current = TARGETS[target](built, options, inForce);
  const names = new Set(built.map((policy) => policy.name));
  return exceptions.filter((e) => {
    if (!names.has(e.policy) || now < expiryInstant(e.expires)) return false;
    const kept = TARGETS[target](built, options, [...inForce, e]);
    return [...kept].some(([file, text]) => current.get(file) !== text && committed(file) === text);
  });
}
