/**
 * Building CEL conditions as text: type tests, `&&`/`||`/`!` that fold the constants `true`
 * and `false` away, and the brackets an operand needs.
 */

export const TRUE = "true";
export const FALSE = "false";

export const isMap = (t: string) => `type(${t}) == map`;
export const isList = (t: string) => `type(${t}) == list`;
export const isString = (t: string) => `type(${t}) == string`;
export const isNumber = (t: string) => `(type(${t}) == int || type(${t}) == double)`;

/** `a && b && …`, dropping `true`s; `false` if any is `false`. */
export function allOf(parts: readonly string[]): string {
  if (parts.includes(FALSE)) return FALSE;
  const kept = parts.filter((p) => p !== TRUE);
  if (kept.length === 0) return TRUE;
  // `&&` binds tighter than `||` and `?:`: only those need brackets.
  return kept.map((p) => (hasTopLevel(p, ["||", "?"]) ? `(${p})` : p)).join(" && ");
}

export function anyOf(parts: readonly string[]): string {
  if (parts.includes(TRUE)) return TRUE;
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.length === 0) return FALSE;
  return kept.map((p) => (hasTopLevel(p, ["?"]) ? `(${p})` : p)).join(" || ");
}

export function negate(condition: string): string {
  if (condition === TRUE) return FALSE;
  if (condition === FALSE) return TRUE;
  return `!${paren(condition)}`;
}

/**
 * Walks CEL text outside string literals, calling `visit(index, depth)` for each character;
 * depth counts open brackets. Stops when `visit` returns true.
 */
function scan(text: string, visit: (index: number, depth: number) => boolean): void {
  let depth = 0;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') {
      quote = true;
      continue;
    }
    if (c === ")" || c === "]" || c === "}") depth--;
    if (visit(i, depth)) return;
    if (c === "(" || c === "[" || c === "{") depth++;
  }
}

/** Whether one of the operators occurs outside brackets and strings. */
function hasTopLevel(text: string, operators: readonly string[]): boolean {
  let found = false;
  scan(text, (i, depth) => {
    found = depth === 0 && operators.some((op) => text.startsWith(op, i));
    return found;
  });
  return found;
}

/**
 * Brackets `text` unless it is one term: a name, a literal, a call or selection chain, or
 * already bracketed — what may stand as the operand of any operator or a method's receiver.
 */
export function paren(text: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(text) || /^"([^"\\]|\\.)*"$/.test(text)) return text;
  // A term: every character outside brackets belongs to a name, a dot or a bracket.
  let term = /^[A-Za-z_("[{]/.test(text);
  scan(text, (i, depth) => {
    const c = text[i] as string;
    if (depth === 0 && !/[A-Za-z0-9_.()[\]{}]/.test(c)) term = false;
    return !term;
  });
  return term ? text : `(${text})`;
}
