/**
 * The one way any value reaches generated source as text. Every string the generator writes
 * into a function body (keys, literals, patterns, message text) goes through `jsString`, and
 * every number through `jsNumber`; identifiers are only ever the generator's own names.
 */

/**
 * A JavaScript string literal for `text`: JSON.stringify (which escapes quotes, backslashes,
 * control characters and, since ES2019, lone surrogates) plus U+2028 and U+2029, which older
 * parsers read as line terminators and which would break the source if left raw.
 */
export function jsString(text: string): string {
  return JSON.stringify(text).replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}

/** A JavaScript number literal equal to `value` (JSON numbers are finite; -0 keeps its sign). */
export function jsNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`);
  // Parenthesised when negative, so `x - -1` never reads as `x --1`.
  if (Object.is(value, -0)) return "(-0)";
  return value < 0 ? `(${String(value)})` : String(value);
}
