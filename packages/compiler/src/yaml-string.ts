/**
 * How toYaml writes one string so that Kubernetes' reader (sigs.k8s.io/yaml on go.yaml.in/yaml/v2,
 * a YAML 1.1 parser) reads exactly that string back.
 *
 * The `yaml` library leaves characters raw that YAML 1.1 gives a meaning: U+0085, U+2028 and
 * U+2029 are line breaks there (a description holding `\u2028  name: x` would start a new key),
 * and C1 controls, DEL, U+FFFE/U+FFFF stop the Go reader. It also writes some scalars plain that
 * go-yaml resolves to a number (`0o17`, `1e_3`). Such strings are written here instead, as one
 * double-quoted line in which every character outside a conservative printable set is a `\x`,
 * `\u` or `\U` escape. Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
 * the byte order mark are escaped too: they change nothing for the parser, but a reviewer of
 * the file would not see them. A lone surrogate has no UTF-8 encoding: it is written as U+FFFD,
 * what every UTF-8 writer and Go's JSON decoder make of it (as celString does).
 */

// What may stay raw anywhere in a scalar: tab, line feed, printable ASCII and the printable
// non-ASCII code points minus the line breaks, bidi controls and BOM above. With the `u` flag a
// well-formed surrogate pair is one astral code point, and a lone surrogate matches.
const NEEDS_ESCAPES =
  /[^\t\n\x20-\x7E\xA0-\u2027\u202F-\u2065\u206A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/u;

// Plain scalars go-yaml's resolve() (go.yaml.in/yaml/v2 resolve.go) reads as something other
// than a string: its resolveMap words, and by the first character: `.` → strconv.ParseFloat;
// a digit, `+` or `-` → timestamp, then ParseInt/ParseUint base 0 and its float pattern on the
// text without `_`, then `0b`/`-0b`. The patterns below accept a superset of those (quoting a
// string that would have stayed a string costs nothing).
const RESOLVED_WORDS = new Set(
  [
    "y Y yes Yes YES true True TRUE on On ON",
    "n N no No NO false False FALSE off Off OFF",
    "~ null Null NULL",
    ".nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF",
    "<<",
  ].flatMap((words) => words.split(" ")),
);
const TIMESTAMP_START = /^[0-9]{4}-/;
const GO_INTEGER = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][-+]?[01]+|[0-9]+)$/;
const GO_YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const LEADING_DOT_FLOAT = /^\.[0-9]/;

function goYamlResolvesPlain(text: string): boolean {
  if (text === "" || RESOLVED_WORDS.has(text)) return true;
  if (text.startsWith(".")) return LEADING_DOT_FLOAT.test(text);
  if (!/^[-+0-9]/.test(text)) return false;
  if (TIMESTAMP_START.test(text)) return true;
  const digits = text.replaceAll("_", "");
  return GO_INTEGER.test(digits) || GO_YAML_FLOAT.test(digits);
}

// A leading Unicode space (U+00A0…): apimachinery's YAMLOrJSONDecoder skips unicode.IsSpace
// before sniffing for JSON, so a document starting ` {` would be read as JSON.
const LEADING_SPACE = /^[\s\u0085]/u;

/**
 * True when the `yaml` library's own choice of style could be misread by go-yaml. A tab in a
 * multi-line string is one such case: in a block scalar, go-yaml takes a tab that starts a line
 * for indentation ("found a tab character where an indentation space is expected").
 */
export function needsGoSafeQuoting(text: string): boolean {
  return (
    NEEDS_ESCAPES.test(text) ||
    goYamlResolvesPlain(text) ||
    LEADING_SPACE.test(text) ||
    (text.includes("\t") && text.includes("\n"))
  );
}

function escapeCodePoint(code: number): string {
  if (code === 0x0a) return "\\n";
  if (code === 0x09) return "\\t";
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/** One double-quoted YAML 1.1 line; nothing in it is a line break or a control to any reader. */
export function goSafeDoubleQuoted(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) out += "\ufffd";
    else if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\t" || char === "\n" || NEEDS_ESCAPES.test(char))
      out += escapeCodePoint(code);
    else out += char;
  }
  return `${out}"`;
}
