/**
 * `--select`: keep the policies citing a control. A selector matches a tag when they are equal,
 * or when the tag continues the selector at a segment boundary (`:` or `.`), so `cis:5.2`
 * selects `cis:5.2.2` but `cis:5.2.1` never selects `cis:5.2.10`.
 *
 * `pss:restricted` is the PSA restricted *profile* (reference/controls.md §0, §1.3): every
 * `pss:restricted:*` check plus every `pss:baseline:*` check, minus the baseline checks a
 * restricted check overrides. `pss:baseline` is the baseline profile, which the plain prefix
 * rule already gives.
 */
import type { Policy } from "@charter/ir";

const BASELINE = "pss:baseline";
const RESTRICTED = "pss:restricted";

/**
 * PSA v1.37 `OverrideCheckIDs` (reference/controls.md §1.3): at restricted level the restricted
 * check (key) runs instead of the baseline check (value).
 */
export const RESTRICTED_OVERRIDES: Readonly<Record<string, string>> = {
  capabilities_restricted: "capabilities_baseline",
  seccompProfile_restricted: "seccompProfile_baseline",
  procMount_restricted: "procMount",
  restrictedVolumes: "hostPathVolumes",
};

export function selectorMatches(selector: string, tag: string): boolean {
  if (tag === selector) return true;
  const next = tag[selector.length];
  return tag.startsWith(selector) && (next === ":" || next === ".");
}

/** The PSS check id of a `pss:<level>:<checkId>` tag at that level, else undefined. */
function checkAt(level: string, tag: string): string | undefined {
  return tag.startsWith(`${level}:`) ? tag.slice(level.length + 1) : undefined;
}

/**
 * The baseline checks the restricted profile drops. A baseline check is dropped only when the
 * policy set has a policy citing the restricted check that replaces it: without one, dropping it
 * would make the profile silently weaker than PSA's.
 */
function overriddenBaselineChecks(policies: readonly Policy[]): Set<string> {
  const restrictedChecks = new Set(
    policies.flatMap((policy) => policy.controls.flatMap((tag) => checkAt(RESTRICTED, tag) ?? [])),
  );
  return new Set(
    Object.entries(RESTRICTED_OVERRIDES)
      .filter(([restricted]) => restrictedChecks.has(restricted))
      .map(([, baseline]) => baseline),
  );
}

/** Whether `selector` selects `tag`, with `pss:restricted` read as the PSA restricted profile. */
function selects(selector: string, tag: string, overridden: ReadonlySet<string>): boolean {
  if (selector !== RESTRICTED) return selectorMatches(selector, tag);
  if (selectorMatches(RESTRICTED, tag)) return true;
  const baselineCheck = checkAt(BASELINE, tag);
  return baselineCheck !== undefined && !overridden.has(baselineCheck);
}

export function parseSelectors(select: string): string[] {
  return select
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function selectPolicies(policies: readonly Policy[], select: string | undefined): Policy[] {
  if (!select) return [...policies];
  const selectors = parseSelectors(select);
  const overridden = overriddenBaselineChecks(policies);
  return policies.filter((policy) =>
    policy.controls.some((tag) => selectors.some((selector) => selects(selector, tag, overridden))),
  );
}
