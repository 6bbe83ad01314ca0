/**
 * Compiles IR expressions to JavaScript closures, once per policy: judging a resource runs the
 * closures and never walks the expression tree again. The semantics are exactly those written
 * in packages/ir/src/expr.ts; each operator says which rule it implements.
 */
import {
  codePointLength,
  compareCodePoints,
  type Expr,
  globToRe2,
  type Json,
  type Root,
  type Segment,
  visitExpr,
} from "@charter/ir";
import { cachedRe2, compileRe2, globMatches, re2Matches } from "../regex.js";
import { deepEqual, isObject, MISSING, present, type Value } from "../value.js";
import type { Frame } from "./frame.js";

/** A compiled expression: its value in a frame. */
export type ValueFn = (frame: Frame) => Value;
/** A compiled condition: true exactly when the expression evaluates to `true`. */
export type TestFn = (frame: Frame) => boolean;

/**
 * Variables in scope, each with the frame slot holding its value. Every quantifier gets a slot
 * of its own, so an inner `x` shadows an outer `x` without overwriting it.
 */
export class Scope {
  private constructor(
    private readonly slots: ReadonlyMap<string, number>,
    private readonly counter: { next: number },
  ) {}

  static empty(): Scope {
    return new Scope(new Map(), { next: 0 });
  }

  /** A scope with `name` bound to a fresh slot; returns the scope and the slot. */
  bind(name: string): { scope: Scope; slot: number } {
    const slot = this.counter.next++;
    return { scope: new Scope(new Map(this.slots).set(name, slot), this.counter), slot };
  }

  slotOf(name: string): number | undefined {
    return this.slots.get(name);
  }
}

/** The `request` root offline: a CREATE with no user and no old object. */
const OFFLINE_REQUEST: Json = Object.freeze({ operation: "CREATE" });

/** A problem in the IR itself (an unbound variable, a pattern RE2 rejects). */
export class IrCompileError extends Error {
  override readonly name = "IrCompileError";
}

function compileRoot(root: Root, scope: Scope): (frame: Frame) => Json | undefined {
  switch (root.kind) {
    case "object":
      return (frame) => frame.input.object;
    case "pod":
      return (frame) => frame.input.pod;
    case "containers":
      return (frame) => {
        const containers = frame.containers;
        return containers === MISSING ? undefined : containers;
      };
    case "params":
      return (frame) => frame.input.params;
    case "namespace":
      return (frame) => frame.input.namespaceObject;
    case "request":
      return (frame) => frame.input.request ?? OFFLINE_REQUEST;
    case "var": {
      const slot = scope.slotOf(root.name);
      if (slot === undefined) {
        throw new IrCompileError(
          `variable "${root.name}" is not bound by any enclosing quantifier`,
        );
      }
      return (frame) => frame.vars[slot];
    }
  }
}

/** One step of a path: an object key or a list index; anything else is missing. */
function step(value: Json | undefined, segment: Segment): Json | undefined {
  if (typeof segment === "number") {
    return Array.isArray(value) && segment < value.length ? value[segment] : undefined;
  }
  return isObject(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
}

function compileRef(root: Root, path: readonly Segment[], scope: Scope): ValueFn {
  const start = compileRoot(root, scope);
  if (path.length === 0) return (frame) => present(start(frame));
  return (frame) => {
    let value = start(frame);
    for (const segment of path) {
      // null is missing: stepping through it, or ending on it, gives MISSING.
      if (value === null || value === undefined) return MISSING;
      value = step(value, segment);
    }
    return present(value);
  };
}

/** `<` and friends: numbers by value, strings by code point; anything else is unordered. */
function order(left: Json, right: Json): number | undefined {
  if (typeof left === "number" && typeof right === "number") return left - right;
  if (typeof left === "string" && typeof right === "string") return compareCodePoints(left, right);
  return undefined;
}

const comparisons = {
  "==": (l, r) => deepEqual(l, r),
  "!=": (l, r) => !deepEqual(l, r),
  "<": (l, r) => (order(l, r) ?? Number.NaN) < 0,
  "<=": (l, r) => (order(l, r) ?? Number.NaN) <= 0,
  ">": (l, r) => (order(l, r) ?? Number.NaN) > 0,
  ">=": (l, r) => (order(l, r) ?? Number.NaN) >= 0,
} as const satisfies Record<string, (left: Json, right: Json) => boolean>;

/** A literal string pattern is checked now: RE2 rejecting it is an error in the policy. */
function literalPattern(expr: Expr, toRe2: (s: string) => string): string | undefined {
  if (expr.kind !== "literal" || typeof expr.value !== "string") return undefined;
  const pattern = toRe2(expr.value);
  try {
    compileRe2(pattern);
  } catch (error) {
    throw new IrCompileError(
      `the pattern ${JSON.stringify(expr.value)} is not valid RE2: ${(error as Error).message}`,
    );
  }
  return pattern;
}

function compileStringTest(
  op: "startsWith" | "endsWith" | "contains" | "matches" | "glob",
  right: Expr,
): (left: string, right: string) => boolean {
  switch (op) {
    case "startsWith":
      return (l, r) => l.startsWith(r);
    case "endsWith":
      return (l, r) => l.endsWith(r);
    case "contains":
      return (l, r) => l.includes(r);
    case "matches": {
      const pattern = literalPattern(right, (s) => s);
      if (pattern === undefined) return (l, r) => re2Matches(r, l);
      const compiled = cachedRe2(pattern);
      return (l) => compiled?.test(l) ?? false;
    }
    case "glob": {
      const pattern = literalPattern(right, globToRe2);
      if (pattern === undefined) return (l, r) => globMatches(r, l);
      const compiled = cachedRe2(pattern);
      return (l) => compiled?.test(l) ?? false;
    }
  }
}

function all(tests: readonly TestFn[]): TestFn {
  if (tests.length === 1) return tests[0] as TestFn;
  return (frame) => {
    for (const test of tests) if (!test(frame)) return false;
    return true;
  };
}

function some(tests: readonly TestFn[]): TestFn {
  if (tests.length === 1) return tests[0] as TestFn;
  return (frame) => {
    for (const test of tests) if (test(frame)) return true;
    return false;
  };
}

/** Compiles an expression to the closure giving its value. */
export function compileValue(expr: Expr, scope: Scope): ValueFn {
  return visitExpr<ValueFn>(expr, {
    literal: ({ value }) => {
      const constant = present(value);
      return () => constant;
    },
    list: ({ items }) => {
      const fns = items.map((item) => compileValue(item, scope));
      return (frame) => {
        const values: Json[] = [];
        for (const fn of fns) {
          const value = fn(frame);
          if (value !== MISSING) values.push(value); // missing elements are dropped
        }
        return values;
      };
    },
    ref: ({ root, path }) => compileRef(root, path, scope),
    inventory: ({ apiVersion, resource, namespace }) => {
      const namespaceFn = namespace ? compileValue(namespace, scope) : undefined;
      return (frame) => {
        if (namespaceFn === undefined) {
          return (frame.input.inventory?.list(apiVersion, resource) ?? []) as Json[];
        }
        const within = namespaceFn(frame);
        if (typeof within !== "string") return MISSING;
        // No object lives in the namespace "" (the index keeps cluster-scoped kinds there).
        if (within === "") return [];
        return (frame.input.inventory?.list(apiVersion, resource, within) ?? []) as Json[];
      };
    },
    len: ({ arg }) => {
      const fn = compileValue(arg, scope);
      return (frame) => {
        const value = fn(frame);
        if (typeof value === "string") return codePointLength(value);
        if (Array.isArray(value)) return value.length;
        if (isObject(value)) return Object.keys(value).length;
        return MISSING;
      };
    },
    keys: ({ arg }) => {
      const fn = compileValue(arg, scope);
      return (frame) => {
        const value = fn(frame);
        // Sorted by code point, not by UTF-16 unit (JS's default sort), so astral keys agree.
        return isObject(value) ? Object.keys(value).sort(compareCodePoints) : MISSING;
      };
    },
    index: ({ value, key }) => {
      const valueFn = compileValue(value, scope);
      const keyFn = compileValue(key, scope);
      return (frame) => {
        const within = valueFn(frame);
        const k = keyFn(frame);
        // Own entries only: `constructor` or `__proto__` are keys like any other.
        if (!isObject(within) || typeof k !== "string" || !Object.hasOwn(within, k)) return MISSING;
        return present(within[k]);
      };
    },
    default: ({ value, fallback }) => {
      const valueFn = compileValue(value, scope);
      const fallbackFn = compileValue(fallback, scope);
      return (frame) => {
        const result = valueFn(frame);
        return result === MISSING ? fallbackFn(frame) : result;
      };
    },
    compare: (node) => compileTest(node, scope),
    in: (node) => compileTest(node, scope),
    string: (node) => compileTest(node, scope),
    and: (node) => compileTest(node, scope),
    or: (node) => compileTest(node, scope),
    not: (node) => compileTest(node, scope),
    quantifier: (node) => compileTest(node, scope),
    exists: (node) => compileTest(node, scope),
  });
}

/**
 * Compiles an expression read as a condition: it holds exactly when it evaluates to `true`
 * (so a missing value, a string or 1 does not hold).
 */
export function compileTest(expr: Expr, scope: Scope): TestFn {
  return visitExpr<TestFn>(expr, {
    literal: ({ value }) => {
      const holds = value === true;
      return () => holds;
    },
    list: () => () => false,
    ref: (node) => isTrue(compileValue(node, scope)),
    len: () => () => false,
    keys: () => () => false,
    inventory: () => () => false,
    index: (node) => isTrue(compileValue(node, scope)),
    default: (node) => isTrue(compileValue(node, scope)),
    compare: ({ op, left, right }) => {
      const leftFn = compileValue(left, scope);
      const rightFn = compileValue(right, scope);
      const compare = comparisons[op];
      return (frame) => {
        const l = leftFn(frame);
        if (l === MISSING) return false; // a missing operand makes every comparison false
        const r = rightFn(frame);
        return r !== MISSING && compare(l, r);
      };
    },
    in: ({ item, collection }) => {
      const itemFn = compileValue(item, scope);
      const collectionFn = compileValue(collection, scope);
      return (frame) => {
        const value = itemFn(frame);
        if (value === MISSING) return false;
        const within = collectionFn(frame);
        if (Array.isArray(within)) return within.some((element) => deepEqual(element, value));
        if (isObject(within)) return typeof value === "string" && Object.hasOwn(within, value);
        return false;
      };
    },
    string: ({ op, left, right }) => {
      const leftFn = compileValue(left, scope);
      const rightFn = compileValue(right, scope);
      const test = compileStringTest(op, right);
      return (frame) => {
        const l = leftFn(frame);
        if (typeof l !== "string") return false;
        const r = rightFn(frame);
        return typeof r === "string" && test(l, r);
      };
    },
    and: ({ args }) => all(args.map((arg) => compileTest(arg, scope))),
    or: ({ args }) => some(args.map((arg) => compileTest(arg, scope))),
    not: ({ arg }) => {
      const test = compileTest(arg, scope);
      return (frame) => !test(frame);
    },
    exists: ({ arg }) => {
      const fn = compileValue(arg, scope);
      return (frame) => fn(frame) !== MISSING;
    },
    quantifier: ({ quantifier, variable, collection, body }) => {
      const collectionFn = compileValue(collection, scope);
      const { scope: inner, slot } = scope.bind(variable);
      const bodyTest = compileTest(body, inner);
      // `any` over a missing or non-list collection is false, `all` is true; none = not any.
      const anyHolds: TestFn = (frame) => {
        const items = collectionFn(frame);
        if (!Array.isArray(items)) return false;
        for (const item of items) {
          frame.vars[slot] = item;
          if (bodyTest(frame)) return true;
        }
        return false;
      };
      if (quantifier === "any") return anyHolds;
      if (quantifier === "none") return (frame) => !anyHolds(frame);
      return (frame) => {
        const items = collectionFn(frame);
        if (!Array.isArray(items)) return true;
        for (const item of items) {
          frame.vars[slot] = item;
          if (!bodyTest(frame)) return false;
        }
        return true;
      };
    },
  });
}

function isTrue(fn: ValueFn): TestFn {
  return (frame) => fn(frame) === true;
}
