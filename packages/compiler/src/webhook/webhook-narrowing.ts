/**
 * What a webhook entry may leave out beyond its rules, read from its policies' own filters. Each
 * narrowing holds only when it holds for EVERY policy the entry routes: a request one policy
 * needs is never dropped because the others do not.
 *
 * - Namespace filters (`match.namespaces`) become `namespaceSelector` requirements on
 *   `kubernetes.io/metadata.name`, but only on an entry without the core Namespace kind: the API
 *   server selects a namespaced object by its Namespace, never skips another cluster-scoped one
 *   (what the IR says: objects without a namespace pass a filter), but selects a Namespace by its
 *   own name, which the IR's filter does not read. `In` the union of the includes when every
 *   policy lists some; `NotIn` the namespaces every policy excludes.
 * - Label selectors (`match.labels`) become one CEL match condition, the OR of the policies'
 *   selectors on the judged object (the deleted one on a DELETE, IR item 17), when every policy
 *   has one. Not `objectSelector`: it takes one selector, and on an UPDATE it also selects by
 *   the old object's labels, which the IR does not read.
 */
import type { Policy } from "@charter/ir";
import {
  type LabelSelectorRequirement,
  NAMESPACE_NAME_LABEL,
  namespaceNames,
} from "../admission/match-constraints.js";
import { name } from "../cel/cel-expr.js";
import { labelSelectorTests } from "../cel/label-selector.js";
import { printCel } from "../cel/print-cel.js";
import { safePath } from "../cel/safe-path.js";

export const WEBHOOK_LABELS_CONDITION = "charter-labels-selected";

export interface NamedCondition {
  readonly name: string;
  readonly expression: string;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The names in code point order, each once. */
function sorted(names: Iterable<string>): string[] {
  return [...new Set(names)].sort(byCodePoint);
}

/**
 * The namespace selector of an entry: the never-judged namespaces (the system namespaces and the
 * webhook's own) left out, then the policies' filters where every policy has one.
 */
export function namespaceRequirementsFor(
  policies: readonly Policy[],
  neverJudged: readonly string[],
  withPolicyFilters: boolean,
): LabelSelectorRequirement[] {
  const filters = policies.map((policy) => namespaceNames(policy, "webhook"));
  const everyIncludes =
    withPolicyFilters && filters.length > 0 && filters.every((f) => f.include.length > 0);
  const excludedByAll =
    withPolicyFilters && filters.length > 0
      ? (filters[0]?.exclude ?? []).filter((n) => filters.every((f) => f.exclude.includes(n)))
      : [];
  const notIn = [...new Set([...neverJudged, ...sorted(excludedByAll)])];
  return [
    ...(everyIncludes
      ? [
          {
            key: NAMESPACE_NAME_LABEL,
            operator: "In" as const,
            values: sorted(filters.flatMap((f) => f.include)),
          },
        ]
      : []),
    ...(notIn.length > 0
      ? [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn" as const, values: notIn }]
      : []),
  ];
}

/** The label match condition of an entry, or none when some policy selects every object. */
export function labelConditionFor(policies: readonly Policy[]): NamedCondition | undefined {
  const selectors = policies.map((policy) => labelSelectorTests(policy.match.labels, "labels"));
  if (selectors.length === 0 || selectors.some((tests) => tests.length === 0)) return undefined;
  const anySelected = sorted(selectors.map((tests) => `(${tests.join(" && ")})`)).join(" || ");
  const labels = printCel(safePath(name("judged"), ["metadata", "labels"]).expr);
  return {
    name: WEBHOOK_LABELS_CONDITION,
    expression: `[request.operation == "DELETE" ? oldObject : object].map(judged, ${labels}).map(labels, ${anySelected})[0]`,
  };
}
