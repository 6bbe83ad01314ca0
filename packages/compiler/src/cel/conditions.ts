/**
 * Building CEL conditions: type tests, and `&&`/`||`/`!` that fold the constants `true` and
 * `false` away. A lone operand that binds more loosely than its place keeps its brackets as a
 * group, so it stands as one operand wherever it goes next.
 */
import {
  and,
  type CelExpr,
  call,
  FALSE,
  group,
  isConstant,
  name,
  not,
  or,
  relation,
  TRUE,
} from "./cel-expr.js";

const typeIs = (value: CelExpr, type: string) => relation(call("type", value), "==", name(type));

export const isMap = (value: CelExpr) => typeIs(value, "map");
export const isList = (value: CelExpr) => typeIs(value, "list");
export const isString = (value: CelExpr) => typeIs(value, "string");
export const isNumber = (value: CelExpr) =>
  group(or([typeIs(value, "int"), typeIs(value, "double")]));

/** `a && b && …`, dropping `true`s; `false` if any is `false`. */
export function allOf(parts: readonly CelExpr[]): CelExpr {
  if (parts.some((part) => isConstant(part, false))) return FALSE;
  const kept = parts.filter((part) => !isConstant(part, true));
  const [only] = kept;
  if (only === undefined) return TRUE;
  if (kept.length > 1) return and(kept);
  // `&&` binds tighter than `||` and `?:`: only those need brackets.
  return only.kind === "or" || only.kind === "conditional" ? group(only) : only;
}

/** `a || b || …`, dropping `false`s; `true` if any is `true`. */
export function anyOf(parts: readonly CelExpr[]): CelExpr {
  if (parts.some((part) => isConstant(part, true))) return TRUE;
  const kept = parts.filter((part) => !isConstant(part, false));
  const [only] = kept;
  if (only === undefined) return FALSE;
  if (kept.length > 1) return or(kept);
  return only.kind === "conditional" ? group(only) : only;
}

export function negate(condition: CelExpr): CelExpr {
  if (isConstant(condition, true)) return FALSE;
  if (isConstant(condition, false)) return TRUE;
  return not(condition);
}
