import { describe, expect, it } from "vitest";
import type { Expr } from "./expr.js";
import type { Policy } from "./policy.js";
import {
  IrValidationError,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  validatePolicySet,
} from "./schema.js";

const policy: Policy = {
  name: "no-privileged",
  title: "No privileged containers",
  description: "",
  severity: "high",
  category: "Pod security",
  controls: ["pss:baseline:privileged"],
  enforcement: "deny",
  match: { subject: "pod", controllers: true },
  parameters: { schema: { type: "object", properties: {} }, values: {} },
  rules: [
    {
      name: "privileged",
      condition: {
        kind: "quantifier",
        quantifier: "any",
        variable: "c",
        collection: { kind: "ref", root: { kind: "containers" }, path: [] },
        body: {
          kind: "compare",
          op: "==",
          left: {
            kind: "ref",
            root: { kind: "var", name: "c" },
            path: ["securityContext", "privileged"],
          },
          right: { kind: "literal", value: true },
        },
      },
      message: {
        template: "{{c.name}} is privileged",
        parts: [
          {
            kind: "hole",
            expr: { kind: "ref", root: { kind: "var", name: "c" }, path: ["name"] },
            source: "c.name",
          },
          { kind: "text", text: " is privileged" },
        ],
      },
    },
  ],
  cases: [{ name: "bare pod", expect: "pass", resource: { apiVersion: "v1", kind: "Pod" } }],
};

describe("validatePolicySet", () => {
  it("accepts IR that round-trips through JSON", () => {
    const set = JSON.parse(JSON.stringify({ irVersion: 1, policies: [policy] }));
    expect(validatePolicySet(set).policies[0]).toEqual(policy);
  });

  it.each([
    [
      "an unknown node kind",
      { ...policy.rules[0], condition: { kind: "xor", args: [] } },
      /rules\/0\/condition/,
    ],
    [
      "a negative index",
      { ...policy.rules[0], condition: { kind: "ref", root: { kind: "object" }, path: [-1] } },
      /path\/0/,
    ],
    [
      "an unknown operator",
      {
        ...policy.rules[0],
        condition: {
          kind: "compare",
          op: "=~",
          left: { kind: "literal", value: 1 },
          right: { kind: "literal", value: 1 },
        },
      },
      /op/,
    ],
  ])("rejects %s, naming where", (_what, rule, where) => {
    const set = { irVersion: 1, policies: [{ ...policy, rules: [rule] }] };
    expect(() => validatePolicySet(set, "policies.ir.json")).toThrow(IrValidationError);
    expect(() => validatePolicySet(set, "policies.ir.json")).toThrow(where);
  });

  it("accepts keys(x) and rejects it without its argument", () => {
    const keysOf: Expr = { kind: "keys", arg: { kind: "ref", root: { kind: "pod" }, path: [] } };
    const rule = {
      ...policy.rules[0],
      condition: {
        kind: "quantifier",
        quantifier: "any",
        variable: "k",
        collection: keysOf,
        body: { kind: "literal", value: true },
      },
    };
    expect(() =>
      validatePolicySet({ irVersion: 1, policies: [{ ...policy, rules: [rule] }] }),
    ).not.toThrow();
    const bare = { ...rule, condition: { kind: "keys" } };
    expect(() =>
      validatePolicySet({ irVersion: 1, policies: [{ ...policy, rules: [bare] }] }),
    ).toThrow(/condition/);
  });

  it("accepts x[k] and rejects it without its key", () => {
    const pod: Expr = { kind: "ref", root: { kind: "pod" }, path: [] };
    const indexed: Expr = { kind: "index", value: pod, key: { kind: "literal", value: "a" } };
    const rule = { ...policy.rules[0], condition: { kind: "exists", arg: indexed } };
    expect(() =>
      validatePolicySet({ irVersion: 1, policies: [{ ...policy, rules: [rule] }] }),
    ).not.toThrow();
    const bare = { ...rule, condition: { kind: "index", value: pod } };
    expect(() =>
      validatePolicySet({ irVersion: 1, policies: [{ ...policy, rules: [bare] }] }),
    ).toThrow(/condition/);
  });

  it("rejects a bad policy name, a missing field and an extra field", () => {
    const bad = (p: object) => () => validatePolicySet({ irVersion: 1, policies: [p] });
    expect(bad({ ...policy, name: "Not_A_Name" })).toThrow(/name/);
    const { title: _title, ...untitled } = policy;
    expect(bad(untitled)).toThrow(/title/);
    expect(bad({ ...policy, extra: 1 })).toThrow(/additional/);
    expect(() => validatePolicySet({ irVersion: 2, policies: [] })).toThrow(/irVersion/);
  });
});

describe("validatePolicySet: label selectors", () => {
  const withLabels = (labels: unknown) => ({
    irVersion: 1,
    policies: [{ ...policy, match: { subject: "pod", controllers: true, labels } }],
  });

  it("accepts every operator, matchLabels and an empty selector", () => {
    const labels = {
      matchLabels: { app: "web", "example.com/part-of": "", "a.b-c_d": "x.y-z_0" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["front"] },
        { key: "env", operator: "NotIn", values: ["prod", "staging"] },
        { key: "team", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist" },
      ],
    };
    expect(() => validatePolicySet(withLabels(labels))).not.toThrow();
    expect(() => validatePolicySet(withLabels({}))).not.toThrow();
  });

  it.each([
    ["In without values", { matchExpressions: [{ key: "a", operator: "In" }] }],
    [
      "NotIn with an empty list",
      { matchExpressions: [{ key: "a", operator: "NotIn", values: [] }] },
    ],
    ["values on Exists", { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }],
    ["an unknown operator", { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }],
    ["a bad key", { matchLabels: { "-a": "x" } }],
    ["a bad value", { matchLabels: { a: "x y" } }],
    ["a non-string value", { matchLabels: { a: 1 } }],
    ["an unknown field", { matchLabel: { a: "x" } }],
  ])("rejects %s", (_what, labels) => {
    expect(() => validatePolicySet(withLabels(labels))).toThrow(/match/);
  });

  it("checks Kubernetes label syntax, lengths included", () => {
    const key = new RegExp(LABEL_KEY_PATTERN, "u");
    const value = new RegExp(LABEL_VALUE_PATTERN, "u");
    for (const good of [
      "a",
      "A9",
      "a.b_c-d",
      `${"a".repeat(253)}/x`,
      `example.com/${"b".repeat(63)}`,
    ])
      expect(key.test(good), good).toBe(true);
    for (const bad of [
      "",
      "/a",
      "a/",
      "-a",
      "a-",
      "a/b/c",
      "Ex.com/a",
      `${"a".repeat(254)}/x`,
      "b".repeat(64),
      "a b",
      "é",
    ])
      expect(key.test(bad), bad).toBe(false);
    for (const good of ["", "x", "a.b_c-9", "v".repeat(63)])
      expect(value.test(good), good).toBe(true);
    for (const bad of ["v".repeat(64), "-x", "x_", "a/b", "*", "a b"])
      expect(value.test(bad), bad).toBe(false);
  });
});
