/**
 * IR expressions written as CEL for the Kubernetes CEL environment (compatibility 1.31, what a
 * 1.32 API server accepts in new policies).
 *
 * A value is a CEL expression that never raises an evaluation error on any JSON input and is
 * `null` exactly when the IR value is missing (JSON null is missing in the IR, so the two
 * coincide). Its static CEL type is `dyn`, except for literals, whose JSON value the emitter
 * knows and uses to decide type tests at compile time. A condition is a CEL `bool` expression
 * that never raises an error and is `true` exactly when the IR condition holds.
 *
 * Why every guard is there (each was checked against the judge, tools/kubernetes/cel-judge):
 * - selecting an absent key, or into a non-map, is an error: paths test `type(x) == map`
 *   and `has(x.k)` (`"k" in x` for keys that are not plain identifiers) step by step;
 * - `<` on operands of different types is an error: ordering tests both types first;
 * - `==` across types is false (heterogeneous equality), and `1 == 1.0` is true at run time
 *   (but a compile error between literals, so two literals are compared as `dyn`);
 * - `size()` of a number is an error: `len` tests the type;
 * - `matches` with a pattern RE2 rejects is an error, and CEL cannot catch it: a pattern must
 *   be known when compiling (a literal or an inline parameter). A glob from data is safe: its
 *   translation escapes every metacharacter, so it always compiles.
 * There is no `cel.bind` in the Kubernetes environment; a value used several times is bound
 * with `[value].map(v, body)[0]` unless it is a plain name.
 */
import {
  CharterError,
  type Expr,
  globToRe2,
  type Json,
  type Policy,
  type Rule,
  type Segment,
  USER_INFO_FIELDS,
  unboundNamespacePath,
} from "@charter/ir";
import {
  type CelExpr,
  call,
  concat,
  conditional,
  FALSE,
  index,
  isConstant,
  list,
  literal,
  method,
  NULL,
  name,
  number,
  relation,
  TRUE,
} from "./cel-expr.js";
import type { CelValue } from "./cel-value.js";
import { allOf, anyOf, isList, isMap, isNumber, isString, negate } from "./conditions.js";
import { celString } from "./escape.js";
import { celLiteral } from "./literal.js";
import {
  isJsonObject,
  isSortedKeyList,
  jsonType,
  literalIndex,
  literalKeys,
  literalLength,
  resolve,
} from "./literal-folding.js";
import { printCel } from "./print-cel.js";
import { safePath } from "./safe-path.js";
import type { CelAdmission } from "./types.js";

/** The IR variables in scope, each with its CEL name. */
export type Scope = ReadonlyMap<string, string>;

/**
 * What the policy emitter tells the expression emitter about the roots; each CEL expression
 * here is a name (`object`, `variables.pod`), so it stands anywhere without brackets.
 */
export interface Roots {
  /** CEL expression of the object under review. */
  readonly object: string;
  /** Inline parameter values, or the CEL expression holding the parameter object. */
  readonly params: { readonly inline: Json } | { readonly expression: string };
  /** CEL expressions of the pod view and its containers (pod policies only). */
  readonly pod?: string;
  readonly containers?: string;
  /** The target named in errors. */
  readonly target: string;
  /** CEL expression of the resource's Namespace, or why the target has none. */
  readonly namespace: string | { readonly unsupported: string };
  /** CEL names of the request and the old object, or why the target has none. */
  readonly admission: CelAdmission;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A JSON value as a CEL literal; a number is its own node (see CelNumber). */
const lit = (value: Json): CelValue => {
  const text = celLiteral(value);
  return { expr: typeof value === "number" ? number(text) : literal(text), literal: { value } };
};
const MISSING_VALUE = lit(null);
const dyn = (expr: CelExpr) => call("dyn", expr);

/** Writes the expressions of one policy as CEL. */
export class CelExprEmitter {
  private counter = 0;
  private rule: Rule | undefined;

  constructor(
    private readonly policy: Policy,
    private readonly roots: Roots,
  ) {}

  beginRule(rule: Rule): void {
    this.rule = rule;
  }

  /** A fresh CEL name for IR variable `name` (IR variables may shadow; these never clash). */
  fresh(name: string): string {
    this.counter += 1;
    return `${name}_${this.counter}`;
  }

  /** `body(t)` with `t` standing for the value; binds non-trivial values once. */
  private bind(value: CelValue, body: (bound: CelExpr) => CelExpr): CelExpr {
    const { expr } = value;
    if (value.literal !== undefined || (expr.kind === "name" && PLAIN_NAME.test(expr.name))) {
      return body(expr);
    }
    const bound = name(this.fresh("v"));
    return index(method(list([expr]), "map", bound, body(bound)), literal("0"));
  }

  private bind2(a: CelValue, b: CelValue, body: (a: CelExpr, b: CelExpr) => CelExpr): CelExpr {
    return this.bind(a, (x) => this.bind(b, (y) => body(x, y)));
  }

  // ---- conditions -------------------------------------------------------------------------

  /** A CEL bool, true exactly when the IR condition holds. */
  condition(expr: Expr, scope: Scope): string {
    return printCel(this.test(expr, scope));
  }

  private test(expr: Expr, scope: Scope): CelExpr {
    switch (expr.kind) {
      case "and":
        return allOf(expr.args.map((arg) => this.test(arg, scope)));
      case "or":
        return anyOf(expr.args.map((arg) => this.test(arg, scope)));
      case "not":
        return negate(this.test(expr.arg, scope));
      case "quantifier":
        return this.quantifier(expr, scope);
      case "compare":
        return this.compare(expr.op, this.value(expr.left, scope), this.value(expr.right, scope));
      case "in":
        return this.membership(this.value(expr.item, scope), this.value(expr.collection, scope));
      case "string":
        return this.stringTest(expr, scope);
      case "exists": {
        const value = this.value(expr.arg, scope);
        if (value.literal) return value.literal.value === null ? FALSE : TRUE;
        return relation(value.expr, "!=", NULL);
      }
      case "literal":
        return expr.value === true ? TRUE : FALSE;
      case "inventory":
        throw this.inventoryUnsupported();
      case "ref":
      case "list":
      case "default":
      case "len":
      case "keys":
      case "index": {
        // A condition holds exactly when its value is `true`.
        const value = this.value(expr, scope);
        if (value.literal) return value.literal.value === true ? TRUE : FALSE;
        return relation(value.expr, "==", TRUE);
      }
    }
  }

  /** `any`: some element; `all`: every element; `none`: not any. Lists only. */
  private quantifier(expr: Extract<Expr, { kind: "quantifier" }>, scope: Scope): CelExpr {
    const collection = this.value(expr.collection, scope);
    if (collection.literal && !Array.isArray(collection.literal.value)) {
      return expr.quantifier === "any" ? FALSE : TRUE;
    }
    const variable = name(this.fresh(expr.variable));
    const body = this.test(expr.body, new Map(scope).set(expr.variable, variable.name));
    const some = (c: CelExpr) => method(c, "exists", variable, body);
    if (collection.literal) {
      const known = dyn(collection.expr);
      if (expr.quantifier === "all") return method(known, "all", variable, body);
      return expr.quantifier === "any" ? some(known) : negate(some(known));
    }
    return this.bind(collection, (c) => {
      if (expr.quantifier === "all")
        return anyOf([negate(isList(c)), method(c, "all", variable, body)]);
      const any = allOf([isList(c), some(c)]);
      return expr.quantifier === "any" ? any : negate(any);
    });
  }

  private compare(
    op: "==" | "!=" | "<" | "<=" | ">" | ">=",
    left: CelValue,
    right: CelValue,
  ): CelExpr {
    if (left.literal?.value === null || right.literal?.value === null) return FALSE;
    if (left.literal && right.literal) {
      // Two literals: compared at run time as dyn (`1 == 1.0` between literals does not compile).
      return this.compare(op, { expr: dyn(left.expr) }, { expr: dyn(right.expr) });
    }
    if (left.keysOf || right.keysOf) {
      if (op === "==") return this.keysEqual(left, right);
      if (op !== "!=") return FALSE; // lists are never ordered
      const present = (v: CelValue) => (v.literal ? TRUE : relation(v.expr, "!=", NULL));
      return allOf([present(left), present(right), negate(this.keysEqual(left, right))]);
    }
    if (op === "==") return this.equal(left, right);
    if (op === "!=") {
      return this.bind2(left, right, (l, r) =>
        allOf([
          left.literal ? TRUE : relation(l, "!=", NULL),
          right.literal ? TRUE : relation(r, "!=", NULL),
          relation(l, "!=", r),
        ]),
      );
    }
    return this.bind2(left, right, (l, r) => {
      const test = relation(l, op, r);
      const known = left.literal ?? right.literal;
      if (known) {
        // One side is a literal: only its type can order with the other.
        const other = left.literal ? r : l;
        const type = jsonType(known.value);
        if (type === "number") return allOf([isNumber(other), test]);
        if (type === "string") return allOf([isString(other), test]);
        return FALSE;
      }
      return anyOf([
        allOf([isNumber(l), isNumber(r), test]),
        allOf([isString(l), isString(r), test]),
      ]);
    });
  }

  /**
   * `keys(m) == x`: m is a map and x is the list of its keys sorted by code point. Without a
   * sort in CEL: x is a list of strings as long as m, every element a key of m and every key
   * in x (so x holds each key once), in ascending order (`isSorted`, Kubernetes' lists library;
   * strings compare by code point there too).
   */
  private keysEqual(left: CelValue, right: CelValue): CelExpr {
    const [keys, other] = left.keysOf ? [left, right] : [right, left];
    const map = keys.keysOf as CelValue;
    if (other.keysOf) {
      // Both are sorted key lists: equal exactly when the key sets are.
      return this.bind2(map, other.keysOf, (a, b) => {
        const k = name(this.fresh("k"));
        return allOf([
          isMap(a),
          isMap(b),
          relation(call("size", a), "==", call("size", b)),
          method(a, "all", k, relation(k, "in", b)),
        ]);
      });
    }
    if (other.literal) {
      const value = other.literal.value;
      if (!isSortedKeyList(value)) return FALSE;
      return this.bind(map, (m) => {
        const k = name(this.fresh("k"));
        return allOf([
          isMap(m),
          relation(call("size", m), "==", literal(String(value.length))),
          value.length === 0 ? TRUE : method(m, "all", k, relation(k, "in", other.expr)),
        ]);
      });
    }
    return this.bind2(map, other, (m, x) => {
      const k = name(this.fresh("k"));
      return allOf([
        isMap(m),
        isList(x),
        relation(call("size", x), "==", call("size", m)),
        method(x, "all", k, allOf([isString(k), relation(k, "in", m)])),
        method(m, "all", k, relation(k, "in", x)),
        method(x, "isSorted"),
      ]);
    });
  }

  /** Deep equality; a missing side makes it false. */
  private equal(left: CelValue, right: CelValue): CelExpr {
    // `x == literal` is false for a null x: no guard needed when one side is a literal.
    if (right.literal || left.literal) return relation(left.expr, "==", right.expr);
    return this.bind(left, (l) => allOf([relation(l, "!=", NULL), relation(l, "==", right.expr)]));
  }

  private membership(item: CelValue, collection: CelValue): CelExpr {
    if (item.literal?.value === null || collection.literal?.value === null) return FALSE;
    if (item.keysOf) {
      // A list is never an object's key: only list membership, by (order-aware) equality.
      if (collection.literal) {
        const value = collection.literal.value;
        if (!Array.isArray(value)) return FALSE;
        return anyOf(value.map((element) => this.keysEqual(item, lit(element))));
      }
      return this.bind(collection, (c) => {
        const e = name(this.fresh("e"));
        return allOf([isList(c), method(c, "exists", e, this.keysEqual(item, { expr: e }))]);
      });
    }
    if (item.literal && collection.literal) {
      return this.membership({ expr: dyn(item.expr) }, { expr: dyn(collection.expr) });
    }
    return this.bind2(item, collection, (i, c) => {
      const inList = allOf([item.literal ? TRUE : relation(i, "!=", NULL), relation(i, "in", c)]);
      const inMap = relation(i, "in", c);
      if (collection.literal) {
        const type = jsonType(collection.literal.value);
        if (type === "list") return inList;
        return type === "map" ? allOf([isString(i), inMap]) : FALSE;
      }
      if (item.literal) {
        const type = jsonType(item.literal.value);
        const inAList = allOf([isList(c), relation(i, "in", c)]);
        return type === "string" ? anyOf([inAList, allOf([isMap(c), inMap])]) : inAList;
      }
      return anyOf([allOf([isList(c), inList]), allOf([isMap(c), isString(i), inMap])]);
    });
  }

  private stringTest(expr: Extract<Expr, { kind: "string" }>, scope: Scope): CelExpr {
    const left = this.value(expr.left, scope);
    const right = this.value(expr.right, scope);
    const isStr = (v: CelValue, t: CelExpr) =>
      v.literal ? (typeof v.literal.value === "string" ? TRUE : FALSE) : isString(t);
    if (expr.op === "matches" || expr.op === "glob") {
      const pattern = this.pattern(expr.op, right, expr);
      return this.bind(left, (l) =>
        allOf([isStr(left, l), pattern.guard, method(l, "matches", pattern.expr)]),
      );
    }
    const op = expr.op;
    return this.bind2(left, right, (l, r) =>
      allOf([isStr(left, l), isStr(right, r), method(l, op, r)]),
    );
  }

  /**
   * The RE2 pattern of `matches`/`glob` and the guard that it is a string. A literal glob is
   * translated here by the one glob definition (`globToRe2`); a glob from data is
   * translated in CEL the same way (metacharacters escaped, `*` → `.*`, `?` → `.`), so it
   * always compiles. A `matches` pattern must be known when compiling.
   */
  private pattern(
    op: "matches" | "glob",
    right: CelValue,
    expr: Expr,
  ): { readonly guard: CelExpr; readonly expr: CelExpr } {
    if (right.literal) {
      const value = right.literal.value;
      if (typeof value !== "string") return { guard: FALSE, expr: literal('""') };
      return {
        guard: TRUE,
        expr: literal(celString(op === "glob" ? globToRe2(value) : value)),
      };
    }
    if (op === "glob") {
      let escaped = right.expr;
      for (const meta of ["\\", ".", "+", "(", ")", "|", "[", "]", "{", "}", "^", "$"]) {
        escaped = method(
          escaped,
          "replace",
          literal(celString(meta)),
          literal(celString(`\\${meta}`)),
        );
      }
      escaped = method(
        method(escaped, "replace", literal('"*"'), literal('".*"')),
        "replace",
        literal('"?"'),
        literal('"."'),
      );
      return {
        guard: isString(right.expr),
        expr: concat(literal('"^(?s:"'), escaped, literal('")$"')),
      };
    }
    const fromParams =
      "expression" in this.roots.params &&
      expr.kind === "string" &&
      expr.right.kind === "ref" &&
      expr.right.root.kind === "params";
    if (!fromParams) {
      throw this.unsupported(
        "`matches` with a pattern read from the resource (a pattern RE2 rejects would be a CEL evaluation error, which CEL cannot turn into false); use a literal pattern or a parameter",
      );
    }
    // A parameter object's pattern is trusted to be valid RE2 (it cannot be checked here).
    return { guard: isString(right.expr), expr: right.expr };
  }

  // ---- values -----------------------------------------------------------------------------

  /** A CEL value: `null` when missing, never an evaluation error. */
  value(expr: Expr, scope: Scope): CelValue {
    switch (expr.kind) {
      case "literal":
        return lit(expr.value);
      case "ref":
        return this.ref(expr, scope);
      case "list": {
        const items = expr.items.map((item) => this.value(item, scope));
        if (items.some((item) => item.keysOf)) throw this.unorderedKeys("an item of a list");
        if (items.every((item) => item.literal)) {
          return lit(
            items.flatMap((item) =>
              item.literal?.value === null ? [] : [item.literal?.value as Json],
            ),
          );
        }
        const kept = items.filter((item) => item.literal?.value !== null);
        const item = name(this.fresh("item"));
        const elements = list(kept.map((element) => dyn(element.expr)));
        return { expr: dyn(method(elements, "filter", item, relation(item, "!=", NULL))) };
      }
      case "default": {
        const value = this.value(expr.value, scope);
        if (value.literal)
          return value.literal.value === null ? this.value(expr.fallback, scope) : value;
        const fallback = this.value(expr.fallback, scope);
        if (value.keysOf || fallback.keysOf) throw this.unorderedKeys("an operand of `??`");
        if (fallback.literal?.value === null) return value;
        const other = fallback.literal ? dyn(fallback.expr) : fallback.expr;
        return { expr: this.bind(value, (v) => conditional(relation(v, "!=", NULL), v, other)) };
      }
      case "len": {
        const value = this.value(expr.arg, scope);
        if (value.literal) return lit(literalLength(value.literal.value));
        return {
          expr: this.bind(value, (v) =>
            conditional(anyOf([isString(v), isList(v), isMap(v)]), dyn(call("size", v)), NULL),
          ),
        };
      }
      case "keys": {
        const value = this.value(expr.arg, scope);
        if (value.literal) return lit(literalKeys(value.literal.value));
        const k = name(this.fresh("k"));
        return {
          expr: this.bind(value, (v) => conditional(isMap(v), dyn(method(v, "map", k, k)), NULL)),
          keysOf: value,
        };
      }
      case "index":
        return this.index(this.value(expr.value, scope), this.value(expr.key, scope));
      case "inventory":
        throw this.inventoryUnsupported();
      default: {
        // A condition used as a value is true or false, never missing.
        const condition = this.test(expr, scope);
        if (isConstant(condition, true) || isConstant(condition, false)) {
          return lit(isConstant(condition, true));
        }
        return { expr: dyn(condition) };
      }
    }
  }

  private ref(expr: Extract<Expr, { kind: "ref" }>, scope: Scope): CelValue {
    const { root, path } = expr;
    switch (root.kind) {
      case "object":
        return safePath(name(this.roots.object), path);
      case "params":
        if ("inline" in this.roots.params) return lit(resolve(this.roots.params.inline, path));
        return safePath(name(this.roots.params.expression), path);
      case "pod":
        return this.roots.pod === undefined ? MISSING_VALUE : safePath(name(this.roots.pod), path);
      case "containers":
        return this.roots.containers === undefined
          ? MISSING_VALUE
          : safePath(name(this.roots.containers), path);
      case "namespace":
        return this.namespaceRef(path);
      case "request":
        return this.requestRef(path);
      case "var": {
        const bound = scope.get(root.name);
        if (bound === undefined) {
          throw this.unsupported(
            `variable \`${root.name}\` is used outside the quantifier that binds it`,
          );
        }
        return safePath(name(bound), path);
      }
    }
  }

  /**
   * A path into the resource's Namespace. The server types `namespaceObject` as a Namespace
   * (a field it does not declare does not compile) but binds a map at run time, so the path
   * starts from `dyn(…)` and is guarded like any other; it is null when namespaceObject is
   * (a cluster-scoped resource), and the policy emitter makes such a rule pass then.
   */
  private namespaceRef(path: readonly Segment[]): CelValue {
    const namespace = this.roots.namespace;
    if (typeof namespace !== "string") {
      throw this.unsupported(
        `it reads the resource's Namespace (\`namespace.…\`), and ${namespace.unsupported}`,
      );
    }
    const unbound = unboundNamespacePath(path);
    if (unbound !== undefined) throw this.unsupported(unbound);
    return safePath(dyn(name(namespace)), path);
  }

  /**
   * A path under the request root (IR README item 17): `operation` and `userInfo…` from the
   * request the target binds (typed as the server's AdmissionRequest, so only UserInfo's own
   * fields compile), `oldObject…` from the old object (null on a CREATE); each guarded.
   */
  private requestRef(path: readonly Segment[]): CelValue {
    const admission = this.roots.admission;
    if ("unsupported" in admission) {
      throw this.unsupported(
        `it reads the admission request (\`request.…\`), and ${admission.unsupported}`,
      );
    }
    const [field, ...rest] = path;
    if (field === "oldObject") return safePath(name(admission.oldObject), rest);
    const [userField] = rest;
    if (
      field === "operation" ||
      (field === "userInfo" &&
        (userField === undefined || USER_INFO_FIELDS.some((known) => known === userField)))
    ) {
      return safePath(name(admission.request), path);
    }
    throw this.unsupported(
      `\`request.${path.join(".")}\` is not a field of the request (operation, userInfo.username, .uid, .groups, .extra, oldObject…)`,
    );
  }

  private inventoryUnsupported(): CharterError {
    return this.unsupported(
      "it needs the cluster inventory (inventory(...)); CEL admission cannot list other objects — use the Gatekeeper Rego engine or an offline scan",
    );
  }

  /**
   * `m[k]`: guarded so it is null, never an error, when m is not a map, k is not a string or
   * not among m's keys (an absent key is an evaluation error in CEL).
   */
  private index(map: CelValue, key: CelValue): CelValue {
    if (map.literal && key.literal) return lit(literalIndex(map.literal.value, key.literal.value));
    if (map.literal && !isJsonObject(map.literal.value)) return MISSING_VALUE;
    if (key.literal && typeof key.literal.value !== "string") return MISSING_VALUE;
    // A literal map is made dyn, so both branches of `?:` type-check as dyn.
    const dynamicMap = map.literal ? { expr: dyn(map.expr) } : map;
    return {
      expr: this.bind2(dynamicMap, key, (m, k) => {
        const test = allOf([isMap(m), isString(k), relation(k, "in", m)]);
        return conditional(test, index(m, k), NULL);
      }),
    };
  }

  /** `keys(m)` where its order would show and cannot be made the IR's (no sort in CEL 1.31). */
  private unorderedKeys(where: string): CharterError {
    return this.unsupported(
      `\`keys(…)\` as ${where} (CEL at Kubernetes 1.31 cannot sort a map's keys, so the list's order would be the map's random order); compare \`keys(…)\` directly, or range over it with \`any\`/\`all\`/\`none\``,
    );
  }

  unsupported(what: string): CharterError {
    const rule = this.rule ? `, rule "${this.rule.name}"` : "";
    return new CharterError(
      `policy "${this.policy.name}"${rule}: ${what}; target "${this.roots.target}" cannot express it`,
      this.policy.source ?? {},
    );
  }
}
