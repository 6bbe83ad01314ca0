/**
 * The one way a string reaches generated Rego: a double-quoted literal in the JSON string
 * syntax Rego shares (https://www.openpolicyagent.org/docs/policy-reference/#grammar).
 *
 * Only printable ASCII is written as itself; everything else becomes a `\uXXXX` escape (astral
 * characters as a UTF-16 surrogate pair, which OPA joins back into one code point). Writing
 * non-ASCII raw would be legal for most characters, but OPA rejects some (a raw byte-order
 * mark is a parse error), so ASCII output is the one rule that is always safe. A lone surrogate
 * has no UTF-8 form: OPA reads it as U+FFFD.
 */
export function regoString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "\r") out += "\\r";
    else if (code >= 0x20 && code < 0x7f) out += char;
    else
      for (let i = 0; i < char.length; i++)
        out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}
