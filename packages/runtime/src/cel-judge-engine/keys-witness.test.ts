/**
 * The first witness of `any k in keys(m)` is the smallest matching key by code point on every
 * engine. CEL iterates a map in the map's order (random on the API server, insertion order in
 * JS), so the CEL emitter picks the minimum; Rego sorts; the IR engine sorts. Many keys, put
 * in descending order, make a CEL emitter that took the first key in map order fail here.
 */
import type { Expr, Policy } from "@charter/ir";
import {
  and,
  cmp,
  data,
  hole,
  kindsMatch,
  lit,
  not,
  policy,
  q,
  rule,
  str,
  text,
  v,
} from "@charter/test-support/build-ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { opaForTests } from "@charter/test-support/opa-for-tests";
import { describe, expect, it } from "vitest";
import { createInProcessCelEngine } from "../cel-in-process/engine.js";
import { createGatekeeperEngine } from "../gatekeeper/engine.js";
import { createIrEngine } from "../ir-engine/engine.js";
import { createOpaEngine } from "../opa/engine.js";
import type { Engine } from "../types.js";
import { createCelJudgeEngine } from "./engine.js";

const keys = (arg: Expr): Expr => ({ kind: "keys", arg });

// `any k in keys(data.m): k startsWith "x" and not k == "x0"` and an inner binding over the
// keys of each value, so the chain has two keys() bindings.
const witness = policy(
  "keys-witness",
  [
    rule(
      "first",
      q(
        "any",
        "k",
        keys(data("m")),
        and(str(v("k"), "startsWith", lit("x")), not(cmp(v("k"), "==", lit("x0")))),
      ),
      [text("key "), hole(v("k"))],
    ),
    rule(
      "nested",
      q("any", "k", keys(data("m")), q("any", "j", keys(data("inner")), cmp(v("j"), ">", v("k")))),
      [hole(v("k")), text(" < "), hole(v("j"))],
    ),
  ],
  { match: kindsMatch([{ group: "test.charter.dev", kind: "Keyed" }]) },
);

const descending = Object.fromEntries(
  ["x😀", "x\uffff", "xé", "x9", "x8", "x7", "x6", "x5", "x4", "x3", "x2", "x1", "x0", "a"].map(
    (key, i) => [key, i],
  ),
);
const resource = {
  object: {
    apiVersion: "test.charter.dev/v1",
    kind: "Keyed",
    metadata: { name: "k" },
    data: { m: descending, inner: { "x😀": 1, "x\uffff": 2, zz: 3 } },
  },
};

// IR: keys sorted a, x0, x1, …, x9, xé, x\uffff, x😀. "first": x1. "nested": k = a, the
// smallest key with a larger inner key; j = x\uffff, the smallest inner key above "a".
const EXPECTED = [
  ["first", "fail", "key x1"],
  ["nested", "fail", "a < x\uffff"],
];

async function messages(engine: Engine): Promise<string[][]> {
  const findings = await engine.evaluate([resource]);
  return findings.map((f) => [f.rule, f.result, f.message]);
}

describe("the first witness over keys()", () => {
  const policies: Policy[] = [witness];
  const opa = opaForTests();
  const judge = celJudgeForTests();

  it("is the smallest key by code point on the IR engine", async () => {
    expect(await messages(createIrEngine(policies))).toEqual(EXPECTED);
  });

  it("agrees on in-process CEL (insertion order would give x9)", async () => {
    expect(await messages(createInProcessCelEngine(policies, { name: "vap-cel" }))).toEqual(
      EXPECTED,
    );
  });

  it.skipIf(!opa)("agrees on real OPA and Gatekeeper", async () => {
    expect(await messages(createOpaEngine(policies, { opaPath: opa as string }))).toEqual(EXPECTED);
    expect(await messages(createGatekeeperEngine(policies, { opaPath: opa as string }))).toEqual(
      EXPECTED,
    );
  });

  it.skipIf(!judge)("agrees on the Kubernetes CEL judge, whose maps have no order", async () => {
    const engine = createCelJudgeEngine(policies, { judgePath: judge as string });
    // Go randomises map iteration: ask several times so a map-order witness would show.
    for (let i = 0; i < 5; i++) expect(await messages(engine)).toEqual(EXPECTED);
  });
});
