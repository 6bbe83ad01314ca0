/**
 * OPA's canonical form of a structured bundle file (`.manifest`, `data.json`), the bytes its
 * signature hashes (v1/bundle/hash.go): objects with keys sorted by UTF-8 bytes, no whitespace,
 * numbers exactly as written (OPA decodes with `UseNumber`), strings as Go's encoding/json
 * writes them without HTML escaping. Whitespace and key order of the file do not matter.
 */

/** A JSON value as written: scalars keep their literal text (strings in Go's encoding). */
export type JsonNode =
  | { readonly kind: "scalar"; readonly text: string }
  | { readonly kind: "array"; readonly items: JsonNode[] }
  | {
      readonly kind: "object";
      readonly entries: Map<string, JsonNode>;
      /** Keys written more than once (the last value is in `entries`, as Go's map keeps it). */
      readonly repeated: readonly string[];
    };

type Node = JsonNode;

/** A JSON parser that keeps each number's literal text (JSON.parse would turn `1.0` into `1`). */
class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  document(): Node {
    const node = this.value();
    this.space();
    if (this.at !== this.text.length) this.fail("unexpected text after the JSON value");
    return node;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at offset ${this.at}`);
  }

  private space(): void {
    while (/[ \t\n\r]/.test(this.text[this.at] ?? "")) this.at++;
  }

  private value(): Node {
    this.space();
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return { kind: "scalar", text: goString(this.string()) };
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      this.text.slice(this.at),
    );
    if (!literal) this.fail("expected a JSON value");
    this.at += literal[0].length;
    return { kind: "scalar", text: literal[0] };
  }

  private object(): Node {
    this.at++;
    const entries = new Map<string, Node>();
    const repeated: string[] = [];
    this.space();
    if (this.text[this.at] === "}") {
      this.at++;
      return { kind: "object", entries, repeated };
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail("expected an object key");
      const key = this.string();
      this.space();
      if (this.text[this.at++] !== ":") this.fail("expected ':'");
      // Go decodes into a map: the last of duplicate keys wins.
      if (entries.has(key)) repeated.push(key);
      entries.set(key, this.value());
      this.space();
      const next = this.text[this.at++];
      if (next === "}") return { kind: "object", entries, repeated };
      if (next !== ",") this.fail("expected ',' or '}'");
    }
  }

  private array(): Node {
    this.at++;
    const items: Node[] = [];
    this.space();
    if (this.text[this.at] === "]") {
      this.at++;
      return { kind: "array", items };
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const next = this.text[this.at++];
      if (next === "]") return { kind: "array", items };
      if (next !== ",") this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const match = /^"(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(this.text.slice(this.at));
    // JSON forbids raw control characters inside strings.
    if (!match || [...match[0]].some((c) => c < " ")) this.fail("malformed string");
    this.at += match[0].length;
    return JSON.parse(match[0]) as string;
  }
}

/** Go's encoding of a string: as JSON.stringify, plus U+2028/U+2029 escaped, lone surrogates replaced. */
function goString(value: string): string {
  const wellFormed = value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    "\uFFFD",
  );
  return JSON.stringify(wellFormed).replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}

/** Go's sort.Strings: byte order of the UTF-8 encodings. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function write(node: Node): string {
  if (node.kind === "scalar") return node.text;
  if (node.kind === "array") return `[${node.items.map(write).join(",")}]`;
  const keys = [...node.entries.keys()].sort(byUtf8);
  return `{${keys.map((key) => `${goString(key)}:${write(node.entries.get(key) as Node)}`).join(",")}}`;
}

/** A JSON text as a tree that keeps each literal (throws SyntaxError when it is not JSON). */
export function parseJsonNode(text: string): JsonNode {
  return new Parser(text).document();
}

/** The canonical form of a JSON text (a leading UTF-8 BOM is ignored, as OPA ignores it). */
export function canonicalJson(text: string): string {
  return write(new Parser(text.replace(/^\uFEFF/, "")).document());
}
