/**
 * Which targets a policy compiles to. Each policy is compiled alone, to every target and every
 * variant of one (Gatekeeper's code engine, Kyverno's API); a CharterError means the target
 * cannot express the policy, and its message is the reason shown in the docs.
 */
import { isCharterError, type Policy } from "@charter/ir";
import {
  DEFAULT_TARGET_OPTIONS,
  TARGET_NAMES,
  TARGETS,
  type TargetName,
  type TargetOptions,
  variantOptions,
} from "../targets/index.js";

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface Variant {
  /** How a user asks for this variant, e.g. `--gatekeeper-engine cel`; absent for the default. */
  readonly option?: string;
  readonly outcome: Outcome;
}

export interface TargetSupport {
  readonly target: TargetName;
  /** With the default options (what `charter build` emits). */
  readonly outcome: Outcome;
  /** The other variants of the target. */
  readonly variants: readonly Variant[];
}

/** A target's variants other than its default, each with the flag that asks for it. */
function otherVariants(target: TargetName): { option: string; options: TargetOptions }[] {
  return TARGETS[target].variants.slice(1).map((variant) => ({
    option: variant.option ?? "",
    options: variantOptions(variant),
  }));
}

export function targetSupport(policy: Policy): TargetSupport[] {
  return TARGET_NAMES.map((target) => {
    const excluded = policy.excludeTargets?.[target];
    if (excluded !== undefined) {
      const outcome: Outcome = { ok: false, reason: `not a target of this policy: ${excluded}` };
      return {
        target,
        outcome,
        variants: otherVariants(target).map(({ option }) => ({ option, outcome })),
      };
    }
    return supportOn(policy, target);
  });
}

function supportOn(policy: Policy, target: TargetName): TargetSupport {
  return {
    target,
    outcome: compileOutcome(policy, target, DEFAULT_TARGET_OPTIONS),
    variants: otherVariants(target).map(({ option, options }) => ({
      option,
      outcome: compileOutcome(policy, target, options),
    })),
  };
}

function compileOutcome(policy: Policy, target: TargetName, options: TargetOptions): Outcome {
  try {
    TARGETS[target].emit([policy], options, []);
    return { ok: true };
  } catch (error) {
    if (!isCharterError(error)) throw error;
    return { ok: false, reason: error.hint ? `${error.message} (${error.hint})` : error.message };
  }
}
