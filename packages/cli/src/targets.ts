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
import { CharterError, TARGET_NAMES as IR_TARGET_NAMES, type Policy } from "@charter/ir";

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

type Emit = (policies: readonly Policy[], options: TargetOptions) => ReadonlyMap<string, string>;

export const TARGETS = {
  rego: (policies) => emitRego(policies),
  gatekeeper: (policies, options) => emitGatekeeper(policies, { engine: options.gatekeeperEngine }),
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

export function compileTargets(
  policies: readonly Policy[],
  targets: readonly TargetName[],
  options: TargetOptions = DEFAULT_TARGET_OPTIONS,
): Map<string, ReadonlyMap<string, string>> {
  return new Map(
    targets.map((target) => [target, TARGETS[target](policiesFor(policies, target), options)]),
  );
}
