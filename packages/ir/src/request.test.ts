import { describe, expect, it } from "vitest";
import type { Expr } from "./expr.js";
import type { Policy, TestCase } from "./policy.js";
import { isRequestField, readsRequest } from "./request.js";
import { IrValidationError, validatePolicySet } from "./schema.js";

const username: Expr = { kind: "ref", root: { kind: "request" }, path: ["userInfo", "username"] };

const policy: Policy = {
  name: "no-robots",
  title: "No robots",
  description: "",
  severity: "low",
  category: "test",
  controls: [],
  enforcement: "warn",
  match: { subject: "kinds", kinds: [{ group: "", kind: "ConfigMap" }], operations: ["DELETE"] },
  parameters: { schema: { type: "object" }, values: {} },
  rules: [
    {
      name: "robot",
      condition: {
        kind: "string",
        op: "startsWith",
        left: username,
        right: { kind: "literal", value: "system:serviceaccount:" },
      },
      message: {
        template: "{{request.userInfo.username}}",
        parts: [{ kind: "hole", expr: username, source: "request.userInfo.username" }],
      },
    },
  ],
  cases: [
    {
      name: "robot",
      expect: "fail",
      resource: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      operation: "DELETE",
      userInfo: { username: "system:serviceaccount:a:b", groups: ["g"], extra: { k: ["v"] } },
    },
  ],
};

const withCase = (testCase: object) => ({
  irVersion: 1,
  policies: [{ ...policy, cases: [{ ...policy.cases[0], ...testCase }] }],
});

describe("the request root", () => {
  it("round-trips through the schema, with a case's operation and user", () => {
    const set = JSON.parse(JSON.stringify({ irVersion: 1, policies: [policy] }));
    expect(validatePolicySet(set).policies[0]).toEqual(policy);
  });

  it.each<[string, Partial<TestCase> | object]>([
    ["CONNECT, which is no policy's operation", { operation: "CONNECT" }],
    ["a lower-case operation", { operation: "delete" }],
    ["an old object that is not an object", { oldObject: "x" }],
    ["a user with groups that are not strings", { userInfo: { groups: [1] } }],
    ["a user with an unknown field", { userInfo: { name: "x" } }],
  ])("refuses a case with %s", (_, testCase) => {
    expect(() => validatePolicySet(withCase(testCase))).toThrow(IrValidationError);
  });

  it("says which policies read it", () => {
    expect(readsRequest(policy)).toBe(true);
    const plain = { name: "plain", condition: { kind: "literal", value: true } } as const;
    expect(
      readsRequest({ ...policy, rules: [{ ...plain, message: { template: "", parts: [] } }] }),
    ).toBe(false);
    expect(["operation", "userInfo", "oldObject", "object"].map(isRequestField)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
