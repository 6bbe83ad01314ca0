/** The CEL judge engine's rows: skip, namespace filters, messages, and errors never hidden. */
import { emitCelPolicy } from "@charter/compiler";
import {
  containers,
  hole,
  lit,
  podMatch,
  policy,
  q,
  rule,
  str,
  text,
  v,
} from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { describe, expect, it } from "vitest";
import { createCelJudgeEngine } from "./engine.js";

const judge = celJudgeForTests();

const latest = policy(
  "no-latest",
  [
    rule("latest", q("any", "c", containers(), str(v("c", "image"), "endsWith", lit(":latest"))), [
      text("  container "),
      hole(v("c", "name")),
      text(" uses\n:latest  "),
    ]),
  ],
  { match: podMatch(true, { exclude: ["kube-system"] }) },
);

const pod = (namespace: string | undefined, images: string[]) => ({
  object: {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", ...(namespace ? { namespace } : {}) },
    spec: { containers: images.map((image, i) => ({ name: `c${i}\nx`, image })) },
  },
});

describe("emitCelPolicy", () => {
  it("refuses a variable used outside its quantifier, naming policy, rule and target", () => {
    const bad = policy("bad", [rule("r", str(v("c", "image"), "endsWith", lit("x")))], {
      match: podMatch(),
    });
    expect(() =>
      emitCelPolicy(bad, { params: "inline", object: "object", target: "kyverno" }),
    ).toThrow(
      /policy "bad", rule "r": variable `c` is used outside.*target "kyverno" cannot express it/,
    );
  });

  it("prefixes variables and reads parameters from an expression when asked", () => {
    const cel = emitCelPolicy(latest, {
      params: { expression: "params" },
      object: "object",
      variablePrefix: "x_",
    });
    expect(cel.variables.map((variable) => variable.name)).toEqual([
      "x_podTemplate",
      "x_pod",
      "x_containers",
    ]);
    expect(cel.validations[0]?.expression).toContain("variables.x_containers");
    expect(cel.matchConditions.map((c) => c.name)).toEqual([
      "charter-namespace-selected",
      "charter-has-pod-template",
    ]);
  });
});

describe.skipIf(!judge)("createCelJudgeEngine on the real judge", () => {
  it("fails with the first witness's finished message, skips templateless controllers, filters namespaces", async () => {
    const engine = createCelJudgeEngine([latest], { judgePath: judge as string, name: "vap-cel" });
    expect(engine.name).toBe("vap-cel");
    const findings = await engine.evaluate([
      pod("shop", ["nginx:1", "nginx:latest", "redis:latest"]),
      pod("kube-system", ["nginx:latest"]),
      pod(undefined, ["nginx:1"]),
      { object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: {} } },
      { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" } } },
      { object: [1, 2] as never },
    ]);
    expect(findings.map((f) => [f.resourceIndex, f.result, f.message])).toEqual([
      [0, "fail", "container c1 x uses :latest"],
      [2, "pass", ""],
      [3, "skip", 'Deployment "d" has no pod template at spec.template; nothing to judge'],
    ]);
  });

  it("reports what the API server would refuse to compile as error rows, with the reason", async () => {
    const badPattern = policy(
      "bad-pattern",
      [rule("r", q("any", "c", containers(), str(v("c", "image"), "matches", lit("("))))],
      { match: podMatch() },
    );
    const findings = await createCelJudgeEngine([badPattern, latest], {
      judgePath: judge as string,
    }).evaluate([pod("shop", ["nginx:latest"])]);
    expect(findings.map((f) => [f.policy, f.result])).toEqual([
      ["bad-pattern", "error"],
      ["no-latest", "fail"],
    ]);
    expect(findings[0]?.message).toMatch(/does not compile: .*invalid matches argument/);
  });
});
