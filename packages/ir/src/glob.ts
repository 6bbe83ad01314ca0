/**
 * The one definition of a glob, shared by the IR engine and every emitter (Rego, CEL): a glob
 * matches the WHOLE string; `*` is any run of characters (including `/`, `.` and newlines),
 * `?` is exactly one character (code point); every other character stands for itself.
 * There is no escape character and no `[…]` class. The same translation is written in Rego
 * for patterns known only at run time (`glob_regex` in charter/lib.rego), and a test checks
 * the two agree.
 *
 * ### Examples
 * `globToRe2("registry.example.com/*")` → `^(?s:registry\.example\.com/.*)$`
 * `globToRe2("v?")` → `^(?s:v.)$`
 */

/** RE2's metacharacters outside a class (Go's regexp.QuoteMeta set); everything else is literal. */
const RE2_SPECIAL = new Set([
  "\\",
  ".",
  "+",
  "*",
  "?",
  "(",
  ")",
  "|",
  "[",
  "]",
  "{",
  "}",
  "^",
  "$",
]);

/**
 * Compiles a glob to an anchored RE2 pattern. `(?s:…)` lets `.` match a newline; `^` and `$`
 * without the `m` flag anchor at the very start and end of the text in RE2 (unlike Perl's `$`,
 * RE2's does not match before a final newline), so the whole string must match.
 */
export function globToRe2(pattern: string): string {
  let body = "";
  for (const char of pattern) {
    if (char === "*") body += ".*";
    else if (char === "?") body += ".";
    else if (RE2_SPECIAL.has(char)) body += `\\${char}`;
    else body += char;
  }
  return `^(?s:${body})$`;
}
