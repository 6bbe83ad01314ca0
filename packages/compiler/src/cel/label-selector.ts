/**
 * An IR label selector as CEL over a labels value bound to a name: a value that is not a map
 * is empty, a null label is absent, `In` needs a string value, `NotIn` and `DoesNotExist` are
 * the negations of `In` and `Exists`. Every index is guarded by `in`, so it never errors.
 */
import type { LabelSelector } from "@charter/ir";
import { celString } from "./escape.js";

/** The selector's requirements as CEL tests on `labels`; empty when it selects everything. */
export function labelSelectorTests(selector: LabelSelector | undefined, labels: string): string[] {
  const required = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => ({
      key,
      operator: "In" as const,
      values: [value],
    })),
    ...(selector?.matchExpressions ?? []),
  ];
  const present = (key: string) =>
    `type(${labels}) == map && ${celString(key)} in ${labels} && ${labels}[${celString(key)}] != null`;
  const isIn = (key: string, values: readonly string[]) =>
    `type(${labels}) == map && ${celString(key)} in ${labels} && type(${labels}[${celString(key)}]) == string && ${labels}[${celString(key)}] in [${values.map(celString).join(", ")}]`;
  return required.map((r) => {
    if (r.operator === "In") return `(${isIn(r.key, r.values)})`;
    if (r.operator === "NotIn") return `!(${isIn(r.key, r.values)})`;
    return r.operator === "Exists" ? `(${present(r.key)})` : `!(${present(r.key)})`;
  });
}
