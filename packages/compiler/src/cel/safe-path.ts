/**
 * Reading a path as CEL that is null, never an evaluation error, when a step is missing or
 * of the wrong type; a key that is not a plain identifier is written as an index.
 */
import type { Segment } from "@charter/ir";
import {
  and,
  type CelExpr,
  call,
  conditional,
  index,
  literal,
  NULL,
  relation,
  select,
} from "./cel-expr.js";
import type { CelValue } from "./cel-value.js";
import { isList, isMap } from "./conditions.js";
import { celString } from "./escape.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** CEL's reserved words: they cannot follow a dot (https://github.com/google/cel-spec langdef). */
const RESERVED = new Set([
  "true",
  "false",
  "null",
  "in",
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

function isSelectable(key: string): boolean {
  return IDENTIFIER.test(key) && !RESERVED.has(key);
}

/** One step of a CEL selection: `.name`, `["key"]` or `[0]`. */
function step(current: CelExpr, segment: Segment): CelExpr {
  if (typeof segment === "number") return index(current, literal(String(segment)));
  return isSelectable(segment)
    ? select(current, segment)
    : index(dyn(current), literal(celString(segment)));
}

/**
 * `dyn(x)`: the same value, typed as dyn. The API server type-checks a policy against the
 * matched kinds' schemas, where `c ? object.spec.ports : null` has two branch types and `"k" in
 * object.metadata` has no overload; dyn makes both well-typed without changing a result.
 */
function dyn(expr: CelExpr): CelExpr {
  return call("dyn", expr);
}

/**
 * `base.a.b[0]` guarded step by step: `type(base) == map && has(base.a) && … ? base.a.b[0] :
 * null`. A string key never indexes a list and a number never indexes a map, as in the IR.
 */
export function safePath(base: CelExpr, path: readonly Segment[]): CelValue {
  if (path.length === 0) return { expr: base };
  const guards: CelExpr[] = [];
  let current = base;
  for (const segment of path) {
    if (typeof segment === "number") {
      guards.push(isList(current), relation(call("size", current), ">", literal(String(segment))));
    } else {
      guards.push(
        isMap(current),
        isSelectable(segment)
          ? call("has", select(current, segment))
          : relation(literal(celString(segment)), "in", dyn(current)),
      );
    }
    current = step(current, segment);
  }
  return { expr: conditional(and(guards), dyn(current), NULL) };
}
