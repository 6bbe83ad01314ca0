import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CharterError, type Expr } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { any, lit, pod } from "../builder.js";
import { Positions } from "../positions.js";
import { when } from "../when.js";
import { TemplateLowering } from "./cst-to-ir.js";
import { parseParts } from "./parse-template.js";

const c = (path: (string | number)[] = []): Expr => ({
  kind: "ref",
  root: { kind: "var", name: "c" },
  path,
});
const obj = (...path: (string | number)[]): Expr => ({
  kind: "ref",
  root: { kind: "object" },
  path,
});
const L = (value: unknown): Expr => ({ kind: "literal", value }) as Expr;
const eq = (left: Expr, right: Expr): Expr => ({ kind: "compare", op: "==", left, right });

/** Parses a plain string as a condition (positions relative to it: line 1, column 1). */
function parse(text: string): Expr {
  return new TemplateLowering(parseParts([text], "condition"), []).lower({
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
/** The 1-based line of this test file that holds `marker`. */
const lineOf = (marker: string): number => self.findIndex((line) => line.includes(marker)) + 1;

describe("literals", () => {
  it.each([
    { note: "double-quoted string", text: 'object.a == "x\\"y\\\\z\\n"', value: 'x"y\\z\n' },
    { note: "single-quoted string", text: "object.a == 'it\\'s'", value: "it's" },
    { note: "unicode escapes", text: 'object.a == "\\u00e9\\u{1F600}"', value: "é😀" },
    { note: "integer", text: "object.a == 42", value: 42 },
    { note: "negative decimal", text: "object.a == -1.5e3", value: -1500 },
    { note: "true", text: "object.a == true", value: true },
    { note: "false", text: "object.a == false", value: false },
    { note: "null", text: "object.a == null", value: null },
    {
      note: "list of literals is one literal",
      text: 'object.a == ["a", 1, [true]]',
      value: ["a", 1, [true]],
    },
    { note: "empty list", text: "object.a == []", value: [] },
  ])("$note", ({ text, value }) => {
    expect(parse(text)).toEqual(eq(obj("a"), L(value)));
  });

  it("a list with a path is a list expression", () => {
    expect(parse('object.a in ["x", object.b]')).toEqual({
      kind: "in",
      item: obj("a"),
      collection: { kind: "list", items: [L("x"), obj("b")] },
    });
  });

  it("a list holding null stays a list expression (a list expression drops missing items)", () => {
    expect(parse("object.a in [null, 1]")).toEqual({
      kind: "in",
      item: obj("a"),
      collection: { kind: "list", items: [L(null), L(1)] },
    });
  });
});

describe("paths and roots", () => {
  it.each([
    { note: "object root", text: "object.metadata.name", expr: obj("metadata", "name") },
    {
      note: "bracket key and index",
      text: 'object.metadata.labels["app.kubernetes.io/name"][0]',
      expr: obj("metadata", "labels", "app.kubernetes.io/name", 0),
    },
    {
      note: "keywords are field names after a dot",
      text: "object.spec.in.any.len",
      expr: obj("spec", "in", "any", "len"),
    },
    {
      note: "pod.spec",
      text: "pod.spec.hostNetwork",
      expr: { kind: "ref", root: { kind: "pod" }, path: ["spec", "hostNetwork"] },
    },
    {
      note: "pod.metadata",
      text: "pod.metadata.name",
      expr: { kind: "ref", root: { kind: "pod" }, path: ["metadata", "name"] },
    },
    {
      note: "pod.containers",
      text: "pod.containers",
      expr: { kind: "ref", root: { kind: "containers" }, path: [] },
    },
    {
      note: "pod.containers[0]",
      text: "pod.containers[0].image",
      expr: { kind: "ref", root: { kind: "containers" }, path: [0, "image"] },
    },
    {
      note: "params",
      text: "params.allowed",
      expr: { kind: "ref", root: { kind: "params" }, path: ["allowed"] },
    },
  ] as const)("$note", ({ text, expr }) => {
    expect(parse(text)).toEqual(expr);
  });

  it("a quantifier variable is a var root", () => {
    expect(parse("any c in pod.containers: c.securityContext.privileged")).toEqual({
      kind: "quantifier",
      quantifier: "any",
      variable: "c",
      collection: { kind: "ref", root: { kind: "containers" }, path: [] },
      body: c(["securityContext", "privileged"]),
    });
  });

  it("an unknown name is an error with a suggestion", () => {
    const error = errorOf(() => parse("any c in pod.containers: cc.image == 1"));
    expect(error.message).toBe("unknown name `cc`; did you mean `c`?");
    expect(error.location).toEqual({ file: undefined, line: 1, column: 26 });
  });

  it("pod has spec, metadata and containers only", () => {
    expect(errorOf(() => parse("pod.containrs")).message).toMatch(/did you mean `containers`/);
  });

  it("an unknown parameter is an error when the parameters are known", () => {
    const lowering = new TemplateLowering(parseParts(["params.alowed"], "condition"), []);
    const error = errorOf(() =>
      lowering.lower({ scope: [], positions: new Positions(), params: ["allowed"] }),
    );
    expect(error.message).toBe("unknown parameter `alowed`; did you mean `allowed`?");
  });
});

describe("operators", () => {
  it.each([
    ["==", "=="],
    ["!=", "!="],
    ["<", "<"],
    ["<=", "<="],
    [">", ">"],
    [">=", ">="],
  ] as const)("compare %s", (text, op) => {
    expect(parse(`object.a ${text} 1`)).toEqual({
      kind: "compare",
      op,
      left: obj("a"),
      right: L(1),
    });
  });

  it.each(["startsWith", "endsWith", "contains", "matches", "glob"] as const)(
    "string operator %s",
    (op) => {
      expect(parse(`object.a ${op} "x*"`)).toEqual({
        kind: "string",
        op,
        left: obj("a"),
        right: L("x*"),
      });
    },
  );

  it("in", () => {
    expect(parse('"a" in object.b')).toEqual({ kind: "in", item: L("a"), collection: obj("b") });
  });

  it("exists, len and ??", () => {
    expect(parse("exists(object.a) and len(object.b ?? []) > 2")).toEqual({
      kind: "and",
      args: [
        { kind: "exists", arg: obj("a") },
        {
          kind: "compare",
          op: ">",
          left: { kind: "len", arg: { kind: "default", value: obj("b"), fallback: L([]) } },
          right: L(2),
        },
      ],
    });
  });

  it("keys, and keys as a field name", () => {
    expect(parse('any k in keys(object.a ?? object.b): k startsWith "x/"')).toEqual({
      kind: "quantifier",
      quantifier: "any",
      variable: "k",
      collection: { kind: "keys", arg: { kind: "default", value: obj("a"), fallback: obj("b") } },
      body: {
        kind: "string",
        op: "startsWith",
        left: { kind: "ref", root: { kind: "var", name: "k" }, path: [] },
        right: L("x/"),
      },
    });
    expect(parse("object.keys.len == 1")).toEqual({
      kind: "compare",
      op: "==",
      left: obj("keys", "len"),
      right: L(1),
    });
  });

  it("x[k] with a computed key is a lookup; a literal key stays a path step", () => {
    const k = { kind: "ref", root: { kind: "var", name: "k" }, path: [] } as const;
    expect(parse('any k in keys(object.a): object.a[k].b == "x"')).toEqual({
      kind: "quantifier",
      quantifier: "any",
      variable: "k",
      collection: { kind: "keys", arg: obj("a") },
      body: {
        kind: "compare",
        op: "==",
        left: { kind: "index", value: { kind: "index", value: obj("a"), key: k }, key: L("b") },
        right: L("x"),
      },
    });
    expect(parse('object.a["k"][0] == 1')).toEqual(parse("object.a.k[0] == 1"));
    expect(parse('object.a[object.b ?? "c"]')).toEqual({
      kind: "index",
      value: obj("a"),
      key: { kind: "default", value: obj("b"), fallback: L("c") },
    });
  });

  it("?? folds to the left", () => {
    expect(parse("object.a ?? object.b ?? 1")).toEqual({
      kind: "default",
      value: { kind: "default", value: obj("a"), fallback: obj("b") },
      fallback: L(1),
    });
  });
});

describe("precedence", () => {
  const [a, b, d] = [obj("a"), obj("b"), obj("d")];
  it("and binds tighter than or, and both flatten", () => {
    expect(parse("object.a or object.b and object.d or object.a")).toEqual({
      kind: "or",
      args: [a, { kind: "and", args: [b, d] }, a],
    });
    expect(parse("object.a and object.b and object.d")).toEqual({ kind: "and", args: [a, b, d] });
    expect(parse("(object.a and object.b) and object.d")).toEqual({ kind: "and", args: [a, b, d] });
  });

  it("not binds tighter than and, looser than comparison", () => {
    expect(parse("not object.a == 1 and object.b")).toEqual({
      kind: "and",
      args: [{ kind: "not", arg: eq(a, L(1)) }, b],
    });
  });

  it("not any is none", () => {
    expect(parse("not any x in object.l: x == 1")).toEqual({
      kind: "quantifier",
      quantifier: "none",
      variable: "x",
      collection: obj("l"),
      body: eq({ kind: "ref", root: { kind: "var", name: "x" }, path: [] }, L(1)),
    });
  });

  it("a quantifier body extends as far right as possible", () => {
    const x = { kind: "ref", root: { kind: "var", name: "x" }, path: [] } as const;
    expect(parse("object.a and all x in object.l: x == 1 or x == 2")).toEqual({
      kind: "and",
      args: [
        a,
        {
          kind: "quantifier",
          quantifier: "all",
          variable: "x",
          collection: obj("l"),
          body: { kind: "or", args: [eq(x, L(1)), eq(x, L(2))] },
        },
      ],
    });
  });

  it("parentheses end a quantifier body", () => {
    const parsed = parse("(any x in object.l: x == 1) or object.b");
    expect(parsed).toMatchObject({ kind: "or", args: [{ kind: "quantifier" }, b] });
  });

  it("comparisons do not chain", () => {
    const error = errorOf(() => parse("object.a == 1 == 2"));
    expect(error.message).toBe("expected the end of the condition but found '=='");
    expect(error.location.column).toBe(15);
    expect(error.hint).toMatch(/combine them with `and`/);
  });
});

describe("scopes", () => {
  it("rebinding a bound variable is an error", () => {
    const error = errorOf(() =>
      parse("any c in pod.containers: any c in c.ports: c.containerPort == 80"),
    );
    expect(error.message).toBe("`c` is already bound by an enclosing quantifier");
    expect(error.location).toMatchObject({ line: 1, column: 30 });
  });

  it("a variable is not visible after its quantifier's parentheses", () => {
    expect(errorOf(() => parse("(any c in pod.containers: c.x) and c.y")).message).toMatch(
      /unknown name `c`/,
    );
  });

  it("the same name may be bound in two sibling quantifiers", () => {
    expect(() =>
      parse("(any c in pod.containers: c.x) and (any c in pod.containers: c.y)"),
    ).not.toThrow();
  });
});

describe("syntax errors name the line and column in the .ts file", () => {
  it("points at the offending token on a later template line", () => {
    const cond = when`any c in pod.containers:
      c.securityContext.privileged == and c.name == "x"`; // MARK-SYNTAX-1
    const error = errorOf(() => cond.toIR());
    expect(error.message).toBe(
      "expected a value (a path, a literal, a list, `(`, `exists(…)`, `len(…)`, `keys(…)` or `inventory(…)`) but found 'and'",
    );
    expect(error.location).toEqual({
      file: fileURLToPath(import.meta.url),
      line: lineOf("MARK-SYNTAX-1"),
      column: 39,
    });
  });

  it("points at the offending token on the template's first line", () => {
    const cond = when`object.a == == 1`; // MARK-SYNTAX-2
    const error = errorOf(() => cond.toIR());
    const line = lineOf("MARK-SYNTAX-2");
    expect(error.location).toEqual({
      file: fileURLToPath(import.meta.url),
      line,
      column: (self[line - 1] as string).indexOf("== 1") + 1,
    });
  });

  it("counts interpolations as the text they take in the source", () => {
    const value = "x";
    const cond = when`object.a == ${value} and and`; // MARK-SYNTAX-3
    const error = errorOf(() => cond.toIR());
    const line = lineOf("MARK-SYNTAX-3");
    expect(error.location.line).toBe(line);
    expect(error.location.column).toBe((self[line - 1] as string).indexOf("and`") + 1);
  });

  it("reports a missing closing parenthesis at the end", () => {
    const error = errorOf(() => parse("(object.a == 1"));
    expect(error.message).toBe("expected ')' but found the end of the condition");
    expect(error.location).toMatchObject({ line: 1, column: 15 });
  });

  it("reports a missing `in` in a quantifier", () => {
    expect(errorOf(() => parse("any c pod.containers: c.x")).message).toBe(
      "expected `in` but found 'pod'",
    );
  });

  it("reports an unterminated string", () => {
    const error = errorOf(() => parse('object.a == "abc'));
    expect(error.message).toBe("unterminated string");
    expect(error.location.column).toBe(13);
  });

  it("suggests `and` for &&", () => {
    const error = errorOf(() => parse("object.a && object.b"));
    expect(error.message).toBe("unexpected '&&'");
    expect(error.hint).toBe("write `and`");
  });

  it("rejects an unknown escape at its column", () => {
    const error = errorOf(() => parse('object.a matches "^\\d+$"'));
    expect(error.message).toBe("unknown escape \\d in a string");
    expect(error.location.column).toBe(20);
  });

  it("rejects a list index after a computed key, and a key that is no string or index", () => {
    expect(errorOf(() => parse("object.a[object.b][0]")).message).toBe(
      "a list index cannot follow a key computed at run time ([0])",
    );
    expect(errorOf(() => parse("object.a[true]")).message).toBe(
      "a path segment in `[…]` must be a string or a list index",
    );
  });

  it("rejects a negative index", () => {
    expect(errorOf(() => parse("object.a[-1]")).message).toBe(
      "-1 is not a list index (0, 1, 2, …)",
    );
  });
});

describe("regular expressions are checked with RE2", () => {
  it("accepts an RE2 pattern", () => {
    expect(parse('object.a matches "^[a-z]+\\\\d$"')).toEqual({
      kind: "string",
      op: "matches",
      left: obj("a"),
      right: L("^[a-z]+\\d$"),
    });
  });

  it("rejects lookahead at the pattern, quoting RE2", () => {
    const error = errorOf(() => parse('object.a matches "a(?=b)"'));
    expect(error.message).toBe(
      'the pattern "a(?=b)" is not a valid RE2 regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    );
    expect(error.location.column).toBe(18);
  });

  it("rejects an interpolated pattern RE2 rejects", () => {
    expect(errorOf(() => when`object.a matches ${"(a"}`.toIR()).message).toMatch(
      /missing closing \)/,
    );
  });

  it("does not check a glob", () => {
    expect(() => parse('object.a glob "(?=*"')).not.toThrow();
  });
});

describe("interpolation", () => {
  it("a string stays a literal, whatever it holds", () => {
    const evil = '"; evil';
    expect(when`object.a == ${evil}`.toIR()).toEqual(eq(obj("a"), L('"; evil')));
    const sneaky = "x or object.b == 1";
    expect(when`object.a == ${sneaky}`.toIR()).toEqual(eq(obj("a"), L(sneaky)));
  });

  it.each([
    { note: "number", value: 3 },
    { note: "boolean", value: false },
    { note: "null", value: null },
    { note: "array", value: ["a", { b: [1] }] },
    { note: "plain object", value: { a: 1 } },
  ])("a JSON $note is a literal", ({ value }) => {
    expect(when`object.a == ${value}`.toIR()).toEqual(eq(obj("a"), L(value)));
  });

  it("a builder value or condition is an IR fragment", () => {
    const image = pod.containers.get(0, "image");
    expect(when`${image} startsWith "r/" and ${lit(true)}`.toIR()).toEqual({
      kind: "and",
      args: [
        {
          kind: "string",
          op: "startsWith",
          left: { kind: "ref", root: { kind: "containers" }, path: [0, "image"] },
          right: L("r/"),
        },
        L(true),
      ],
    });
  });

  it("another when is a fragment, and and-nodes flatten across it", () => {
    const inner = when`object.a == 1 and object.b == 2`;
    expect(when`${inner} and object.d == 3`.toIR()).toEqual({
      kind: "and",
      args: [eq(obj("a"), L(1)), eq(obj("b"), L(2)), eq(obj("d"), L(3))],
    });
  });

  it("a fragment is lowered in the scope of the template", () => {
    const body = when`c.privileged == true`;
    expect(when`any c in pod.containers: ${body}`.toIR()).toEqual(
      any("c", pod.containers, (c) => c.at("privileged").eq(true)).toIR(),
    );
  });

  it("a path may continue after an interpolated path", () => {
    expect(when`${pod.spec}.hostPID == true`.toIR()).toEqual(
      eq({ kind: "ref", root: { kind: "pod" }, path: ["spec", "hostPID"] }, L(true)),
    );
    const key = "app.kubernetes.io/name";
    expect(when`object.metadata.labels[${key}]`.toIR()).toEqual(obj("metadata", "labels", key));
  });

  it.each([
    { note: "a function", value: () => 1, reason: "the value is a function, not JSON" },
    { note: "undefined", value: undefined, reason: "the value is undefined, not JSON" },
    {
      note: "a class instance",
      value: new Date(0),
      reason: "the value is an instance of Date, not plain JSON",
    },
    { note: "NaN", value: Number.NaN, reason: "the value is NaN, not a JSON number" },
    {
      note: "a nested function",
      value: { a: [() => 1] },
      reason: "the value.a[0] is a function, not JSON",
    },
  ])("$note is an error at the interpolation", ({ value, reason }) => {
    const cond = when`object.a == ${value}`; // MARK-INTERP
    const error = errorOf(() => cond.toIR());
    const line = lineOf("MARK-INTERP");
    expect(error.message).toBe(`\${…}: ${reason}`);
    expect(error.location).toEqual({
      file: fileURLToPath(import.meta.url),
      line,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text names an interpolation
      column: (self[line - 1] as string).indexOf("${value}") + 1,
    });
  });
});
