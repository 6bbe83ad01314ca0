import {
  type Expr,
  type JsonObject,
  type Match,
  type Policy,
  type Ref,
  type Root,
  type Segment,
  walkExpr,
} from "@charter/ir";
import { describe, expect, it } from "vitest";
import { Positions } from "../positions.js";
import { checkPolicyTypes } from "./index.js";

// Hand-built IR, as the parser and the builder would lower it.
const ref = (root: Root, ...path: Segment[]): Ref => ({ kind: "ref", root, path });
const pod = (...path: Segment[]) => ref({ kind: "pod" }, ...path);
const object = (...path: Segment[]) => ref({ kind: "object" }, ...path);
const containers = (...path: Segment[]) => ref({ kind: "containers" }, ...path);
const params = (...path: Segment[]) => ref({ kind: "params" }, ...path);
const v = (name: string, ...path: Segment[]) => ref({ kind: "var", name }, ...path);
const lit = (value: JsonObject[string]): Expr => ({ kind: "literal", value });
const eq = (left: Expr, right: Expr): Expr => ({ kind: "compare", op: "==", left, right });
const any = (variable: string, collection: Expr, body: Expr): Expr => ({
  kind: "quantifier",
  quantifier: "any",
  variable,
  collection,
  body,
});

const POD: Match = { subject: "pod", controllers: true };

function policyWith(
  condition: Expr,
  options: {
    match?: Match;
    schema?: JsonObject;
    message?: Policy["rules"][number]["message"];
  } = {},
): Policy {
  return {
    name: "p",
    title: "P",
    description: "",
    severity: "high",
    category: "test",
    controls: [],
    enforcement: "deny",
    match: options.match ?? POD,
    parameters: { schema: options.schema ?? { type: "object", properties: {} }, values: {} },
    rules: [
      {
        name: "r",
        condition,
        message: options.message ?? { template: "bad", parts: [{ kind: "text", text: "bad" }] },
      },
    ],
    cases: [],
    source: { file: "/policies/p.ts", line: 3, column: 1 },
  };
}

/** Checks the policy; unless given positions, every node is placed at line 10. */
function check(condition: Expr, options?: Parameters<typeof policyWith>[1], given?: Positions) {
  const policy = policyWith(condition, options);
  const positions = given ?? new Positions();
  if (!given) {
    for (const rule of policy.rules) {
      const place = (node: Expr) => positions.set(node, { file: "/policies/p.ts", line: 10 });
      walkExpr(rule.condition, place);
      for (const part of rule.message.parts) if (part.kind === "hole") walkExpr(part.expr, place);
    }
  }
  return checkPolicyTypes(policy, positions).map((error) => ({
    message: error.message,
    hint: error.hint,
    location: error.location,
  }));
}

describe("checkPolicyTypes", () => {
  it("accepts a well-typed PSA-style rule", () => {
    const condition = any(
      "c",
      containers(),
      eq(v("c", "securityContext", "privileged"), lit(true)),
    );
    expect(check(condition)).toEqual([]);
  });

  it("reports an unknown field with a suggestion, at the node's position", () => {
    const bad = v("c", "securityContex", "privileged");
    const positions = new Positions();
    positions.set(bad, { file: "/policies/p.ts", line: 7, column: 30 });
    const errors = check(any("c", containers(), eq(bad, lit(true))), {}, positions);
    expect(errors).toEqual([
      {
        message: "unknown field `securityContex` on Container",
        hint: "did you mean `securityContext`?",
        location: { file: "/policies/p.ts", line: 7, column: 30 },
      },
    ]);
  });

  it("names the rule of each error (policy() puts it in front)", () => {
    const condition = eq(pod("spec", "hostNetwrk"), lit(true));
    const [error] = checkPolicyTypes(policyWith(condition), new Positions());
    expect(error?.rule).toBe("r");
  });

  it("falls back to the policy's source when a node has no position", () => {
    const [error] = check(eq(pod("spec", "hostNetwrk"), lit(true)), {}, new Positions());
    expect(error).toEqual({
      message: "unknown field `hostNetwrk` on PodSpec",
      hint: "did you mean `hostNetwork`?",
      location: { file: "/policies/p.ts", line: 3, column: 1 },
    });
  });

  it("does not suggest a name that is far off", () => {
    const [error] = check(eq(pod("spec", "banana"), lit(true)));
    expect(error?.message).toContain("unknown field `banana` on PodSpec");
    expect(error?.hint).toBeUndefined();
  });

  it("reports comparing a boolean with a string", () => {
    const condition = any(
      "c",
      containers(),
      eq(v("c", "securityContext", "privileged"), lit("true")),
    );
    expect(check(condition)).toMatchObject([
      {
        message: '`privileged` is a boolean; comparing it with the string "true" is always false',
        hint: "did you mean `true` without quotes?",
      },
    ]);
  });

  it("reports a string field compared with a number and a number field with a string", () => {
    expect(check(eq(pod("spec", "serviceAccountName"), lit(1)))[0]?.message).toBe(
      "`serviceAccountName` is a string; comparing it with the number 1 is always false",
    );
    const runAsUser = pod("spec", "securityContext", "runAsUser");
    expect(check(eq(runAsUser, lit("0")))[0]?.message).toBe(
      '`runAsUser` is an integer; comparing it with the string "0" is always false',
    );
  });

  it("lets int-or-string fields compare with numbers and strings", () => {
    const numeric = any(
      "c",
      containers(),
      eq(v("c", "livenessProbe", "httpGet", "port"), lit(8080)),
    );
    const named = any(
      "c",
      containers(),
      eq(v("c", "livenessProbe", "httpGet", "port"), lit("http")),
    );
    expect(check(numeric)).toEqual([]);
    expect(check(named)).toEqual([]);
  });

  it("reports ordering booleans, string tests on numbers, len of numbers", () => {
    const lt: Expr = { kind: "compare", op: "<", left: pod("spec", "hostPID"), right: lit(true) };
    expect(check(lt)[0]?.message).toBe(
      "`<` orders numbers or strings, but `hostPID` is a boolean, so this is always false",
    );
    const starts: Expr = {
      kind: "string",
      op: "startsWith",
      left: pod("spec", "securityContext", "runAsUser"),
      right: lit("1"),
    };
    expect(check(starts)[0]?.message).toBe(
      "`startsWith` works on strings, but `runAsUser` is an integer, so this is always false",
    );
    const length: Expr = {
      kind: "compare",
      op: ">",
      left: { kind: "len", arg: pod("spec", "hostPID") },
      right: lit(0),
    };
    expect(check(length)[0]?.message).toBe(
      "`len` counts a string's characters, a list's elements or an object's keys, but `hostPID` is a boolean",
    );
  });

  it("types keys(map) as a list of strings and reports keys of a non-object", () => {
    const annotations: Expr = { kind: "keys", arg: pod("metadata", "annotations") };
    const k: Expr = { kind: "ref", root: { kind: "var", name: "k" }, path: [] };
    const prefix: Expr = { kind: "string", op: "startsWith", left: k, right: lit("a/") };
    expect(check(any("k", annotations, prefix))).toEqual([]);
    // Its elements are strings, so ordering them against a number is reported.
    const ordered: Expr = { kind: "compare", op: "<", left: k, right: lit(1) };
    expect(check(any("k", annotations, ordered))[0]?.message).toContain("`k` is a string");
    const ofBoolean: Expr = { kind: "keys", arg: pod("spec", "hostPID") };
    expect(check(any("k", ofBoolean, prefix))[0]?.message).toBe(
      "`keys` lists an object's keys, but `hostPID` is a boolean, so it is always missing",
    );
  });

  it("types map[k] as the map's values and reports a lookup in a non-object or by a non-string", () => {
    const annotations = pod("metadata", "annotations");
    const k: Expr = { kind: "ref", root: { kind: "var", name: "k" }, path: [] };
    const entry: Expr = { kind: "index", value: annotations, key: k };
    const keysOf: Expr = { kind: "keys", arg: annotations };
    expect(check(any("k", keysOf, eq(entry, lit("x"))))).toEqual([]);
    // The values of annotations are strings, so ordering one against a number is reported.
    const ordered: Expr = { kind: "compare", op: "<", left: entry, right: lit(1) };
    expect(check(any("k", keysOf, ordered))[0]?.message).toContain("is a string");
    const inBoolean: Expr = { kind: "index", value: pod("spec", "hostPID"), key: k };
    expect(check(any("k", keysOf, eq(inBoolean, lit("x"))))[0]?.message).toBe(
      "`[…]` reads an object's entry, but `hostPID` is a boolean, so it is always missing",
    );
    const byNumber: Expr = { kind: "index", value: annotations, key: lit(1) };
    expect(check(eq(byNumber, lit("x")))[0]?.message).toBe(
      "an object's keys are strings, but the number 1 is an integer, so `[…]` is always missing",
    );
  });

  it("reports a quantifier over a non-list, an index into an object, a key on a scalar", () => {
    expect(check(any("x", pod("spec", "securityContext"), lit(true)))[0]?.message).toBe(
      "`any` ranges over a list, but `securityContext` is a PodSecurityContext, so it is always false",
    );
    expect(check(eq(pod("metadata", 0), lit("x")))[0]?.message).toBe(
      "`pod.metadata` is an ObjectMeta, not a list, so it has no element [0]",
    );
    expect(check(eq(pod("spec", "hostPID", "x"), lit("x")))[0]?.message).toBe(
      "`pod.spec.hostPID` is a boolean, so it has no field `x`",
    );
    expect(check(eq(pod("spec", "containers", "image"), lit("x")))[0]?.message).toContain(
      "`pod.spec.containers` is a list, so it has no field `image`",
    );
  });

  it("accepts maps and anything below an `any` field", () => {
    expect(check(eq(pod("metadata", "labels", "app.kubernetes.io/name"), lit("x")))).toEqual([]);
    const managed = pod("metadata", "managedFields", 0, "fieldsV1", "f:spec", "whatever", 3);
    expect(check(eq(managed, lit(true)))).toEqual([]);
  });

  it("types params from the parameter schema", () => {
    const schema = {
      type: "object",
      properties: {
        allowed: { type: "array", items: { type: "string" } },
        limit: { type: "integer" },
      },
    };
    const ok = any(
      "c",
      containers(),
      any("r", params("allowed"), {
        kind: "string",
        op: "startsWith",
        left: v("c", "image"),
        right: v("r"),
      }),
    );
    expect(check(ok, { schema })).toEqual([]);
    expect(check(eq(params("alowed"), lit("x")), { schema })).toMatchObject([
      { message: "unknown field `alowed` on params", hint: "did you mean `allowed`?" },
    ]);
    expect(check(eq(params("limit"), lit("3")), { schema })[0]?.message).toBe(
      '`limit` is an integer; comparing it with the string "3" is always false',
    );
    const badElement: Expr = {
      kind: "string",
      op: "contains",
      left: v("r"),
      right: lit("x"),
    };
    expect(check(any("r", params("limit"), badElement), { schema })[0]?.message).toContain(
      "`any` ranges over a list, but `limit` is an integer",
    );
  });

  it("types variables through nested quantifiers, with shadowing", () => {
    // The inner `c` (a ContainerPort) shadows the outer one (a Container).
    const shadowing = (field: string) =>
      any("c", containers(), any("c", v("c", "ports"), eq(v("c", field), lit("x"))));
    expect(check(shadowing("hostIP"))).toEqual([]);
    expect(check(shadowing("image"))).toMatchObject([
      { message: "unknown field `image` on ContainerPort" },
    ]);
    const overString = any(
      "c",
      containers(),
      any("p", v("c", "ports"), any("x", v("p", "hostIP"), lit(true))),
    );
    expect(check(overString)[0]?.message).toBe(
      "`any` ranges over a list, but `hostIP` is a string, so it is always false",
    );
    const nested = any(
      "c",
      containers(),
      any("cap", v("c", "securityContext", "capabilities", "add"), eq(v("cap", "name"), lit("x"))),
    );
    expect(check(nested)[0]?.message).toBe("`cap` is a string, so it has no field `name`");
    const port = any("c", containers(), any("p", v("c", "ports"), eq(v("p", "hostPort"), lit(0))));
    expect(check(port)).toEqual([]);
    expect(check(eq(v("x"), lit(1)))[0]?.message).toContain("unknown variable `x`");
  });

  it("types `object` of a pod policy as a Pod or any pod controller", () => {
    expect(check(eq(object("spec", "template", "spec", "hostPID"), lit(true)))).toEqual([]);
    expect(
      check(eq(object("spec", "jobTemplate", "spec", "template", "spec", "hostPID"), lit(true))),
    ).toEqual([]);
    expect(check(eq(object("spec", "hostPID"), lit(true)))).toEqual([]);
    const [error] = check(eq(object("spec", "tempalte"), lit(true)));
    expect(error?.message).toMatch(/^unknown field `tempalte` on .*PodSpec.*DeploymentSpec/);
    expect(error?.hint).toBe("did you mean `template`?");
    // Without controllers, `object` is a Pod only.
    const podOnly: Match = { subject: "pod", controllers: false };
    expect(check(eq(object("spec", "template"), lit(true)), { match: podOnly })[0]?.message).toBe(
      "unknown field `template` on PodSpec",
    );
  });

  it("types `object` as the union of matched kinds; unknown kinds are permissive", () => {
    const match: Match = { subject: "kinds", kinds: [{ group: "", kind: "Service" }] };
    expect(check(eq(object("spec", "type"), lit("NodePort")), { match })).toEqual([]);
    expect(check(eq(object("spec", "typ"), lit("NodePort")), { match })[0]?.hint).toBe(
      "did you mean `type`?",
    );
    expect(check(eq(pod("spec"), lit(1)), { match })[0]?.message).toBe(
      "`pod` is only available in a policy that matches pods",
    );
    const custom: Match = { subject: "kinds", kinds: [{ group: "example.com", kind: "Widget" }] };
    expect(check(eq(object("spec", "anything", 0), lit(1)), { match: custom })).toEqual([]);
  });

  it("allows an ephemeral container's fields on `containers`", () => {
    const condition = any("c", containers(), eq(v("c", "targetContainerName"), lit("app")));
    expect(check(condition)).toEqual([]);
  });

  it("checks message holes against the witness bindings", () => {
    const condition = any("c", containers(), eq(v("c", "image"), lit("x")));
    const message = (expr: Expr) => ({
      template: "{{…}}",
      parts: [{ kind: "hole" as const, expr, source: "…" }],
    });
    expect(check(condition, { message: message(v("c", "name")) })).toEqual([]);
    expect(check(condition, { message: message(v("c", "nmae")) })[0]).toMatchObject({
      message: "unknown field `nmae` on Container",
      hint: "did you mean `name`?",
    });
    expect(check(condition, { message: message(v("d", "name")) })[0]?.message).toContain(
      "unknown variable `d`",
    );
  });

  it("reports comparing with null", () => {
    expect(check(eq(pod("spec", "hostPID"), lit(null)))[0]?.message).toBe(
      "comparing with null is always false: a null value counts as missing",
    );
  });
});
