import { describe, expect, it } from "vitest";
import type { Policy } from "./policy.js";
import { IrValidationError, validatePolicySet } from "./schema.js";

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

  it("rejects a bad policy name, a missing field and an extra field", () => {
    const bad = (p: object) => () => validatePolicySet({ irVersion: 1, policies: [p] });
    expect(bad({ ...policy, name: "Not_A_Name" })).toThrow(/name/);
    const { title: _title, ...untitled } = policy;
    expect(bad(untitled)).toThrow(/title/);
    expect(bad({ ...policy, extra: 1 })).toThrow(/additional/);
    expect(() => validatePolicySet({ irVersion: 2, policies: [] })).toThrow(/irVersion/);
  });
});
