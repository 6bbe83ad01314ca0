import type { Json, Policy } from "@charter/ir";
import { handWrittenCel } from "@charter/test-support/hand-written-cel";
import { describe, expect, it } from "vitest";
import policies from "../../../../policies/index.js";
import type { Resource } from "../types.js";
import { runInProcessBatch } from "./batch.js";
import { createInProcessCelEngine, type EmitCelPolicy } from "./engine.js";
import { celToJson, evaluateCel } from "./evaluator.js";

const privileged = policies.find((p) => p.name === "disallow-privileged-containers") as Policy;

const pod = (containers: Json[]): Resource => ({
  object: {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "shop" },
    spec: { containers },
  },
});

describe("createInProcessCelEngine", () => {
  const engine = createInProcessCelEngine([privileged], {
    name: "kyverno-cel",
    emit: handWrittenCel,
  });

  it("builds findings like the other engines: pass, fail with the message, skip, no row", async () => {
    const findings = await engine.evaluate([
      pod([{ name: "ok" }]),
      pod([{ name: "ok" }, { name: "root", securityContext: { privileged: true } }]),
      { object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: {} } },
      { object: { apiVersion: "v1", kind: "Service", metadata: { name: "s" } } },
    ]);
    expect(engine.name).toBe("kyverno-cel");
    expect(findings.map((f) => [f.resourceIndex, f.result, f.message])).toEqual([
      [0, "pass", ""],
      [
        1,
        "fail",
        "container root sets securityContext.privileged: true; remove it or set it to false",
      ],
      [2, "skip", 'Deployment "d" has no pod template at spec.template; nothing to judge'],
    ]);
    expect(findings[1]).toMatchObject({
      policy: "disallow-privileged-containers",
      rule: "privileged",
      severity: privileged.severity,
      enforcement: privileged.enforcement,
      resource: { apiVersion: "v1", kind: "Pod", namespace: "shop", name: "web" },
    });
  });

  const emitting =
    (expression: string, messageExpression: string, matchCondition = "true"): EmitCelPolicy =>
    () => ({
      variables: [],
      matchConditions: [{ name: "m", expression: matchCondition }],
      validations: [{ rule: "privileged", expression, messageExpression, message: "static" }],
    });

  it("reports a CEL error as an error row with the text", async () => {
    const broken = createInProcessCelEngine([privileged], {
      name: "vap-cel",
      emit: emitting("object.spec.missing == 1", "'m'"),
    });
    const [finding] = await broken.evaluate([pod([])]);
    expect(finding?.result).toBe("error");
    expect(finding?.message).toBe(
      "expression 'object.spec.missing == 1' resulted in error: no such key: missing",
    );
  });

  it("falls back to the static message as the API server does", async () => {
    const cases: [string, string][] = [
      ["'  trimmed\\t'", "trimmed"],
      ["'two\\nlines'", "static"],
      ["object.spec.missing", "static"],
      ["'x'.repeat(1)", "static"],
    ];
    for (const [messageExpression, expected] of cases) {
      const e = createInProcessCelEngine([privileged], {
        name: "vap-cel",
        emit: emitting("false", messageExpression),
      });
      expect((await e.evaluate([pod([])]))[0]?.message, messageExpression).toBe(expected);
    }
  });

  it("fails loudly when a matchCondition excludes what the matcher judges", async () => {
    const e = createInProcessCelEngine([privileged], {
      name: "vap-cel",
      emit: emitting("true", "''", "false"),
    });
    await expect(e.evaluate([pod([])])).rejects.toThrow(/matchCondition "m" gave false/);
  });

  it("refuses CEL it cannot parse when the engine is created", () => {
    expect(() =>
      createInProcessCelEngine([privileged], { name: "vap-cel", emit: emitting("(", "''") }),
    ).toThrow(/cannot parse CEL expression/);
  });
});

describe("the evaluator's Kubernetes semantics (the judge tests prove them; these run without it)", () => {
  const value = (expression: string, object: unknown = {}) => {
    const outcome = evaluateCel(expression, { object: object as never });
    return outcome.ok ? celToJson(outcome.value) : `error: ${outcome.error}`;
  };

  it("types JSON integers as int and the rest as double", () => {
    expect(value("type(object.a) == int", { a: 2 })).toBe(true);
    expect(value("type(object.a) == double", { a: 2.5 })).toBe(true);
    expect(value("type(object.a) == double", { a: 1e21 })).toBe(true);
    expect(value("object.a == 2.0", { a: 2 })).toBe(true);
    expect(value("string(object.a)", { a: 1234567.5 })).toBe("1.2345675e+06");
  });

  it("orders strings by code point and counts code points", () => {
    expect(value("object.a < object.b", { a: "\uffff", b: "😀" })).toBe(true);
    expect(value("size(object.a)", { a: "a😀" })).toBe(2);
    expect(value("object.a.indexOf('b')", { a: "😀b" })).toBe(1);
  });

  it("counts a null field as present and a missing one as an error", () => {
    expect(value("has(object.a)", { a: null })).toBe(true);
    expect(value("'a' in object", { a: null })).toBe(true);
    expect(value("object.b == 1", { a: null })).toMatch(/^error: field not found: b/);
  });

  it("evaluates each variable lazily and at most once per request", () => {
    const results = runInProcessBatch({
      variables: [
        { name: "boom", expression: "object.missing" },
        { name: "n", expression: "object.n + 1" },
        { name: "twice", expression: "variables.n * 2" },
      ],
      expressions: [{ id: "e", expression: "variables.twice == 8 && variables.n == 4" }],
      cases: [{ id: "c", object: { n: 3 } }],
    });
    expect(results).toEqual([{ case: "c", expression: "e", value: true }]);
  });
});
