/** The compile targets `build --target` knows, and what each emits. */
import {
  emitGatekeeper,
  emitKyverno,
  emitRego,
  emitVap,
  type GatekeeperEngine,
  KYVERNO_APIS,
  type KyvernoApi,
} from "@charter/compiler";
import {
  CharterError,
  TARGET_NAMES as IR_TARGET_NAMES,
  type Policy,
  type PolicyException,
} from "@charter/ir";

export interface TargetOptions {
  /** `--gatekeeper-engine`: the ConstraintTemplate's code engine. */
  readonly gatekeeperEngine: GatekeeperEngine;
  /** `--kyverno-api`: ValidatingPolicy (Kyverno ≥ 1.17) or ClusterPolicy (1.13–1.19). */
  readonly kyvernoApi: KyvernoApi;
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
 * The emitters. Exceptions ship with the Rego (charter/data.json) and with the Gatekeeper
 * Constraints; Kyverno and VAP do not carry them yet (see EXCEPTIONS_NOT_EMITTED).
 */
export const TARGETS = {
  rego: (policies, _options, exceptions) => emitRego(policies, { exceptions }),
  gatekeeper: (policies, options, exceptions) =>
    emitGatekeeper(policies, { engine: options.gatekeeperEngine, exceptions }),
  kyverno: (policies, options) => emitKyverno(policies, { api: options.kyvernoApi }),
  vap: (policies) => emitVap(policies),
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
  return { gatekeeperEngine, kyvernoApi: kyvernoApi as KyvernoApi };
}

/** Targets whose artifacts do not apply exceptions yet: they judge as if there were none. */
export const EXCEPTIONS_NOT_EMITTED: readonly TargetName[] = ["kyverno", "vap"];

export function compileTargets(
  policies: readonly Policy[],
  targets: readonly TargetName[],
  options: TargetOptions = DEFAULT_TARGET_OPTIONS,
  exceptions: readonly PolicyException[] = [],
): Map<string, ReadonlyMap<string, string>> {
  return new Map(
    targets.map((target) => {
      const built = policiesFor(policies, target);
      const names = new Set(built.map((policy) => policy.name));
      const relevant = exceptions.filter((e) => names.has(e.policy));
      return [target, TARGETS[target](built, options, relevant)];
    }),
  );
}
