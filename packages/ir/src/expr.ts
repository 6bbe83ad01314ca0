/**
 * Expressions: the condition language every target must agree on.
 *
 * Evaluation yields a JSON value or MISSING. A path that does not resolve, or resolves to
 * `null`, is missing. The rules below are the whole semantics; every emitter and every engine
 * implements exactly these (the package README gives the long form).
 */
import type { Json } from "./json.js";

/** One step of a path: an object key, or a list index (0-based, never negative). */
export type Segment = string | number;

/**
 * Where a reference starts.
 * - `object`: the resource under review, as written (`object.metadata.name`).
 * - `pod`: the pod view `{metadata, spec}` — a Pod itself, or the pod template of a
 *   controller (Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job:
 *   `spec.template`; CronJob: `spec.jobTemplate.spec.template`). Only in policies matching `pod`.
 * - `containers`: `pod.containers`, the list `spec.containers ++ spec.initContainers ++
 *   spec.ephemeralContainers` of the pod view, in that order; a missing list adds nothing.
 * - `params`: the policy's parameters, defaults merged with the configured values.
 * - `var`: a variable bound by a quantifier.
 * - `namespace`: the Namespace object named by the resource's `metadata.namespace` (for a pod
 *   controller, the controller's), as the API server binds it to CEL's `namespaceObject`:
 *   `metadata` (name, generateName, namespace, uid, resourceVersion, generation,
 *   deletionGracePeriodSeconds, labels, annotations, finalizers), `spec.finalizers` and
 *   `status.phase`, with empty strings, maps and lists absent (Go's `omitempty`). Offline it
 *   comes from the scanned set; in a cluster, from the API server or the engine's inventory. A rule that reads it
 *   is SKIPPED, with the reason, when the resource names no namespace or that Namespace is not
 *   known — on every engine alike, before the condition is judged.
 * - `request`: what admission knows beyond the object (README item 17, operations.ts):
 *   `{operation, userInfo, oldObject}`. `operation` is "CREATE", "UPDATE" or "DELETE";
 *   `userInfo` is `{username, uid, groups, extra}` as the API server sends it (missing offline);
 *   `oldObject` is the object before the change (an UPDATE's stored object, the object a DELETE
 *   removes; missing on a CREATE and offline). Offline every object is judged as a CREATE. A
 *   path under `request` must start with one of those three names (`REQUEST_FIELDS`).
 */
export type Root =
  | { readonly kind: "object" }
  | { readonly kind: "pod" }
  | { readonly kind: "containers" }
  | { readonly kind: "params" }
  | { readonly kind: "namespace" }
  | { readonly kind: "request" }
  | { readonly kind: "var"; readonly name: string };

/** A literal JSON value. Never missing (a `null` literal is missing, like any null). */
export interface Literal {
  readonly kind: "literal";
  readonly value: Json;
}

/** A list built from expressions; missing elements are dropped. */
export interface ListExpr {
  readonly kind: "list";
  readonly items: readonly Expr[];
}

/**
 * A path from a root. Each segment steps into an object (string key) or a list (number
 * index); stepping into anything else, an absent key, or an index out of range is missing.
 */
export interface Ref {
  readonly kind: "ref";
  readonly root: Root;
  readonly path: readonly Segment[];
}

/**
 * Comparisons. A missing operand makes them false. Operands of different JSON types are
 * never equal and never ordered. `==` is deep on lists and objects; numbers compare by value.
 * `<`, `<=`, `>`, `>=` are defined on two numbers or two strings (by Unicode code point) only.
 * `!=` is true exactly when both operands are present and not `==`.
 */
export interface Compare {
  readonly kind: "compare";
  readonly op: "==" | "!=" | "<" | "<=" | ">" | ">=";
  readonly left: Expr;
  readonly right: Expr;
}

/**
 * `item in collection`: for a list, some element `==` item; for an object, item is a string
 * and a key of it. Anything else, or a missing operand, is false.
 */
export interface In {
  readonly kind: "in";
  readonly item: Expr;
  readonly collection: Expr;
}

/**
 * String predicates. Both operands must be strings, else false.
 * `matches`: RE2 partial match of `right` (the pattern) in `left`; a literal pattern RE2
 * rejects is a compile error, a pattern from data that RE2 rejects makes it false.
 * `glob`: `right` is a glob over the whole of `left`: `*` any run of characters (including
 * `/` and `.`), `?` exactly one character (code point); nothing else is special. Every target
 * compiles a glob to an anchored RE2 pattern.
 */
export interface StringTest {
  readonly kind: "string";
  readonly op: "startsWith" | "endsWith" | "contains" | "matches" | "glob";
  readonly left: Expr;
  readonly right: Expr;
}

export interface And {
  readonly kind: "and";
  readonly args: readonly Expr[];
}

export interface Or {
  readonly kind: "or";
  readonly args: readonly Expr[];
}

/** `not p` is true exactly when `p` is not true (so a missing operand's false becomes true). */
export interface Not {
  readonly kind: "not";
  readonly arg: Expr;
}

/**
 * `any x in C: p` — some element makes p true; false over a missing, empty or non-list C.
 * `all x in C: p` — every element makes p true; true over a missing, empty or non-list C.
 * `none x in C: p` — no element makes p true (`not any`).
 * Quantifiers range over lists only (an object C counts as non-list). `x` shadows an outer `x`.
 */
export interface Quantifier {
  readonly kind: "quantifier";
  readonly quantifier: "any" | "all" | "none";
  readonly variable: string;
  readonly collection: Expr;
  readonly body: Expr;
}

/** `exists(path)`: true exactly when the path resolves to a non-null value. */
export interface Exists {
  readonly kind: "exists";
  readonly arg: Expr;
}

/** `x ?? d`: x, or d when x is missing. */
export interface Default {
  readonly kind: "default";
  readonly value: Expr;
  readonly fallback: Expr;
}

/** `len(x)`: code points of a string, elements of a list, keys of an object; else missing. */
export interface Len {
  readonly kind: "len";
  readonly arg: Expr;
}

/**
 * `keys(x)`: the keys of an object, as a list of strings sorted by Unicode code point (so two
 * objects with the same keys give equal lists on every engine, whatever order an engine keeps
 * them in); missing when x is not an object. `keys({})` is the empty list.
 */
export interface Keys {
  readonly kind: "keys";
  readonly arg: Expr;
}

/**
 * `value[key]`: the value under the string `key` of the object `value`, for a key known only
 * at run time; missing when value is not an object, key is not a string, or the entry is
 * absent or null. A literal key is a plain path segment instead (a `ref`).
 */
export interface Index {
  readonly kind: "index";
  readonly value: Expr;
  readonly key: Expr;
}

/**
 * `inventory(apiVersion, kind[, namespace])`: the other objects a policy may look at — offline
 * the scanned set, in a cluster what the engine has synced (Gatekeeper's `data.inventory`).
 * The list of every known object whose API group is `apiVersion`'s group (any version: the API
 * server serves each kind in all its versions) and whose kind is `resource`; for a namespaced
 * kind, those whose `metadata.namespace` equals `namespace` (missing when that is not a
 * string); without `namespace`, a cluster-scoped kind. Sorted by `metadata.name` (code points);
 * of objects with the same group, kind, namespace and name, the last one read counts.
 * `apiVersion` is the version admission targets sync and read.
 */
export interface Inventory {
  readonly kind: "inventory";
  readonly apiVersion: string;
  readonly resource: string;
  readonly namespace?: Expr;
}

export type Expr =
  | Literal
  | ListExpr
  | Ref
  | Compare
  | In
  | StringTest
  | And
  | Or
  | Not
  | Quantifier
  | Exists
  | Default
  | Len
  | Keys
  | Index
  | Inventory;

export type ExprKind = Expr["kind"];

/**
 * A condition is an expression read as a truth value: it holds exactly when it evaluates to
 * `true`. Any other value (missing, a string, 1) does not hold.
 */
export type Condition = Expr;
