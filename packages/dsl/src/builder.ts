/**
 * The fluent builder: conditions assembled in code. It gives IR deep-equal to the template
 * form of the same condition (both go through @charter/ir's node factories). Builders are
 * immutable; nothing is lowered until `policy()` (or `toIR()`) asks, so a condition can be
 * lowered with the policy's parameters and the quantifier variables in scope.
 *
 * ### Examples
 * ```ts
 * any("c", pod.containers, (c) => c.at("securityContext.privileged").eq(true))
 * // IR: {kind:"quantifier", quantifier:"any", variable:"c", collection:{kind:"ref",
 * //      root:{kind:"containers"}, path:[]}, body:{kind:"compare", op:"==", …}}
 * ```
 */

import * as n from "@charter/ir";
import {
  CharterError,
  type ErrorLocation,
  type Expr,
  type Json,
  type Match,
  type Segment,
} from "@charter/ir";
import { callSite } from "./callsite.js";
import { checkInventoryKind } from "./inventory-kind.js";
import { notJsonReason } from "./json-value.js";
import { kindRefOf } from "./kind-ref.js";
import { bind, checkParam, checkPattern, type LowerContext, record } from "./lower-context.js";
import { pathStringPlaces } from "./path-places.js";
import { parsePathString } from "./path-string.js";
import { Positions } from "./positions.js";

type Lowering = (ctx: LowerContext) => Expr;

/** What a builder method accepts as an operand: a builder value, JSON, or a list of either. */
export type Operand = Value | Json | readonly Operand[];

function here(): ErrorLocation {
  return callSite() ?? {};
}

const VALUE = Symbol.for("charter.value");

/**
 * Whether `x` is a builder value. A brand rather than `instanceof`, so values from two loaded
 * copies of this package (the CLI's build and a policy's source) still work together.
 */
export function isValue(x: unknown): x is Value {
  return typeof x === "object" && x !== null && VALUE in x;
}

/** A value expression: a path, a literal, `len(x)`, `x ?? d`… */
export class Value {
  /** @internal */
  readonly [VALUE] = true;

  /** @internal Use the builder functions; `lower` is how a policy turns this into IR. */
  constructor(
    readonly lower: Lowering,
    /** @internal Where the builder call was written. */
    readonly location: ErrorLocation = {},
  ) {}

  /** The IR of this expression alone (no policy parameters checked). */
  toIR(): Expr {
    return this.lower({ scope: [], positions: new Positions() });
  }

  /** A path below this one: `at("securityContext.capabilities.add")`, `at("ports[0]")`. */
  at(path: string): Value {
    const at = here();
    let segments: Segment[];
    try {
      segments = parsePathString(path);
    } catch (error) {
      throw new CharterError(`at(${JSON.stringify(path)}): ${(error as Error).message}`, at);
    }
    return this.#extend(segments, at, pathStringPlaces(at, path, segments));
  }

  /** A path below this one, one segment per argument: `get("metadata", "labels", "app")`. */
  get(...segments: Segment[]): Value {
    const at = here();
    for (const segment of segments) {
      if (typeof segment === "number" && !(Number.isInteger(segment) && segment >= 0)) {
        throw new CharterError(`get(): ${segment} is not a list index (0, 1, 2, …)`, at);
      }
    }
    return this.#extend(segments, at);
  }

  /** `places`: where each new segment was written, when known (else at the call). */
  #extend(
    segments: readonly Segment[],
    at: ErrorLocation,
    places?: readonly (ErrorLocation | undefined)[],
  ): Value {
    return new Value((ctx) => {
      const base = this.lower(ctx);
      if (base.kind !== "ref") {
        throw new CharterError("only a path can be extended with at() or get()", at);
      }
      const path = [...base.path, ...segments];
      if (base.root.kind === "params") checkParam(ctx, path[0], places?.[0] ?? at);
      const ref = record(ctx, n.ref(base.root, path), at);
      const inherited = base.path.map(
        (_, index) => ctx.positions.segment(base, index) ?? ctx.positions.get(base),
      );
      ctx.positions.setSegments(ref, [...inherited, ...segments.map((_, i) => places?.[i] ?? at)]);
      return ref;
    }, at);
  }

  eq(other: Operand): Cond {
    return this.#compare("==", other);
  }
  ne(other: Operand): Cond {
    return this.#compare("!=", other);
  }
  lt(other: Operand): Cond {
    return this.#compare("<", other);
  }
  le(other: Operand): Cond {
    return this.#compare("<=", other);
  }
  gt(other: Operand): Cond {
    return this.#compare(">", other);
  }
  ge(other: Operand): Cond {
    return this.#compare(">=", other);
  }

  #compare(op: "==" | "!=" | "<" | "<=" | ">" | ">=", other: Operand): Cond {
    const at = here();
    const right = toValue(other, at);
    return new Cond((ctx) => record(ctx, n.compare(op, this.lower(ctx), right.lower(ctx)), at), at);
  }

  /** Membership: an element of a list, or a key of an object. */
  in(collection: Operand): Cond {
    const at = here();
    const right = toValue(collection, at);
    return new Cond((ctx) => record(ctx, n.membership(this.lower(ctx), right.lower(ctx)), at), at);
  }

  startsWith(prefix: Operand): Cond {
    return this.#string("startsWith", prefix);
  }
  endsWith(suffix: Operand): Cond {
    return this.#string("endsWith", suffix);
  }
  contains(part: Operand): Cond {
    return this.#string("contains", part);
  }
  /** RE2 partial match; a literal pattern RE2 rejects is an error. */
  matches(pattern: Operand): Cond {
    return this.#string("matches", pattern);
  }
  /** Whole-string glob: `*` any run of characters, `?` one character. */
  glob(pattern: Operand): Cond {
    return this.#string("glob", pattern);
  }

  #string(op: "startsWith" | "endsWith" | "contains" | "matches" | "glob", other: Operand): Cond {
    const at = here();
    const right = toValue(other, at);
    return new Cond((ctx) => {
      const pattern = right.lower(ctx);
      if (op === "matches") checkPattern(pattern, ctx.positions.get(pattern) ?? at);
      return record(ctx, n.stringTest(op, this.lower(ctx), pattern), at);
    }, at);
  }

  /** True exactly when this resolves to a non-null value. */
  exists(): Cond {
    const at = here();
    return new Cond((ctx) => record(ctx, n.exists(this.lower(ctx)), at), at);
  }

  /** This value, or `fallback` when it is missing (`??`). */
  orElse(fallback: Operand): Value {
    const at = here();
    const other = toValue(fallback, at);
    return new Value((ctx) => record(ctx, n.orElse(this.lower(ctx), other.lower(ctx)), at), at);
  }

  /** Code points of a string, elements of a list, keys of an object. */
  len(): Value {
    const at = here();
    return new Value((ctx) => record(ctx, n.len(this.lower(ctx)), at), at);
  }

  /** An object's keys, sorted by code point; missing when this is not an object. */
  keys(): Value {
    const at = here();
    return new Value((ctx) => record(ctx, n.keys(this.lower(ctx)), at), at);
  }

  /**
   * The entry of this object under `key`, a value known only at run time (the template's
   * `x[k]`); missing when this is not an object, key is not a string or the entry is absent.
   * For a key known now, use `get(key)`: a plain path step.
   */
  lookup(key: Operand): Value {
    const at = here();
    const k = toValue(key, at);
    return new Value((ctx) => record(ctx, n.index(this.lower(ctx), k.lower(ctx)), at), at);
  }
}

/** A condition: a value read as a truth value, with `and`, `or` and `not`. */
export class Cond extends Value {
  and(...others: Operand[]): Cond {
    return junction("and", [this, ...others], here());
  }
  or(...others: Operand[]): Cond {
    return junction("or", [this, ...others], here());
  }
  not(): Cond {
    return negation(this, here());
  }
}

function junction(kind: "and" | "or", operands: readonly Operand[], at: ErrorLocation): Cond {
  if (operands.length === 0) throw new CharterError(`${kind}() needs at least one condition`, at);
  const values = operands.map((operand) => toValue(operand, at));
  return new Cond((ctx) => {
    const args = values.map((value) => value.lower(ctx));
    const node = kind === "and" ? n.and(args) : n.or(args);
    return node === args[0] ? node : record(ctx, node, ctx.positions.get(args[0] as Expr) ?? at);
  }, at);
}

function negation(operand: Operand, at: ErrorLocation): Cond {
  const value = toValue(operand, at);
  return new Cond((ctx) => record(ctx, n.not(value.lower(ctx)), at), at);
}

/** JSON becomes a literal; a list holding builder values becomes a list expression. */
export function toValue(operand: Operand, at: ErrorLocation): Value {
  if (isValue(operand)) return operand;
  if (Array.isArray(operand) && operand.some((item) => containsValue(item))) {
    const items = operand.map((item) => toValue(item, at));
    return new Value((ctx) => record(ctx, n.list(items.map((item) => item.lower(ctx))), at), at);
  }
  const reason = notJsonReason(operand);
  if (reason) {
    throw new CharterError(`${reason}: a condition takes JSON values or DSL expressions`, at);
  }
  const json = operand as Json;
  return new Value((ctx) => record(ctx, n.literal(json), at), at);
}

function containsValue(operand: unknown): boolean {
  return isValue(operand) || (Array.isArray(operand) && operand.some(containsValue));
}

function rootValue(root: Expr & { kind: "ref" }, at: ErrorLocation): Lowering {
  return (ctx) => record(ctx, n.ref(root.root, root.path), at);
}

// ---- roots ----------------------------------------------------------------------------------

/** @internal The key under which match markers carry their `Match`. */
export const MATCH = Symbol.for("charter.match");

/** A `Match` before the policy's `namespaces` are added. */
export type MatchSubject = Match extends infer M
  ? M extends Match
    ? Omit<M, "namespaces">
    : never
  : never;

export interface MatchMarker {
  readonly [MATCH]: MatchSubject;
}

/**
 * `pod`: the pod view, and at the same time the match marker for Pods and pod controllers.
 * `pod.only` matches Pods without their controllers.
 */
export class PodRoot extends Value implements MatchMarker {
  readonly [MATCH] = { subject: "pod", controllers: true } as const;
  readonly only: MatchMarker = { [MATCH]: { subject: "pod", controllers: false } };
  readonly spec: Value;
  readonly metadata: Value;
  readonly containers: Value;

  constructor() {
    super(rootValue({ kind: "ref", root: { kind: "pod" }, path: [] }, {}));
    this.spec = new Value(rootValue({ kind: "ref", root: { kind: "pod" }, path: ["spec"] }, {}));
    this.metadata = new Value(
      rootValue({ kind: "ref", root: { kind: "pod" }, path: ["metadata"] }, {}),
    );
    this.containers = new Value(
      rootValue({ kind: "ref", root: { kind: "containers" }, path: [] }, {}),
    );
  }
}

export const pod: PodRoot = new PodRoot();

/** The resource under review as written (the `object` root of templates). */
export const resource: Value = new Value(
  rootValue({ kind: "ref", root: { kind: "object" }, path: [] }, {}),
);

/** The policy's parameters: `params.at("allowed")`. */
export const params: Value = new Value(
  rootValue({ kind: "ref", root: { kind: "params" }, path: [] }, {}),
);

/**
 * The Namespace object of the resource's namespace (the template's `namespaceObject`): a rule
 * that reads it is skipped when the resource names no namespace or its Namespace is unknown.
 */
export const namespaceObject: Value = new Value(
  rootValue({ kind: "ref", root: { kind: "namespace" }, path: [] }, {}),
);

/**
 * What admission knows beyond the object (the template's `request`): `request.at("operation")`,
 * `request.at("userInfo.username")`, `request.at("oldObject.metadata.labels.team")`.
 */
export const request: Value = new Value(
  rootValue({ kind: "ref", root: { kind: "request" }, path: [] }, {}),
);

/**
 * The known objects of a kind, any version, sorted by name: `inventory("v1", "Namespace")`
 * for a cluster-scoped kind, `inventory("networking.k8s.io/v1", "NetworkPolicy",
 * resource.at("metadata.namespace"))` for a namespaced one (those in that namespace).
 * A list to quantify over (`any`, `all`, `none`) or count (`len`).
 */
export function inventory(apiVersion: string, kind: string, namespace?: Operand): Value {
  const at = here();
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new CharterError(
      "inventory(): the apiVersion and the kind must be strings",
      at,
      'write e.g. inventory("networking.k8s.io/v1", "NetworkPolicy", resource.at("metadata.namespace"))',
    );
  }
  checkInventoryKind(apiVersion, kind, { apiVersion: at, kind: at });
  const ns = namespace === undefined ? undefined : toValue(namespace, at);
  return new Value((ctx) => record(ctx, n.inventory(apiVersion, kind, ns?.lower(ctx)), at), at);
}

/** `kinds("v1/Service", "apps/v1/Deployment")`: match resources of these kinds. */
export function kinds(...apiVersionKinds: string[]): MatchMarker {
  const at = here();
  if (apiVersionKinds.length === 0) throw new CharterError("kinds() needs at least one kind", at);
  const refs = apiVersionKinds.map((text) => kindRefOf(text, "kinds()", at));
  return { [MATCH]: { subject: "kinds", kinds: refs } };
}

export function isMatchMarker(value: unknown): value is MatchMarker {
  return typeof value === "object" && value !== null && MATCH in value;
}

// ---- free functions -------------------------------------------------------------------------

export function lit(value: Json): Value {
  return toValue(value, here());
}

export function and(...conditions: Operand[]): Cond {
  return junction("and", conditions, here());
}

export function or(...conditions: Operand[]): Cond {
  return junction("or", conditions, here());
}

export function not(condition: Operand): Cond {
  return negation(condition, here());
}

export function exists(value: Value): Cond {
  return value.exists();
}

export function len(value: Operand): Value {
  const at = here();
  return toValue(value, at).len();
}

export function keys(value: Operand): Value {
  const at = here();
  return toValue(value, at).keys();
}

function quantify(
  kind: "any" | "all" | "none",
  variable: string,
  collection: Operand,
  body: (element: Value) => Operand,
  at: ErrorLocation,
): Cond {
  const items = toValue(collection, at);
  const element = new Value((ctx) => {
    if (!ctx.scope.includes(variable)) {
      throw new CharterError(
        `the variable \`${variable}\` is used outside its \`${kind}\``,
        at,
        "use a quantifier's variable only inside its body",
      );
    }
    return record(ctx, n.ref({ kind: "var", name: variable }), at);
  }, at);
  const predicate = toValue(body(element), at);
  return new Cond((ctx) => {
    const inner = bind(ctx, variable, at);
    return record(ctx, n.quantifier(kind, variable, items.lower(ctx), predicate.lower(inner)), at);
  }, at);
}

/** `any("c", pod.containers, (c) => …)`: some element makes the body true. */
export function any(
  variable: string,
  collection: Operand,
  body: (element: Value) => Operand,
): Cond {
  return quantify("any", variable, collection, body, here());
}

/** Every element makes the body true (true over an empty or missing list). */
export function all(
  variable: string,
  collection: Operand,
  body: (element: Value) => Operand,
): Cond {
  return quantify("all", variable, collection, body, here());
}

/** No element makes the body true. */
export function none(
  variable: string,
  collection: Operand,
  body: (element: Value) => Operand,
): Cond {
  return quantify("none", variable, collection, body, here());
}
