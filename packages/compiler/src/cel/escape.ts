/**
 * The one way a string reaches generated CEL: a double-quoted CEL string literal
 * (https://github.com/google/cel-spec/blob/master/doc/langdef.md#string-and-bytes-values).
 *
 * Printable ASCII is written as itself (but `"` and `\`); every other character becomes an
 * escape: `\n`, `\r`, `\t`, `\uXXXX` for the rest of the Basic Multilingual Plane and
 * `\UXXXXXXXX` for astral characters (CEL strings are code points, so an astral character is
 * one `\U` escape, never a surrogate pair). A lone surrogate has no code point CEL accepts:
 * it is written as U+FFFD, which is also what JSON decoding on the API server makes of it.
 * ASCII-only output survives every YAML and JSON layer the expression later travels through.
 */
export function celString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code >= 0xd800 && code <= 0xdfff) out += "\\ufffd";
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}
