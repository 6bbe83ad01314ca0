/**
 * Types every expression of a condition or message hole and reports what can never work:
 * a path the types do not have, a comparison that is always false, an operator applied to a
 * value it is not defined on. Where the type is unknown (`any`), everything is accepted.
 */
import { didYouMean, type Expr, groupOf, type Json, type Ref, type Segment } from "@charter/ir";
import { kindType } from "./k8s-table.js";
import { pathText, resolvePath } from "./resolve-path.js";
import {
  ANY,
  admits,
  describeType,
  type JsonKind,
  jsonKinds,
  listOf,
  scalar,
  type Ty,
  unionOf,
} from "./types.js";

/** What the roots of a policy's references are; undefined roots may not be used. */
export interface RootTypes {
  readonly object: Ty;
  readonly pod?: Ty;
  readonly containers?: Ty;
  readonly params: Ty;
  /** `namespaceObject`: a core v1 Namespace, whatever the policy matches. */
  readonly namespace: Ty;
  /** `request`: the operation, the user and the old object (request-type.ts). */
  readonly request: Ty;
}

export interface TypeProblem {
  readonly node: Expr;
  readonly message: string;
  readonly hint?: string;
  /** For a path: the index of the segment the problem is at. */
  readonly segment?: number;
}

export type Scope = ReadonlyMap<string, Ty>;

export class ExprChecker {
  constructor(
    private readonly roots: RootTypes,
    private readonly report: (problem: TypeProblem) => void,
  ) {}

  /** The type of `expr`'s value, reporting problems inside it. */
  typeOf(expr: Expr, scope: Scope): Ty {
    switch (expr.kind) {
      case "literal":
        return literalType(expr.value);
      case "list":
        return listOf(unionOf(expr.items.map((item) => this.typeOf(item, scope))));
      case "ref":
        return this.refType(expr, scope);
      case "compare":
        this.checkCompare(expr, expr.op, expr.left, expr.right, scope);
        return BOOLEAN;
      case "in":
        this.checkIn(expr, scope);
        return BOOLEAN;
      case "string":
        this.checkStringTest(expr, scope);
        return BOOLEAN;
      case "and":
      case "or":
        for (const arg of expr.args) this.typeOf(arg, scope);
        return BOOLEAN;
      case "not":
      case "exists":
        this.typeOf(expr.arg, scope);
        return BOOLEAN;
      case "quantifier": {
        const element = this.elementType(expr, scope);
        this.typeOf(expr.body, new Map([...scope, [expr.variable, element]]));
        return BOOLEAN;
      }
      case "default":
        return unionOf([this.typeOf(expr.value, scope), this.typeOf(expr.fallback, scope)]);
      case "len":
        this.checkLen(expr, scope);
        return scalar("integer");
      case "keys":
        this.checkKeys(expr, scope);
        return listOf(scalar("string"));
      case "index":
        return this.indexType(expr, scope);
      case "inventory":
        return this.inventoryType(expr, scope);
    }
  }

  /** The type of the elements a quantifier binds, reporting a collection that is no list. */
  elementType(expr: Extract<Expr, { kind: "quantifier" }>, scope: Scope): Ty {
    const collection = this.typeOf(expr.collection, scope);
    if (!admits(collection, "list")) {
      this.report({
        node: expr,
        message: `\`${expr.quantifier}\` ranges over a list, but ${operand(expr.collection)} is ${describeType(collection)}, so it ${expr.quantifier === "any" ? "is always false" : "always holds"}`,
        hint: "quantify over a list field (an object's keys cannot be quantified)",
      });
      return ANY;
    }
    return elementsOf(collection);
  }

  private refType(ref: Ref, scope: Scope): Ty {
    const start = this.rootType(ref, scope);
    if (!start) return ANY;
    const result = resolvePath(start.type, ref.path, start.text);
    if (result.ok) return result.type;
    this.report({ node: ref, ...result.problem, segment: result.index });
    return ANY;
  }

  private rootType(ref: Ref, scope: Scope): { type: Ty; text: string } | undefined {
    const root = ref.root;
    switch (root.kind) {
      case "object":
        return { type: this.roots.object, text: "object" };
      case "params":
        return { type: this.roots.params, text: "params" };
      case "namespace":
        return { type: this.roots.namespace, text: "namespaceObject" };
      case "request":
        if (ref.path.length > 0) return { type: this.roots.request, text: "request" };
        this.report({
          node: ref,
          message: "`request` is not a value by itself",
          hint: "read `request.operation`, `request.userInfo…` or `request.oldObject…`",
        });
        return undefined;
      case "pod":
      case "containers": {
        const type = this.roots[root.kind];
        const text = root.kind === "pod" ? "pod" : "pod.containers";
        if (type) return { type, text };
        this.report({
          node: ref,
          message: `\`${text}\` is only available in a policy that matches pods`,
          hint: "use `match: pod`, or read the resource through `object`",
        });
        return undefined;
      }
      case "var": {
        const type = scope.get(root.name);
        if (type) return { type, text: root.name };
        const hint = didYouMean(root.name, [...scope.keys()], "nearest-one");
        this.report({
          node: ref,
          message: `unknown variable \`${root.name}\`: no \`any\`/\`all\`/\`none\` around it binds it`,
          ...(hint ? { hint } : {}),
        });
        return undefined;
      }
    }
  }

  private checkCompare(node: Expr, op: string, left: Expr, right: Expr, scope: Scope): void {
    const leftType = this.typeOf(left, scope);
    const rightType = this.typeOf(right, scope);
    for (const side of [left, right]) {
      if (side.kind === "literal" && side.value === null) {
        this.report({
          node,
          message: `comparing with null is always false: a null value counts as missing`,
          hint: "test for presence with `exists(…)` or `not exists(…)`",
        });
        return;
      }
    }
    if (op === "<" || op === "<=" || op === ">" || op === ">=") {
      for (const [side, type] of [
        [left, leftType],
        [right, rightType],
      ] as const) {
        if (!admits(type, "number") && !admits(type, "string")) {
          this.report({
            node,
            message: `\`${op}\` orders numbers or strings, but ${operand(side)} is ${describeType(type)}, so this is always false`,
          });
          return;
        }
      }
    }
    this.checkSameKind(node, left, leftType, right, rightType);
  }

  private checkSameKind(node: Expr, left: Expr, leftType: Ty, right: Expr, rightType: Ty): void {
    const leftKinds = jsonKinds(leftType);
    const rightKinds = jsonKinds(rightType);
    if (!leftKinds || !rightKinds || [...leftKinds].some((kind) => rightKinds.has(kind))) return;
    if (left.kind === "literal" && right.kind === "literal") return;
    const [field, fieldType, other] =
      left.kind === "literal" ? [right, rightType, left] : [left, leftType, right];
    const otherType = field === left ? rightType : leftType;
    const message =
      other.kind === "literal"
        ? `${operand(field)} is ${describeType(fieldType)}; comparing it with ${describeLiteral(other.value)} is always false`
        : `${operand(field)} is ${describeType(fieldType)} and ${operand(other)} is ${describeType(otherType)}; comparing them is always false`;
    this.report({ node, message, ...literalHint(fieldType, other) });
  }

  private checkIn(node: Extract<Expr, { kind: "in" }>, scope: Scope): void {
    const itemType = this.typeOf(node.item, scope);
    const collectionType = this.typeOf(node.collection, scope);
    const kinds = jsonKinds(collectionType);
    if (kinds && !kinds.has("list") && !kinds.has("object")) {
      this.report({
        node,
        message: `\`in\` looks in a list or among an object's keys, but ${operand(node.collection)} is ${describeType(collectionType)}, so this is always false`,
        ...(kinds.has("string") ? { hint: "for a substring, use `contains`" } : {}),
      });
      return;
    }
    if (collectionType.kind === "list") {
      const elementKinds = jsonKinds(collectionType.element);
      const itemKinds = jsonKinds(itemType);
      if (elementKinds && itemKinds && ![...itemKinds].some((kind) => elementKinds.has(kind))) {
        this.report({
          node,
          message: `${operand(node.item)} is ${describeType(itemType)}, but the elements of ${operand(node.collection)} are ${plural(collectionType.element)}; \`in\` is always false`,
        });
      }
    } else if (
      (collectionType.kind === "map" || collectionType.kind === "object") &&
      !admits(itemType, "string")
    ) {
      this.report({
        node,
        message: `an object's keys are strings, but ${operand(node.item)} is ${describeType(itemType)}; \`in\` is always false`,
      });
    }
  }

  private checkStringTest(node: Extract<Expr, { kind: "string" }>, scope: Scope): void {
    for (const side of [node.left, node.right]) {
      const type = this.typeOf(side, scope);
      if (!admits(type, "string")) {
        this.report({
          node,
          message: `\`${node.op}\` works on strings, but ${operand(side)} is ${describeType(type)}, so this is always false`,
        });
      }
    }
  }

  private checkLen(node: Extract<Expr, { kind: "len" }>, scope: Scope): void {
    const type = this.typeOf(node.arg, scope);
    const kinds = jsonKinds(type);
    const countable: readonly JsonKind[] = ["string", "list", "object"];
    if (kinds && !countable.some((kind) => kinds.has(kind))) {
      this.report({
        node,
        message: `\`len\` counts a string's characters, a list's elements or an object's keys, but ${operand(node.arg)} is ${describeType(type)}`,
      });
    }
  }

  /** `x[k]`: the value type of x's entries; reports an x that is no object, a k no string. */
  private indexType(node: Extract<Expr, { kind: "index" }>, scope: Scope): Ty {
    const type = this.typeOf(node.value, scope);
    const keyType = this.typeOf(node.key, scope);
    if (!admits(type, "object")) {
      this.report({
        node,
        message: `\`[…]\` reads an object's entry, but ${operand(node.value)} is ${describeType(type)}, so it is always missing`,
      });
      return ANY;
    }
    if (!admits(keyType, "string")) {
      this.report({
        node,
        message: `an object's keys are strings, but ${operand(node.key)} is ${describeType(keyType)}, so \`[…]\` is always missing`,
      });
    }
    return entryType(type);
  }

  /**
   * `inventory(…)`: a list of the kind's objects (any, for a kind the table lacks). The table
   * does not record which kinds are namespaced, so a namespace given for a cluster-scoped kind
   * (or left out for a namespaced one) is not caught here.
   */
  private inventoryType(node: Extract<Expr, { kind: "inventory" }>, scope: Scope): Ty {
    if (node.namespace) {
      const type = this.typeOf(node.namespace, scope);
      if (!admits(type, "string")) {
        this.report({
          node,
          message: `a namespace is a string, but ${operand(node.namespace)} is ${describeType(type)}, so \`inventory(${JSON.stringify(node.apiVersion)}, ${JSON.stringify(node.resource)}, …)\` is always missing`,
          hint: "pass the resource's namespace, e.g. `object.metadata.namespace`",
        });
      }
    }
    const element = kindType({ group: groupOf(node.apiVersion), kind: node.resource });
    return listOf(element ?? ANY);
  }

  private checkKeys(node: Extract<Expr, { kind: "keys" }>, scope: Scope): void {
    const type = this.typeOf(node.arg, scope);
    const kinds = jsonKinds(type);
    if (kinds && !kinds.has("object")) {
      this.report({
        node,
        message: `\`keys\` lists an object's keys, but ${operand(node.arg)} is ${describeType(type)}, so it is always missing`,
      });
    }
  }
}

/** The value type of a map or of the maps of a union; anything for other objects. */
function entryType(type: Ty): Ty {
  if (type.kind === "map") return type.value;
  if (type.kind === "union") return unionOf(type.members.map(entryType));
  return ANY;
}

const BOOLEAN = scalar("boolean");

function elementsOf(type: Ty): Ty {
  if (type.kind === "list") return type.element;
  if (type.kind === "union") {
    return unionOf(
      type.members.flatMap((member) => (member.kind === "list" ? [member.element] : [])),
    );
  }
  return ANY;
}

export function literalType(value: Json): Ty {
  if (value === null) return ANY;
  if (typeof value === "string") return scalar("string");
  if (typeof value === "boolean") return BOOLEAN;
  if (typeof value === "number") return scalar(Number.isInteger(value) ? "integer" : "number");
  if (Array.isArray(value)) return listOf(unionOf(value.map(literalType)));
  return ANY;
}

/** How an operand reads in a message: `privileged`, `len(…)`, the string "true". */
function operand(expr: Expr): string {
  if (expr.kind === "ref") return `\`${lastName(expr.path) ?? refRootText(expr)}\``;
  if (expr.kind === "literal") return describeLiteral(expr.value);
  if (expr.kind === "len" || expr.kind === "keys")
    return `\`${expr.kind}(${operand(expr.arg).replaceAll("`", "")})\``;
  if (expr.kind === "inventory")
    return `\`inventory(${JSON.stringify(expr.apiVersion)}, ${JSON.stringify(expr.resource)}${expr.namespace ? ", …" : ""})\``;
  return "the value";
}

function lastName(path: readonly Segment[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === "string") return pathText("", path.slice(i));
  }
  return undefined;
}

function refRootText(ref: Ref): string {
  const root = ref.root;
  const text =
    root.kind === "var"
      ? root.name
      : root.kind === "containers"
        ? "pod.containers"
        : root.kind === "namespace"
          ? "namespaceObject"
          : root.kind;
  return pathText(text, ref.path);
}

function describeLiteral(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  return Array.isArray(value) ? "a list" : "an object";
}

function plural(type: Ty): string {
  return `${describeType(type).replace(/^an? /, "")}s`;
}

/** `privileged == "true"` → did you mean `true`? */
function literalHint(fieldType: Ty, other: Expr): { hint?: string } {
  if (other.kind !== "literal") return {};
  const value = other.value;
  if (typeof value === "string") {
    if (admits(fieldType, "boolean") && (value === "true" || value === "false")) {
      return { hint: `did you mean \`${value}\` without quotes?` };
    }
    if (admits(fieldType, "number") && value.trim() !== "" && Number.isFinite(Number(value))) {
      return { hint: `did you mean \`${value}\` without quotes?` };
    }
  }
  if ((typeof value === "number" || typeof value === "boolean") && admits(fieldType, "string")) {
    return { hint: `did you mean the string \`"${value}"\`?` };
  }
  return {};
}
