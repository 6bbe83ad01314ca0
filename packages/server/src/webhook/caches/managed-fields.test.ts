import type { Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import requireDefaultDenyNetworkPolicy from "../../../../../policies/require-default-deny-network-policy.js";
import restrictRuntimeClass from "../../../../../policies/restrict-runtime-class.js";
import { readsCachedManagedFields, refusePoliciesReadingManagedFields } from "./managed-fields.js";

/** The library policy with its first rule's condition mentioning managedFields of the list. */
function readingManagedFields(via: "path" | "param"): Policy {
  const base = requireDefaultDenyNetworkPolicy;
  const [first, ...rest] = base.rules;
  if (first === undefined) throw new Error("the policy has rules");
  const read =
    via === "path"
      ? {
          kind: "ref" as const,
          root: { kind: "var" as const, name: "np" },
          path: ["metadata", "managedFields"],
        }
      : {
          kind: "index" as const,
          value: {
            kind: "ref" as const,
            root: { kind: "var" as const, name: "np" },
            path: ["metadata"],
          },
          key: { kind: "ref" as const, root: { kind: "params" as const }, path: ["field"] },
        };
  return {
    ...base,
    parameters:
      via === "param"
        ? { ...base.parameters, values: { ...base.parameters.values, field: "managedFields" } }
        : base.parameters,
    rules: [
      {
        ...first,
        condition: {
          kind: "quantifier",
          quantifier: "any",
          variable: "np",
          collection: {
            kind: "inventory",
            apiVersion: "networking.k8s.io/v1",
            resource: "NetworkPolicy",
          },
          body: { kind: "exists", arg: read },
        },
      },
      ...rest,
    ],
  };
}

describe("metadata.managedFields, which the caches drop", () => {
  it("refuses a policy that could read it from a cached object, by path or by a key from params", () => {
    expect(readsCachedManagedFields(readingManagedFields("path"))).toBe(true);
    expect(readsCachedManagedFields(readingManagedFields("param"))).toBe(true);
    expect(() =>
      refusePoliciesReadingManagedFields([restrictRuntimeClass, readingManagedFields("path")]),
    ).toThrow(
      /cannot judge require-default-deny-network-policy: it reads metadata\.managedFields of other objects/,
    );
  });

  it("lets the library through: no policy reads it", () => {
    expect(readsCachedManagedFields(requireDefaultDenyNetworkPolicy)).toBe(false);
    expect(readsCachedManagedFields(restrictRuntimeClass)).toBe(false);
    expect(() =>
      refusePoliciesReadingManagedFields([requireDefaultDenyNetworkPolicy, restrictRuntimeClass]),
    ).not.toThrow();
  });
});
