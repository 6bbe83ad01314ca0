/**
 * Which targets a policy compiles to. Each policy is compiled alone, to every target and every
 * variant of one (Gatekeeper's code engine, Kyverno's API); a CharterError means the target
 * cannot express the policy, and its message is the reason shown in the docs.
 */
import { isCharterError, type Policy, unconfiguredReason, withParams } from "@charter/ir";
import {
  DEFAULT_TARGET_OPTIONS,
  TARGET_NAMES,
  TARGETS,
  type TargetName,
  type TargetOptions,
  variantOptions,
} from "../targets/index.js";

export type Outcome =
  /** `once`: what must be configured first (a policy waiting for its signing keys). */
  { readonly ok: true; readonly once?: string } | { readonly ok: false; readonly reason: string };

/** A well-formed PEM that verifies nothing: only to ask whether a target can say the policy. */
const PROBE_KEY = "-----BEGIN PUBLIC KEY-----\nprobe\n-----END PUBLIC KEY-----";

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

/**
 * Which targets the policy compiles to. A policy waiting for its signing keys (`keysFrom`
 * parameters that list none) is asked with a probe key in each, and its `yes` says what to set
 * first: what the policy can be, not that the build leaves it out until then.
 */
export function targetSupport(policy: Policy): TargetSupport[] {
  const keyParams = (policy.images?.attestors ?? []).flatMap((attestor) =>
    attestor.kind === "keys" ? [attestor.param] : [],
  );
  if (unconfiguredReason(policy) !== undefined) {
    const probed = withParams(
      policy,
      Object.fromEntries(keyParams.map((param) => [param, [PROBE_KEY]])),
    );
    const once = `once ${keyParams.join(" and ")} ${keyParams.length > 1 ? "list" : "lists"} the signing keys`;
    return targetSupport(probed).map((support) => ({
      ...support,
      outcome: onceConfigured(support.outcome, once),
      variants: support.variants.map((v) => ({ ...v, outcome: onceConfigured(v.outcome, once) })),
    }));
  }
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

function onceConfigured(outcome: Outcome, once: string): Outcome {
  return outcome.ok ? { ok: true, once } : outcome;
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
