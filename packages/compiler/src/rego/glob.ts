/**
 * Globs compiled to anchored RE2 patterns (the IR's one definition, packages/ir/src/expr.ts):
 * `*` matches any run of characters, `/` and `.` and newlines included; `?` exactly one code
 * point; every other character stands for itself. The whole pattern runs under the `s` flag so
 * `.` also matches a newline; `^…$` anchor it (without the `m` flag RE2's `$` is the end of
 * the text only). The same translation is written in Rego for patterns known only at run
 * time (`glob_regex` in charter/lib.rego), and a test checks the two agree.
 */

/** The characters RE2 treats as syntax outside a class (Go's regexp.QuoteMeta set). */
const RE2_META = new Set(["\\", ".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$"]);

export function globToRegex(glob: string): string {
  let body = "";
  for (const char of glob) {
    if (char === "*") body += ".*";
    else if (char === "?") body += ".";
    else if (RE2_META.has(char)) body += `\\${char}`;
    else body += char;
  }
  return `^(?s:${body})$`;
}
