/**
 * The `request` root and `operations` in the DSL (packages/ir README, item 17): the template
 * and the builder lower to the same IR, the type checker types the root, the option and the
 * cases' request fields are checked where they are written.
 */
import { CharterError, type Expr, type Policy, validatePolicySet } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { kinds, pod, request, resource } from "./builder.js";
import { fromYaml } from "./cases.js";
import { type PolicySpec, policy, type RuleSpec } from "./policy.js";
import { when } from "./when.js";

function errorOf(run: () => unknown): CharterError {
  try {
    run();
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
  throw new Error("expected a CharterError");
}

const req = (...path: string[]): Expr => ({ kind: "ref", root: { kind: "request" }, path });
const obj = (...path: string[]): Expr => ({ kind: "ref", root: { kind: "object" }, path });

const namespace = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});

const protectedNamespaces = (spec: Partial<PolicySpec> = {}): Policy =>
  policy("protect-namespaces", {
    title: "Protected namespaces are not deleted",
    severity: "high",
    category: "test",
    match: kinds("v1/Namespace"),
    operations: ["DELETE"],
    rules: {
      protected: {
        fail: when`object.metadata.labels.protected == "true"`,
        message: "{{request.userInfo.username}} may not delete {{object.metadata.name}}",
      },
    },
    ...spec,
  });

const teamLabel = (fail: RuleSpec["fail"]): Policy =>
  policy("team-label", {
    title: "The team label does not change",
    severity: "medium",
    category: "test",
    match: kinds("apps/v1/Deployment"),
    operations: ["UPDATE"],
    rules: { changed: { fail, message: "team changed" } },
  });

describe("operations", () => {
  it("lowers to match.operations, and leaves the default out of the IR", () => {
    expect(protectedNamespaces().match).toEqual({
      subject: "kinds",
      kinds: [{ group: "", kind: "Namespace" }],
      operations: ["DELETE"],
    });
    const spelled = protectedNamespaces({ operations: ["UPDATE", "CREATE"] });
    expect("operations" in spelled.match).toBe(false);
    expect(protectedNamespaces({ operations: ["DELETE", "CREATE"] }).match.operations).toEqual([
      "CREATE",
      "DELETE",
    ]);
  });

  it.each([
    [[], /operations must be a non-empty list/],
    ["DELETE", /operations must be a non-empty list/],
    [["DELETE", "DELETE"], /operations lists DELETE twice/],
    [["delete"], /operations\[0\] is "delete", not an admission operation/],
    [["CONNECT"], /operations\[0\] is CONNECT, which no policy judges/],
  ])("refuses %j", (operations, message) => {
    const error = errorOf(() =>
      protectedNamespaces({ operations: operations as PolicySpec["operations"] }),
    );
    expect(error.message).toMatch(message);
  });

  it("says why CONNECT is refused", () => {
    const error = errorOf(() => protectedNamespaces({ operations: ["CONNECT" as "CREATE"] }));
    expect(error.format()).toMatch(/connect-options object/);
  });
});

describe("the request root", () => {
  it("reads the same IR from the template and the builder", () => {
    const template = teamLabel(
      when`request.oldObject.metadata.labels.team != object.metadata.labels.team and request.operation == "UPDATE"`,
    );
    const built = teamLabel(
      request
        .at("oldObject.metadata.labels.team")
        .ne(resource.at("metadata.labels.team"))
        .and(request.at("operation").eq("UPDATE")),
    );
    expect(template.rules[0]?.condition).toEqual(built.rules[0]?.condition);
    expect(template.rules[0]?.condition).toEqual({
      kind: "and",
      args: [
        {
          kind: "compare",
          op: "!=",
          left: req("oldObject", "metadata", "labels", "team"),
          right: obj("metadata", "labels", "team"),
        },
        {
          kind: "compare",
          op: "==",
          left: req("operation"),
          right: { kind: "literal", value: "UPDATE" },
        },
      ],
    });
  });

  it("types userInfo as an AdmissionReview's UserInfo", () => {
    const p = teamLabel(
      when`request.userInfo.username startsWith "system:" or any g in request.userInfo.groups: g == "admins" or "x" in request.userInfo.extra.scopes`,
    );
    expect(p.rules).toHaveLength(1);
    const error = errorOf(() => teamLabel(when`request.userInfo.groups startsWith "a"`));
    expect(error.format()).toMatch(/request\.userInfo\.groups/);
  });

  it.each([
    ['request.object.metadata.name == "a"', /object/],
    ['request.user == "a"', /userInfo/],
    ['request.userInfo.name == "a"', /username/],
    ['request.oldObject.metadata.lables.team == "a"', /labels/],
    ["request.oldObject.spec.replica == 1", /replicas/],
  ])("refuses `%s`, suggesting the field", (condition, suggestion) => {
    const error = errorOf(() => teamLabel(when(Object.assign([condition], { raw: [condition] }))));
    expect(error.format()).toMatch(suggestion);
  });

  it("refuses `request` by itself", () => {
    expect(() => teamLabel(when`exists(request)`)).toThrow(/`request` is not a value by itself/);
  });

  it("types request.oldObject like object in a pod policy", () => {
    const p = policy("pods", {
      title: "t",
      severity: "low",
      category: "test",
      match: pod,
      rules: {
        r: {
          fail: when`request.oldObject.spec.hostNetwork == true`,
          message: "m",
        },
      },
    });
    expect(p.match.operations).toBeUndefined();
  });
});

describe("cases with a request", () => {
  it("carry operation, oldObject and userInfo into the IR, which validates", () => {
    const p = protectedNamespaces({
      cases: {
        fail: [
          {
            name: "delete prod",
            resource: namespace("prod", { protected: "true" }),
            operation: "DELETE",
            userInfo: { username: "alice", groups: ["dev"], extra: { scopes: ["a"] } },
          },
          fromYaml("__fixtures__/request-namespaces.yaml", { operation: "DELETE" }),
        ],
        pass: [{ name: "delete dev", resource: namespace("dev"), operation: "DELETE" }],
      },
    });
    expect(p.cases.map((c) => [c.name, c.operation])).toEqual([
      ["delete dev", "DELETE"],
      ["delete prod", "DELETE"],
      ["Namespace/prod", "DELETE"],
      ["Namespace/staging", "DELETE"],
    ]);
    expect(p.cases[1]?.userInfo).toEqual({
      username: "alice",
      groups: ["dev"],
      extra: { scopes: ["a"] },
    });
    expect(() => validatePolicySet({ irVersion: 1, policies: [p] })).not.toThrow();
  });

  it.each([
    [{ operation: "DELETE" }, undefined],
    [{}, /judged as a CREATE \(no operation given\), which this policy does not judge/],
    [
      { operation: "UPDATE", oldObject: namespace("prod") },
      /is a UPDATE, which this policy does not judge/,
    ],
    [{ operation: "UPDATE" }, /an UPDATE without an oldObject/],
    [{ operation: "DELETE", oldObject: namespace("prod") }, /oldObject belongs to an UPDATE/],
    [{ operation: "CONNECT" }, /CONNECT, which no policy judges/],
    [{ operation: "DELETE", userInfo: { username: 1 } }, /userInfo\.username must be a string/],
    [{ operation: "DELETE", userInfo: { groups: "dev" } }, /userInfo\.groups must be a list/],
    [{ operation: "DELETE", userInfo: { extra: { a: "b" } } }, /userInfo\.extra must map/],
    [{ operation: "DELETE", userInfo: { user: "x" } }, /userInfo has an unknown key `user`/],
  ])("checks a case with %j", (fields, message) => {
    const run = () =>
      protectedNamespaces({
        cases: { pass: [{ name: "c", resource: namespace("prod"), ...fields } as never] },
      });
    if (message === undefined) expect(run).not.toThrow();
    else expect(errorOf(run).message).toMatch(message);
  });

  it("checks fromYaml's request options where fromYaml is called", () => {
    expect(() => fromYaml("__fixtures__/request-namespaces.yaml", { operation: "UPDATE" })).toThrow(
      /fromYaml\(\) is an UPDATE without an oldObject/,
    );
  });
});
