import { describe, expect, it } from "vitest";
import type { Expr } from "./expr.js";
import { and, inventory, list, literal, not, or, quantifier, ref } from "./nodes.js";

const a = ref({ kind: "object" }, ["a"]);
const b = ref({ kind: "object" }, ["b"]);
const c = ref({ kind: "object" }, ["c"]);
const body = literal(true);

describe("node factories", () => {
  it.each<{ note: string; made: Expr; want: Expr }>([
    {
      note: "and flattens nested ands",
      made: and([and([a, b]), c]),
      want: { kind: "and", args: [a, b, c] },
    },
    {
      note: "or flattens nested ors",
      made: or([a, or([b, c])]),
      want: { kind: "or", args: [a, b, c] },
    },
    {
      note: "and does not flatten an or",
      made: and([or([a, b]), c]),
      want: { kind: "and", args: [{ kind: "or", args: [a, b] }, c] },
    },
    { note: "one argument is the argument", made: and([a]), want: a },
    {
      note: "not any is none",
      made: not(quantifier("any", "x", a, body)),
      want: quantifier("none", "x", a, body),
    },
    {
      note: "not none is any",
      made: not(quantifier("none", "x", a, body)),
      want: quantifier("any", "x", a, body),
    },
    {
      note: "not all stays a not",
      made: not(quantifier("all", "x", a, body)),
      want: { kind: "not", arg: quantifier("all", "x", a, body) },
    },
    {
      note: "a list of literals is one literal",
      made: list([literal(1), literal("x")]),
      want: literal([1, "x"]),
    },
    {
      note: "a null item keeps the list node",
      made: list([literal(null)]),
      want: { kind: "list", items: [literal(null)] },
    },
    {
      note: "a ref item keeps the list node",
      made: list([a, literal(1)]),
      want: { kind: "list", items: [a, literal(1)] },
    },
    {
      note: "ref paths default to empty",
      made: ref({ kind: "pod" }),
      want: { kind: "ref", root: { kind: "pod" }, path: [] },
    },
  ])("$note", ({ made, want }) => {
    expect(made).toEqual(want);
  });

  it("inventory has no namespace key for a cluster-scoped kind", () => {
    expect(Object.keys(inventory("v1", "Namespace"))).toEqual(["kind", "apiVersion", "resource"]);
    expect(inventory("v1", "ConfigMap", a)).toEqual({
      kind: "inventory",
      apiVersion: "v1",
      resource: "ConfigMap",
      namespace: a,
    });
  });
});
