/**
 * Scalars as kubectl reads them. Kubernetes turns YAML into JSON with sigs.k8s.io/yaml over
 * go-yaml v2, whose `resolve` is neither YAML 1.1 nor 1.2: `0o17`, `0b11`, `017` and `1_000`
 * are integers (Go's strconv.ParseInt with base 0, underscores dropped), `1e3` and `5.` are
 * floats, `1e309` (out of range) is a string, and `y`/`on`/`NO` are booleans. Reading them any
 * other way judges another object: `runAsUser: 0o0` is root to the API server. This ports
 * go.yaml.in/yaml/v2 v2.4.3 resolve.go (the version sigs.k8s.io/yaml v1.6.0 vendors) and the
 * parts of its scanner and of sigs.k8s.io/yaml's JSON conversion that refuse input:
 * `.inf`/`.nan` (JSON has no such numbers), null and collection keys, `\/` and surrogate
 * escapes. tools/kubernetes/k8s-decode and test/k8s-decoder-differential.test.ts are the proof.
 *
 * Shared by both YAML readers: the yaml package's documents (go-yaml-scalars.ts) and js-yaml's
 * events (yaml-events.ts).
 */

export const TAG = "tag:yaml.org,2002:";
export const STR = `${TAG}str`;
export const INT = `${TAG}int`;
export const FLOAT = `${TAG}float`;
export const BOOL = `${TAG}bool`;
export const NULL = `${TAG}null`;
export const BINARY = `${TAG}binary`;
export const TIMESTAMP = `${TAG}timestamp`;
export const MERGE = `${TAG}merge`;
/** An integer beyond int64 (go-yaml gives a uint64): a value, but never a key. */
export const UINT64 = `${TAG}int:uint64`;

/** go-yaml's resolveMap: the words it reads as booleans, null and special floats. */
const WORDS = new Map<string, unknown>();
for (const [value, words] of [
  [true, "y Y yes Yes YES true True TRUE on On ON"],
  [false, "n N no No NO false False FALSE off Off OFF"],
  [null, "~ null Null NULL"],
  [Number.NaN, ".nan .NaN .NAN"],
  [Number.POSITIVE_INFINITY, ".inf .Inf .INF +.inf +.Inf +.INF"],
  [Number.NEGATIVE_INFINITY, "-.inf -.Inf -.INF"],
] as const) {
  for (const word of words.split(" ")) WORDS.set(word, value);
}
WORDS.set("", null);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go's ParseFloat accepts more than this (hex floats, "inf"); these are the forms reached here. */
const GO_FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt/ParseUint with base 0 as a BigInt, or undefined (no underscores here). */
function parseGoInteger(text: string): bigint | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(
    text,
  );
  if (match === null) return undefined;
  const [, sign, digits = ""] = match;
  let magnitude: bigint;
  if (/^0[oO]/.test(digits)) magnitude = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[0-7]+$/.test(digits)) magnitude = BigInt(`0o${digits.slice(1)}`);
  else magnitude = BigInt(digits); // decimal, 0x, 0b
  return sign === "-" ? -magnitude : magnitude;
}

function goFloat(text: string): number | undefined {
  if (!GO_FLOAT.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined; // out of range: ParseFloat fails
}

type Resolved = { readonly value: unknown; readonly tag: string };

/** go-yaml v2's resolve(tag, in) for a scalar's value: the value and the tag it resolved to. */
function resolve(input: string): Resolved {
  const first = input[0];
  const hint =
    input === ""
      ? "M"
      : first === "+" || first === "-" || (first !== undefined && first >= "0" && first <= "9")
        ? "D"
        : "yYnNtTfFoO~".includes(first ?? "")
          ? "M"
          : first === "."
            ? "."
            : undefined;
  if (hint === undefined) return { value: input, tag: STR };
  if (WORDS.has(input)) {
    const value = WORDS.get(input);
    const tag = value === null ? NULL : typeof value === "boolean" ? BOOL : FLOAT;
    return { value, tag };
  }
  if (hint === ".") {
    const value = goFloat(input);
    return value === undefined ? { value: input, tag: STR } : { value, tag: FLOAT };
  }
  // (go-yaml tries timestamps first and keeps them as the strings they are; none parses as
  // a number, so they end as strings below too.)
  if (hint !== "D") return { value: input, tag: STR };
  const plain = input.replaceAll("_", "");
  const integer = parseGoInteger(plain);
  if (integer !== undefined && integer >= -INT64_MAX - 1n && integer <= UINT64_MAX)
    return { value: Number(integer), tag: integer > INT64_MAX ? UINT64 : INT };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = goFloat(plain);
    if (value !== undefined) return { value, tag: FLOAT };
  }
  const binary = /^(-?)0b([01]+)$/.exec(plain);
  if (binary !== null) {
    const value = BigInt(`0b${binary[2]}`) * (binary[1] === "-" ? -1n : 1n);
    if (value >= -INT64_MAX - 1n && value <= UINT64_MAX) return { value: Number(value), tag: INT };
  }
  return { value: input, tag: STR };
}

/** Go's base64.StdEncoding.DecodeString (it skips CR and LF), as text; undefined if invalid. */
function decodeBinary(text: string): string | undefined {
  const compact = text.replace(/[\r\n]/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return new TextDecoder("utf-8").decode(Buffer.from(compact, "base64"));
}

/** What go-yaml makes of a scalar: its value (`uint64` beyond int64, `float` for !!float), or why it refuses it. */
export type GoScalar = { value: unknown; uint64?: boolean; float?: boolean } | { error: string };

/**
 * The value go-yaml gives a scalar: `source` is its text after YAML's own decoding (quotes,
 * escapes, folding), `plain` whether it was written without quotes or a block indicator,
 * `explicit` its resolved tag (`tag:yaml.org,2002:int`, `!local`), if it has one.
 */
export function goScalar(source: string, plain: boolean, explicit: string | undefined): GoScalar {
  // Quoted and block scalars without a tag are strings; so is any value under a tag of its own.
  if (explicit === undefined && !plain) return { value: source };
  if (explicit !== undefined && !explicit.startsWith(TAG)) return { value: source };
  if (explicit === STR || explicit === MERGE) return { value: source };
  if (explicit === BINARY) {
    const text = decodeBinary(source);
    return text === undefined ? { error: "!!binary value is not base64" } : { value: text };
  }
  const resolved = resolve(source);
  const uint64 = resolved.tag === UINT64;
  const tag = uint64 ? INT : resolved.tag;
  if (explicit === undefined || explicit === tag)
    return { value: resolved.value, uint64, float: tag === FLOAT };
  if (explicit === FLOAT && tag === INT) return { value: resolved.value, float: true };
  if (explicit === TIMESTAMP) return { value: source }; // kept as the string it is
  return { error: `cannot read ${JSON.stringify(source)} as ${explicit.slice(TAG.length)}` };
}

/**
 * Why go-yaml's scanner refuses a double-quoted scalar's escapes (`\/`, a surrogate or
 * out-of-range code point), or undefined. `raw` is its text, quotes included.
 */
export function badEscape(raw: string): string | undefined {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== "\\") continue;
    const letter = raw[i + 1] ?? "";
    const length = letter === "x" ? 2 : letter === "u" ? 4 : letter === "U" ? 8 : 0;
    if (letter === "/") return "the escape \\/ (Kubernetes' YAML reader has no such escape)";
    if (length > 0) {
      const code = Number.parseInt(raw.slice(i + 2, i + 2 + length), 16);
      if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
        return `the escape \\${letter}${raw.slice(i + 2, i + 2 + length)} (a surrogate or beyond Unicode)`;
    }
    i += 1 + length;
  }
  return undefined;
}

/** Go's strconv.FormatFloat(value, 'g', -1, 32): how sigs.k8s.io/yaml names a float key. */
export function goFloat32Name(value: number): string {
  const single = Math.fround(value);
  if (single === 0) return Object.is(single, -0) ? "-0" : "0";
  let shortest = single.toPrecision(9);
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = single.toPrecision(precision);
    if (Math.fround(Number(candidate)) === single) {
      shortest = candidate;
      break;
    }
  }
  const [mantissa = "", power = "0"] = Number(shortest).toExponential().split("e");
  const exponent = Number(power);
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, "0");
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${digits}`;
  }
  return String(Number(shortest));
}
