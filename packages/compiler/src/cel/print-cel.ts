/**
 * Prints a CEL expression tree. A bracket goes where the operand's node binds more loosely
 * than its place allows: `&&` brackets `||` and `? :` operands, `||` brackets `? :`, and the
 * operand of a relation, `!`, `+`, a receiver, a selection, an index or a branch of `? :` is
 * bracketed unless it is primary. The test of `? :` is bracketed only when it is one itself.
 */
import type { CelExpr } from "./cel-expr.js";

export function printCel(expr: CelExpr): string {
  switch (expr.kind) {
    case "name":
      return expr.name;
    case "literal":
    case "number":
      return expr.text;
    case "group":
      return `(${printCel(expr.inner)})`;
    case "call": {
      const receiver = expr.receiver ? `${operand(expr.receiver)}.` : "";
      return `${receiver}${expr.name}(${expr.args.map(printCel).join(", ")})`;
    }
    case "select":
      return `${operand(expr.operand)}.${expr.field}`;
    case "index":
      return `${operand(expr.operand)}[${printCel(expr.key)}]`;
    case "list":
      return `[${expr.items.map(printCel).join(", ")}]`;
    case "not":
      return `!${operand(expr.operand)}`;
    case "relation":
      return `${operand(expr.left)} ${expr.op} ${operand(expr.right)}`;
    case "concat":
      return expr.parts.map(operand).join(" + ");
    case "and":
      return expr.args
        .map((arg) =>
          arg.kind === "or" || arg.kind === "conditional" ? bracket(arg) : printCel(arg),
        )
        .join(" && ");
    case "or":
      return expr.args
        .map((arg) => (arg.kind === "conditional" ? bracket(arg) : printCel(arg)))
        .join(" || ");
    case "conditional": {
      const test = expr.test.kind === "conditional" ? bracket(expr.test) : printCel(expr.test);
      return `${test} ? ${operand(expr.then)} : ${operand(expr.otherwise)}`;
    }
  }
}

/** Primary expressions stand anywhere; a number may be negative, so it is bracketed too. */
export function isPrimary(expr: CelExpr): boolean {
  switch (expr.kind) {
    case "name":
    case "literal":
    case "group":
    case "call":
    case "select":
    case "index":
    case "list":
      return true;
    default:
      return false;
  }
}

function operand(expr: CelExpr): string {
  return isPrimary(expr) ? printCel(expr) : bracket(expr);
}

function bracket(expr: CelExpr): string {
  return `(${printCel(expr)})`;
}
