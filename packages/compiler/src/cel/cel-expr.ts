/**
 * A CEL expression as a tree, as deep as placing brackets needs: the operators by how loosely
 * they bind (`? :`, then `||`, `&&`, the relations and `+`, then `!`) over primary expressions
 * — names, literals, calls, selections and indexes — which never need brackets. print-cel.ts
 * decides every bracket from these nodes; nothing reads printed text back.
 */

export type CelExpr =
  | CelName
  | CelLiteral
  | CelNumber
  | CelGroup
  | CelCall
  | CelSelect
  | CelIndex
  | CelList
  | CelNot
  | CelRelation
  | CelConcat
  | CelAnd
  | CelOr
  | CelConditional;

/** A variable or a dotted name: `object`, `variables.pod`, `c_1`. */
export interface CelName {
  readonly kind: "name";
  readonly name: string;
}

/** A literal printed as it stands: a string, `true`, `null`, a list or map, a count. */
export interface CelLiteral {
  readonly kind: "literal";
  readonly text: string;
}

/** A number from the IR: may be negative or have an exponent, so an operand is bracketed. */
export interface CelNumber {
  readonly kind: "number";
  readonly text: string;
}

/** Brackets the emitter writes itself (a type test that must stay one operand). */
export interface CelGroup {
  readonly kind: "group";
  readonly inner: CelExpr;
}

/** `f(args)`, or `receiver.f(args)` for a method or a macro. */
export interface CelCall {
  readonly kind: "call";
  readonly receiver?: CelExpr;
  readonly name: string;
  readonly args: readonly CelExpr[];
}

/** `operand.field`. */
export interface CelSelect {
  readonly kind: "select";
  readonly operand: CelExpr;
  readonly field: string;
}

/** `operand[key]`. */
export interface CelIndex {
  readonly kind: "index";
  readonly operand: CelExpr;
  readonly key: CelExpr;
}

/** `[items]`. */
export interface CelList {
  readonly kind: "list";
  readonly items: readonly CelExpr[];
}

export interface CelNot {
  readonly kind: "not";
  readonly operand: CelExpr;
}

export interface CelRelation {
  readonly kind: "relation";
  readonly op: "==" | "!=" | "<" | "<=" | ">" | ">=" | "in";
  readonly left: CelExpr;
  readonly right: CelExpr;
}

/** String concatenation with `+`. */
export interface CelConcat {
  readonly kind: "concat";
  readonly parts: readonly CelExpr[];
}

export interface CelAnd {
  readonly kind: "and";
  readonly args: readonly CelExpr[];
}

export interface CelOr {
  readonly kind: "or";
  readonly args: readonly CelExpr[];
}

/** `test ? then : otherwise`. */
export interface CelConditional {
  readonly kind: "conditional";
  readonly test: CelExpr;
  readonly then: CelExpr;
  readonly otherwise: CelExpr;
}

export const name = (text: string): CelName => ({ kind: "name", name: text });
export const literal = (text: string): CelLiteral => ({ kind: "literal", text });
export const number = (text: string): CelNumber => ({ kind: "number", text });
export const group = (inner: CelExpr): CelGroup => ({ kind: "group", inner });
export const call = (fn: string, ...args: CelExpr[]): CelCall => ({ kind: "call", name: fn, args });
export const method = (receiver: CelExpr, fn: string, ...args: CelExpr[]): CelCall => ({
  kind: "call",
  receiver,
  name: fn,
  args,
});
export const select = (operand: CelExpr, field: string): CelSelect => ({
  kind: "select",
  operand,
  field,
});
export const index = (operand: CelExpr, key: CelExpr): CelIndex => ({
  kind: "index",
  operand,
  key,
});
export const list = (items: readonly CelExpr[]): CelList => ({ kind: "list", items });
export const not = (operand: CelExpr): CelNot => ({ kind: "not", operand });
export const relation = (left: CelExpr, op: CelRelation["op"], right: CelExpr): CelRelation => ({
  kind: "relation",
  op,
  left,
  right,
});
export const concat = (...parts: CelExpr[]): CelConcat => ({ kind: "concat", parts });
export const and = (args: readonly CelExpr[]): CelAnd => ({ kind: "and", args });
export const or = (args: readonly CelExpr[]): CelOr => ({ kind: "or", args });
export const conditional = (test: CelExpr, then: CelExpr, otherwise: CelExpr): CelConditional => ({
  kind: "conditional",
  test,
  then,
  otherwise,
});

export const TRUE = literal("true");
export const FALSE = literal("false");
export const NULL = literal("null");

/** Whether `expr` is the literal `true` (or `false`). */
export function isConstant(expr: CelExpr, value: boolean): boolean {
  return expr.kind === "literal" && expr.text === String(value);
}
