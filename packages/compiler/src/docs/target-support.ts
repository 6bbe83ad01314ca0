/**
 * Which targets a policy compiles to. Each policy is compiled alone, to every target and every
 * variant of one (Gatekeeper's code engine, Kyverno's API); a CharterError means the target
 * cannot express the policy, and its message is the reason shown in the docs.
 */
import { isCharterError, type Policy } from "@charter/ir";
import type { TargetOptions } from "../targets.js";
import { DEFAULT_TARGET_OPTIONS, TARGET_NAMES, TARGETS, type TargetName } from "../targets.js";

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

const VARIANTS: Readonly<
  Record<TargetName, readonly { option: string; options: TargetOptions }[]>
> = {
  rego: [],
  gatekeeper: [
    {
      option: "--gatekeeper-engine cel",
      options: { ...DEFAULT_TARGET_OPTIONS, gatekeeperEngine: "cel" },
    },
  ],
  kyverno: [
    {
      option: "--kyverno-api clusterpolicy",
      options: { ...DEFAULT_TARGET_OPTIONS, kyvernoApi: "clusterpolicy" },
    },
  ],
  vap: [],
};

export function targetSupport(policy: Policy): TargetSupport[] {
  return TARGET_NAMES.map((target) => {
    const excluded = policy.excludeTargets?.[target];
    if (excluded !== undefined) {
      const outcome: Outcome = { ok: false, reason: `not a target of this policy: ${excluded}` };
      return {
        target,
        outcome,
        variants: VARIANTS[target].map(({ option }) => ({ option, outcome })),
      };
    }
    return supportOn(policy, target);
  });
}

function supportOn(policy: Policy, target: TargetName): TargetSupport {
  return {
    target,
    outcome: compileOutcome(policy, target, DEFAULT_TARGET_OPTIONS),
    variants: VARIANTS[target].map(({ option, options }) => ({
      option,
      outcome: compileOutcome(policy, target, options),
    })),
  };
}

function compileOutcome(policy: Policy, target: TargetName, options: TargetOptions): Outcome {
  try {
    TARGETS[target]([policy], options, []);
    return { ok: true };
  } catch (error) {
    if (!isCharterError(error)) throw error;
    return { ok: false, reason: error.hint ? `${error.message} (${error.hint})` : error.message };
  }
}
