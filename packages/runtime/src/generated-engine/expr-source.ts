/**
 * IR expressions to JavaScript statements. `valueSource` writes the statements computing an
 * expression's value and returns the name (or constant) holding it — `undefined` when missing;
 * `testSource` does the same for an expression read as a condition and returns a side-effect-free
 * boolean expression. Short-circuits are labelled blocks left with `break`, so the generated
 * code evaluates exactly what the written semantics (packages/ir/src/expr.ts) evaluate.
 * Object keys are always read as `value[<jsString>]` after an own-property check, so
 * `__proto__`, `constructor` or `prototype` in data are keys like any other.
 */
import { type Expr, globToRe2, type Json, type Root, type Segment } from "@charter/ir";
import { RE2JS } from "re2js";
import { jsNumber, jsString } from "./js-literal.js";
import type { SourceWriter } from "./source-writer.js";

/** A problem in the IR itself (an unbound variable, a pattern RE2 rejects). */
export class GenerateError extends Error {
  override readonly name = "GenerateError";
}

/** Where the generator writes: the current body, policy-wide constants, variables in scope. */
export interface ExprContext {
  readonly w: SourceWriter;
  /** Declares a constant computed once per policy; returns its name. */
  readonly hoist: (prefix: string, init: string) => string;
  /** IR variable name → the identifier holding its value. */
  readonly vars: ReadonlyMap<string, string>;
}

/** The locals every rule function declares from its input (policy-function.ts). */
export const ROOT_LOCALS = {
  object: "$object",
  pod: "$pod",
  params: "$params",
  namespace: "$namespace",
  request: "$request",
} as const;

/** A JSON literal as source: primitives inline, lists and objects parsed once per policy. */
export function literalSource(value: Json, cx: ExprContext): string {
  if (value === null) return "undefined"; // a null literal is missing, like any null
  if (typeof value === "string") return jsString(value);
  if (typeof value === "number") {
    // Not JSON, but a policy written in code may hold one (`1e999`): judged as the closures do.
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "(-Infinity)";
    return jsNumber(value);
  }
  if (typeof value === "boolean") return String(value);
  // Parsed, not written as a JS literal: `{"__proto__": …}` in source would set a prototype.
  return cx.hoist("k", `parseJson(${jsString(JSON.stringify(value))})`);
}

function rootSource(root: Root, cx: ExprContext): string {
  switch (root.kind) {
    case "object":
    case "pod":
    case "params":
    case "namespace":
    case "request":
      return ROOT_LOCALS[root.kind];
    case "containers":
      return "($containers ??= containersOf($pod))";
    case "var": {
      const name = cx.vars.get(root.name);
      if (name === undefined) {
        throw new GenerateError(`variable "${root.name}" is not bound by any enclosing quantifier`);
      }
      return name;
    }
  }
}

function stepSource(segment: Segment, v: string): string {
  if (typeof segment === "number") {
    const index = jsNumber(segment);
    return `${v} = isArray(${v}) && ${index} < (${v}).length ? ${v}[${index}] : undefined;`;
  }
  const key = jsString(segment);
  return `${v} = typeof ${v} === "object" && !isArray(${v}) && hasOwn(${v}, ${key}) ? ${v}[${key}] : undefined;`;
}

function refSource(root: Root, path: readonly Segment[], cx: ExprContext): string {
  const v = cx.w.name("v");
  cx.w.line(`let ${v} = ${rootSource(root, cx)};`);
  // null is missing: stepping through it, or ending on it, is missing.
  for (const segment of path) cx.w.line(`if (${v} != null) ${stepSource(segment, v)}`);
  cx.w.line(`if (${v} === null) ${v} = undefined;`);
  return v;
}

/** A literal other than null: never missing, so no missing check is written for it. */
function isPresentLiteral(expr: Expr): boolean {
  return expr.kind === "literal" && expr.value !== null;
}

/** A literal that `===` compares exactly as deep equality does (not a list or an object). */
function isPrimitiveLiteral(expr: Expr): boolean {
  return expr.kind === "literal" && expr.value !== null && typeof expr.value !== "object";
}

/**
 * Writes `let t = initial; L: { … }` and returns t; `body` gets the label to leave by and the
 * name of t, to set before leaving.
 */
function labelled(
  cx: ExprContext,
  initial: boolean,
  body: (label: string, result: string) => void,
): string {
  const t = cx.w.name("t");
  const label = cx.w.name("L");
  cx.w.line(`let ${t} = ${initial};`);
  cx.w.block(`${label}:`, () => body(label, t));
  return t;
}

/** A literal string pattern is checked now: RE2 rejecting it is an error in the policy. */
function literalPatternName(expr: Expr, toRe2: (s: string) => string, cx: ExprContext) {
  if (expr.kind !== "literal" || typeof expr.value !== "string") return undefined;
  const pattern = toRe2(expr.value);
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    throw new GenerateError(
      `the pattern ${JSON.stringify(expr.value)} is not valid RE2: ${(error as Error).message}`,
    );
  }
  return cx.hoist("re", `compileRe2(${jsString(pattern)})`);
}

function stringTestSource(
  op: "startsWith" | "endsWith" | "contains" | "matches" | "glob",
  right: Expr,
  l: string,
  r: string,
  cx: ExprContext,
): string {
  switch (op) {
    case "startsWith":
      return `(${l}).startsWith(${r})`;
    case "endsWith":
      return `(${l}).endsWith(${r})`;
    case "contains":
      return `(${l}).includes(${r})`;
    case "matches": {
      const re = literalPatternName(right, (s) => s, cx);
      return re === undefined ? `re2Matches(${r}, ${l})` : `${re}.test(${l})`;
    }
    case "glob": {
      const re = literalPatternName(right, globToRe2, cx);
      return re === undefined ? `globMatches(${r}, ${l})` : `${re}.test(${l})`;
    }
  }
}

const ORDER_OPS = new Set(["<", "<=", ">", ">="]);

function compareSource(op: string, l: string, r: string, primitive: boolean): string {
  if (op === "==") return primitive ? `${l} === ${r}` : `deepEqual(${l}, ${r})`;
  if (op === "!=") return primitive ? `${l} !== ${r}` : `!deepEqual(${l}, ${r})`;
  if (!ORDER_OPS.has(op)) throw new GenerateError(`unknown comparison ${JSON.stringify(op)}`);
  // Numbers by their difference (so Infinity against Infinity is unordered, as NaN), strings by
  // code point, anything else unordered: NaN makes every order test false.
  return `(typeof ${l} === "number" && typeof ${r} === "number" ? ${l} - ${r} : typeof ${l} === "string" && typeof ${r} === "string" ? compareCodePoints(${l}, ${r}) : NaN) ${op} 0`;
}

/** Writes the statements computing `expr`; returns a name or constant holding its value. */
export function valueSource(expr: Expr, cx: ExprContext): string {
  const { w } = cx;
  switch (expr.kind) {
    case "literal":
      return literalSource(expr.value, cx);
    case "list": {
      const t = w.name("t");
      w.line(`const ${t} = [];`);
      for (const item of expr.items) {
        const v = valueSource(item, cx);
        // missing elements are dropped
        w.line(`if (${v} !== undefined) ${t}.push(${v});`);
      }
      return t;
    }
    case "ref":
      return refSource(expr.root, expr.path, cx);
    case "inventory": {
      const t = w.name("t");
      const kind = `${jsString(expr.apiVersion)}, ${jsString(expr.resource)}`;
      if (expr.namespace === undefined) {
        w.line(`const ${t} = input.inventory?.list(${kind}) ?? [];`);
        return t;
      }
      const within = valueSource(expr.namespace, cx);
      w.line(`let ${t};`);
      // No object lives in the namespace "" (the index keeps cluster-scoped kinds there).
      w.line(
        `if (typeof ${within} === "string") ${t} = ${within} === "" ? [] : (input.inventory?.list(${kind}, ${within}) ?? []);`,
      );
      return t;
    }
    case "len": {
      const a = valueSource(expr.arg, cx);
      const t = w.name("t");
      w.line(
        `const ${t} = typeof ${a} === "string" ? codePointLength(${a}) : isArray(${a}) ? (${a}).length : typeof ${a} === "object" && ${a} !== null ? ownKeys(${a}).length : undefined;`,
      );
      return t;
    }
    case "keys": {
      const a = valueSource(expr.arg, cx);
      const t = w.name("t");
      w.line(
        `const ${t} = typeof ${a} === "object" && ${a} !== null && !isArray(${a}) ? sortedKeys(${a}) : undefined;`,
      );
      return t;
    }
    case "index": {
      const v = valueSource(expr.value, cx);
      const k = valueSource(expr.key, cx);
      const t = w.name("t");
      // Own entries only: `constructor` or `__proto__` are keys like any other.
      w.line(
        `const ${t} = typeof ${v} === "object" && ${v} !== null && !isArray(${v}) && typeof ${k} === "string" && hasOwn(${v}, ${k}) ? (${v}[${k}] ?? undefined) : undefined;`,
      );
      return t;
    }
    case "default": {
      const v = valueSource(expr.value, cx);
      const t = w.name("t");
      w.line(`let ${t} = ${v};`);
      w.block(`if (${t} === undefined)`, () => {
        w.line(`${t} = ${valueSource(expr.fallback, cx)};`);
      });
      return t;
    }
    default: {
      // A condition in value position is its truth value, never missing.
      const test = testSource(expr, cx);
      const t = w.name("t");
      w.line(`const ${t} = ${test};`);
      return t;
    }
  }
}

/** Writes the statements deciding `expr` as a condition; returns a boolean expression. */
export function testSource(expr: Expr, cx: ExprContext): string {
  const { w } = cx;
  switch (expr.kind) {
    case "literal":
      return expr.value === true ? "true" : "false";
    case "list":
    case "len":
    case "keys":
    case "inventory":
      return "false"; // never `true`, and evaluating them has no effect
    case "ref":
    case "index":
    case "default":
      return `${valueSource(expr, cx)} === true`;
    case "compare": {
      const primitive = isPrimitiveLiteral(expr.left) || isPrimitiveLiteral(expr.right);
      return labelled(cx, false, (label, result) => {
        const l = valueSource(expr.left, cx);
        // a missing operand: false
        if (!isPresentLiteral(expr.left)) w.line(`if (${l} === undefined) break ${label};`);
        const r = valueSource(expr.right, cx);
        if (!isPresentLiteral(expr.right)) w.line(`if (${r} === undefined) break ${label};`);
        w.line(`${result} = ${compareSource(expr.op, l, r, primitive)};`);
      });
    }
    case "in":
      return labelled(cx, false, (label, result) => {
        const item = valueSource(expr.item, cx);
        if (!isPresentLiteral(expr.item)) w.line(`if (${item} === undefined) break ${label};`);
        const within = valueSource(expr.collection, cx);
        w.line(
          `${result} = isArray(${within}) ? listIncludes(${within}, ${item}) : typeof ${within} === "object" && ${within} !== null && typeof ${item} === "string" && hasOwn(${within}, ${item});`,
        );
      });
    case "string":
      return labelled(cx, false, (label, result) => {
        const l = valueSource(expr.left, cx);
        w.line(`if (typeof ${l} !== "string") break ${label};`);
        const r = valueSource(expr.right, cx);
        w.line(`if (typeof ${r} !== "string") break ${label};`);
        w.line(`${result} = ${stringTestSource(expr.op, expr.right, l, r, cx)};`);
      });
    case "and":
      if (expr.args.length === 1) return testSource(expr.args[0] as Expr, cx);
      return labelled(cx, false, (label, result) => {
        for (const arg of expr.args) w.line(`if (!(${testSource(arg, cx)})) break ${label};`);
        w.line(`${result} = true;`);
      });
    case "or":
      if (expr.args.length === 1) return testSource(expr.args[0] as Expr, cx);
      return labelled(cx, true, (label, result) => {
        for (const arg of expr.args) w.line(`if (${testSource(arg, cx)}) break ${label};`);
        w.line(`${result} = false;`);
      });
    case "not":
      return `!(${testSource(expr.arg, cx)})`;
    case "exists":
      return `${valueSource(expr.arg, cx)} !== undefined`;
    case "quantifier": {
      const { quantifier, variable, collection, body } = expr;
      // `any` over a missing or non-list collection is false, `all` is true; none = not any.
      const every = quantifier === "all";
      const t = labelled(cx, every, (label, result) => {
        const items = valueSource(collection, cx);
        w.line(`if (!isArray(${items})) break ${label};`);
        const item = w.name("x");
        const inner: ExprContext = { ...cx, vars: new Map(cx.vars).set(variable, item) };
        w.block(`for (const ${item} of ${items})`, () => {
          const holds = testSource(body, inner);
          w.line(
            every
              ? `if (!(${holds})) { ${result} = false; break ${label}; }`
              : `if (${holds}) { ${result} = true; break ${label}; }`,
          );
        });
      });
      return quantifier === "none" ? `!${t}` : t;
    }
  }
}
