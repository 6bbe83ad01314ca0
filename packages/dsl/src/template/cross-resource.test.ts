import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CharterError, type Expr } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { Positions } from "../positions.js";
import { when } from "../when.js";
import { TemplateLowering } from "./cst-to-ir.js";
import { parseParts } from "./parse-template.js";

const ns = (...path: (string | number)[]): Expr => ({
  kind: "ref",
  root: { kind: "namespace" },
  path,
});
const obj = (...path: (string | number)[]): Expr => ({
  kind: "ref",
  root: { kind: "object" },
  path,
});
const v = (name: string, ...path: (string | number)[]): Expr => ({
  kind: "ref",
  root: { kind: "var", name },
  path,
});
const L = (value: unknown): Expr => ({ kind: "literal", value }) as Expr;
const eq = (left: Expr, right: Expr): Expr => ({ kind: "compare", op: "==", left, right });
const NETPOL = {
  kind: "inventory",
  apiVersion: "networking.k8s.io/v1",
  resource: "NetworkPolicy",
  namespace: obj("metadata", "namespace"),
} as const;

/** Parses a plain string as a condition (positions relative to it: line 1, column 1). */
function parse(text: string, rule: "condition" | "hole" = "condition"): Expr {
  return new TemplateLowering(parseParts([text], rule), []).lower({
    scope: [],
    positions: new Positions(),
  });
}

function errorOf(run: () => unknown): CharterError {
  try {
    run();
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
  throw new Error("expected a CharterError");
}

const self = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
const lineOf = (marker: string): number => self.findIndex((line) => line.includes(marker)) + 1;

describe("namespaceObject", () => {
  it("is the namespace root, with paths, [...] and ??", () => {
    expect(
      parse('namespaceObject.metadata.labels["pod-security.kubernetes.io/enforce"] == "x"'),
    ).toEqual(eq(ns("metadata", "labels", "pod-security.kubernetes.io/enforce"), L("x")));
    expect(parse("namespaceObject.metadata.labels[object.metadata.name] ?? 'none'")).toEqual({
      kind: "default",
      value: { kind: "index", value: ns("metadata", "labels"), key: obj("metadata", "name") },
      fallback: L("none"),
    });
    expect(parse("exists(namespaceObject)")).toEqual({ kind: "exists", arg: ns() });
  });

  it("works in a message hole", () => {
    expect(parse("namespaceObject.metadata.name", "hole")).toEqual(ns("metadata", "name"));
  });

  it("is still a plain field name after a dot", () => {
    expect(parse("object.namespaceObject == 1")).toEqual(eq(obj("namespaceObject"), L(1)));
  });

  it("cannot name a quantifier variable", () => {
    const error = errorOf(() => parse("any namespaceObject in object.a: true"));
    expect(error.message).toContain("root name");
  });

  it("a misspelt root suggests it", () => {
    const error = errorOf(() => parse("namespaceObjet.metadata.name == 'x'"));
    expect(error.message).toContain("did you mean `namespaceObject`");
  });
});

describe("inventory(…)", () => {
  it("lowers a namespaced kind with its namespace", () => {
    expect(
      parse(
        'any p in inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace): len(p.spec.podSelector) == 0',
      ),
    ).toEqual({
      kind: "quantifier",
      quantifier: "any",
      variable: "p",
      collection: NETPOL,
      body: eq({ kind: "len", arg: v("p", "spec", "podSelector") }, L(0)),
    });
  });

  it("lowers a cluster-scoped kind without a namespace key", () => {
    const lowered = parse("len(inventory('v1', 'Namespace')) > 0");
    expect(lowered).toEqual({
      kind: "compare",
      op: ">",
      left: { kind: "len", arg: { kind: "inventory", apiVersion: "v1", resource: "Namespace" } },
      right: L(0),
    });
    const inventory = (lowered as { left: { arg: object } }).left.arg;
    expect(Object.keys(inventory)).not.toContain("namespace");
  });

  it("takes any expression as the namespace, and works with all/none and `in`", () => {
    expect(
      parse('none x in inventory("v1", "ConfigMap", params.ns ?? "default"): true'),
    ).toMatchObject({
      quantifier: "none",
      collection: {
        kind: "inventory",
        apiVersion: "v1",
        resource: "ConfigMap",
        namespace: { kind: "default", value: { kind: "ref", root: { kind: "params" } } },
      },
    });
    expect(parse('all x in inventory("v1", "Namespace"): exists(x.metadata)')).toMatchObject({
      quantifier: "all",
    });
    expect(parse('object.x in inventory("v1", "Namespace")')).toMatchObject({ kind: "in" });
  });

  it("takes interpolated string literals for apiVersion and kind", () => {
    const apiVersion = "security.istio.io/v1";
    const kind = "PeerAuthentication";
    expect(
      when`any pa in inventory(${apiVersion}, ${kind}, object.metadata.namespace): pa.spec.mtls.mode == "STRICT"`.toIR(),
    ).toMatchObject({
      collection: {
        kind: "inventory",
        apiVersion: "security.istio.io/v1",
        resource: "PeerAuthentication",
        namespace: obj("metadata", "namespace"),
      },
    });
  });

  it("keeps `inventory` a field name after a dot and `in` still works beside it", () => {
    expect(parse("object.inventory == 1")).toEqual(eq(obj("inventory"), L(1)));
    expect(parse("object.inventoryX in object.y")).toMatchObject({ kind: "in" });
  });

  it.each([
    {
      note: "a path as the apiVersion",
      text: 'len(inventory(object.apiVersion, "Namespace")) > 0',
      message: "the apiVersion must be a string literal",
      column: 15,
    },
    {
      note: "a number as the kind",
      text: 'len(inventory("v1", 42)) > 0',
      message: "the kind must be a string literal",
      column: 21,
    },
    {
      note: "too few arguments",
      text: 'len(inventory("v1")) > 0',
      message: "takes 2 or 3 arguments",
      column: 5,
    },
    {
      note: "too many arguments",
      text: 'len(inventory("v1", "ConfigMap", "a", "b")) > 0',
      message: "takes 2 or 3 arguments",
      column: 5,
    },
    {
      note: "a malformed apiVersion",
      text: 'len(inventory("Networking/V1", "NetworkPolicy")) > 0',
      message: '"Networking/V1" is not an apiVersion',
      column: 15,
    },
    {
      note: "a plural resource name as the kind",
      text: 'len(inventory("networking.k8s.io/v1", "networkpolicies", object.metadata.namespace)) > 0',
      message: '"networkpolicies" is not a kind',
      column: 39,
    },
  ])("rejects $note with its column", ({ text, message, column }) => {
    const error = errorOf(() => parse(text));
    expect(error.message).toContain(message);
    expect(error.location).toMatchObject({ line: 1, column });
    expect(error.hint).toBeTruthy();
  });

  it("suggests splitting an apiVersion/Kind written as one argument", () => {
    const error = errorOf(() =>
      parse('len(inventory("networking.k8s.io/v1/NetworkPolicy", "x")) > 0'),
    );
    expect(error.hint).toContain('inventory("networking.k8s.io/v1", "NetworkPolicy", …)');
  });

  it("rejects an empty argument list as a syntax error at the `)`", () => {
    const error = errorOf(() => parse("len(inventory()) > 0"));
    expect(error.message).toContain("but found ')'");
    expect(error.location).toMatchObject({ line: 1, column: 15 });
  });

  it("rejects an interpolated non-string as the kind, at the interpolation", () => {
    const cond = when`len(inventory("v1", ${7})) > 0`; // MARK-INVENTORY-HOLE
    const error = errorOf(() => cond.toIR());
    const line = lineOf("MARK-INVENTORY-HOLE");
    expect(error.message).toContain("the kind must be a string literal");
    expect(error.location).toMatchObject({
      line,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of the interpolation
      column: (self[line - 1] as string).indexOf("${7}") + 1,
    });
  });
});
