/**
 * `--select`: keep the policies citing a control. A selector matches a tag when they are equal,
 * or when the tag continues the selector at a segment boundary (`:` or `.`), so `cis:5.2`
 * selects `cis:5.2.2` but `cis:5.2.1` never selects `cis:5.2.10`.
 */
import type { Policy } from "@charter/ir";

export function selectorMatches(selector: string, tag: string): boolean {
  if (tag === selector) return true;
  const next = tag[selector.length];
  return tag.startsWith(selector) && (next === ":" || next === ".");
}

export function selectPolicies(policies: readonly Policy[], select: string | undefined): Policy[] {
  if (!select) return [...policies];
  const selectors = select
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return policies.filter((policy) =>
    policy.controls.some((tag) => selectors.some((selector) => selectorMatches(selector, tag))),
  );
}
