/**
 * What Charter knows about a compile target, in one place: its name, how it emits, the
 * variants a user can ask for (Gatekeeper's code engine, Kyverno's API) and, for each, the
 * constructs it can express and the oldest engine it runs on. docs/capabilities.md's version
 * table is this data (targets.test.ts holds the two together).
 */
import {
  DEFAULT_SYSTEM_NAMESPACES,
  type Policy,
  type PolicyException,
  type TargetName,
} from "@charter/ir";
import type { GatekeeperEngine } from "../gatekeeper/index.js";
import type { KyvernoApi } from "../kyverno/index.js";
import type { EngineVersion } from "./engine-versions.js";

export interface TargetOptions {
  /** `--gatekeeper-engine`: the ConstraintTemplate's code engine. */
  readonly gatekeeperEngine: GatekeeperEngine;
  /** `--kyverno-api`: ValidatingPolicy (Kyverno ≥ 1.17) or ClusterPolicy (1.13–1.19). */
  readonly kyvernoApi: KyvernoApi;
  /** `--kyverno-exception-namespace`: where the Kyverno PolicyExceptions go. */
  readonly kyvernoExceptionNamespace?: string;
  /**
   * The policy set's system namespaces (charter.config.ts `systemNamespaces`), which every
   * target leaves out (packages/ir/src/system-namespaces.ts).
   */
  readonly systemNamespaces: readonly string[];
}

export const DEFAULT_TARGET_OPTIONS: TargetOptions = {
  gatekeeperEngine: "rego",
  kyvernoApi: "validatingpolicy",
  systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
};

export type EmitTarget = (
  policies: readonly Policy[],
  options: TargetOptions,
  exceptions: readonly PolicyException[],
) => ReadonlyMap<string, string>;

/**
 * Constructs some targets cannot express (a policy using one is a compile error there, naming
 * the policy, the rule and the target), and the one property of how exceptions ship:
 * - `inventory`: reading other objects of the cluster (`inventory(…)`).
 * - `namespace-object`: reading the resource's Namespace (the `namespace` root).
 * - `patterns-from-resource`: `matches` with a pattern read from the resource.
 * - `exception-expiry`: the artifacts check an exception's expiry themselves, with a clock;
 *   without it exceptions are folded in and a build carries only those in force.
 * - `image-rules`: a policy's `images` (signatures, attestations, digest; packages/ir README
 *   item 18), which need the registry: Kyverno's image policies reach it, CEL admission and
 *   plain Rego cannot. (Within it, what a variant still refuses — scanner reports on Kyverno, a
 *   condition on ClusterPolicy — is in docs/capabilities.md.)
 */
export type Capability =
  | "inventory"
  | "namespace-object"
  | "patterns-from-resource"
  | "exception-expiry"
  | "image-rules";

export interface TargetVariant {
  /** How a user asks for it, e.g. `--gatekeeper-engine cel`; absent when there is no choice. */
  readonly option?: string;
  /** The options that flag sets, over DEFAULT_TARGET_OPTIONS. */
  readonly selects?: Partial<TargetOptions>;
  /** What it emits (docs/capabilities.md's "emitted" column). */
  readonly emitted: string;
  readonly minimum: EngineVersion;
  readonly supports: readonly Capability[];
}

export interface TargetDescriptor {
  readonly name: TargetName;
  readonly emit: EmitTarget;
  /** The default (what `charter build` emits) first, then the others. */
  readonly variants: readonly [TargetVariant, ...TargetVariant[]];
}

/** The options a variant is built with: what its flag selects, over the defaults. */
export function variantOptions(variant: TargetVariant): TargetOptions {
  return { ...DEFAULT_TARGET_OPTIONS, ...variant.selects };
}

/** Whether the target, as `charter build` emits it by default, can express `capability`. */
export function supports(target: TargetDescriptor, capability: Capability): boolean {
  return target.variants[0].supports.includes(capability);
}
