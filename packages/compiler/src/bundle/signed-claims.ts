/**
 * `.signatures.json` and the JWT claims read as OPA's Go structs read them (v1/bundle/bundle.go:
 * `SignaturesConfig`, `DecodedSignature`, `FileInfo`, decoded by encoding/json): a field of the
 * wrong JSON type is an error there, so it is one here — a claim Charter ignored but OPA choked
 * on (an `iat` string, a numeric `scope`) would let Charter pass what OPA refuses. Stricter than
 * OPA in three named points: a field spelled in another case (Go matches `Scope` to `scope`, an
 * easy way to smuggle a second value), a repeated field, and text after `.signatures.json`'s
 * JSON value (Go's stream decoder never reads it) are refused.
 */
import { type JsonNode, parseJsonNode } from "./canonical-json.js";

type FieldType = "string" | "int64" | "objects" | "strings";

export interface SignedFileClaim {
  readonly name: string;
  readonly hash: string;
  readonly algorithm: string;
}

export interface SignedClaims {
  readonly files: readonly SignedFileClaim[];
  readonly keyid: string;
  readonly scope: string;
  readonly iss: string;
}

/** Go's case folding of a struct field name (EqualFold, with its two non-ASCII folds). */
function folded(name: string): string {
  return name.toLowerCase().replaceAll("\u017f", "s").replaceAll("\u212a", "k");
}

function isNull(node: JsonNode): boolean {
  return node.kind === "scalar" && node.text === "null";
}

function stringOf(node: JsonNode): string | undefined {
  if (isNull(node)) return "";
  return node.kind === "scalar" && node.text.startsWith('"')
    ? (JSON.parse(node.text) as string)
    : undefined;
}

/** What strconv.ParseInt takes for an int64 field: an integer literal in range. */
function isInt64(node: JsonNode): boolean {
  if (isNull(node)) return true;
  if (node.kind !== "scalar" || !/^-?(?:0|[1-9]\d*)$/.test(node.text)) return false;
  const value = BigInt(node.text);
  return value >= -(2n ** 63n) && value < 2n ** 63n;
}

/**
 * The fields of a JSON object decoded into a Go struct with these (lowercase) field names:
 * name → node, or what is wrong. Unknown fields are ignored, as Go ignores them.
 */
function goStruct(
  node: JsonNode,
  fields: Readonly<Record<string, FieldType>>,
  where: string,
): Map<string, JsonNode> | string {
  if (isNull(node)) return new Map();
  if (node.kind !== "object") return `${where} is not a JSON object`;
  // Go decodes every copy of a repeated field (and fails on a bad one); JSON keeps the last.
  if (node.repeated.length > 0) return `${where} repeats "${node.repeated[0]}"`;
  const found = new Map<string, JsonNode>();
  for (const [key, value] of node.entries) {
    const type = fields[key];
    if (type === undefined) {
      const meant = Object.keys(fields).find((field) => folded(field) === folded(key));
      if (meant !== undefined) return `${where} spells "${meant}" as "${key}"`;
      continue;
    }
    const ok =
      type === "string"
        ? stringOf(value) !== undefined
        : type === "int64"
          ? isInt64(value)
          : isNull(value) ||
            (value.kind === "array" &&
              value.items.every((item) =>
                type === "strings"
                  ? stringOf(item) !== undefined
                  : isNull(item) || item.kind === "object",
              ));
    if (!ok)
      return `${where}: "${key}" is not ${type === "int64" ? "an integer" : `of type ${type}`}`;
    found.set(key, value);
  }
  return found;
}

function parsed(text: string, where: string): JsonNode | string {
  try {
    return parseJsonNode(text);
  } catch (error) {
    return `${where} is not JSON (${(error as Error).message})`;
  }
}

/** The one compact JWS of `.signatures.json`, or what is wrong with the file. */
export function signatureOf(text: string): { readonly jws: string } | { readonly problem: string } {
  const node = parsed(text, ".signatures.json");
  if (typeof node === "string") return { problem: node };
  const fields = goStruct(node, { signatures: "strings", plugin: "string" }, ".signatures.json");
  if (typeof fields === "string") return { problem: fields };
  const plugin = stringOf(fields.get("plugin") ?? { kind: "scalar", text: "null" });
  if (plugin) {
    return {
      problem: `.signatures.json names the verifier plugin "${plugin}"; only OPA's default verifier is known`,
    };
  }
  const list = fields.get("signatures");
  const items = list?.kind === "array" ? list.items : [];
  if (items.length === 0) return { problem: ".signatures.json holds no signature" };
  if (items.length > 1)
    return { problem: ".signatures.json holds more than one signature; OPA takes one" };
  return { jws: stringOf(items[0] as JsonNode) ?? "" };
}

/** The JWT payload as OPA's `DecodedSignature`, or what is wrong with it. */
export function claimsOf(payload: string): SignedClaims | string {
  const node = parsed(payload, "the signature's claims");
  if (typeof node === "string") return node;
  const claims = goStruct(
    node,
    { files: "objects", keyid: "string", scope: "string", iat: "int64", iss: "string" },
    "the signature's claims",
  );
  if (typeof claims === "string") return claims;
  const files: SignedFileClaim[] = [];
  const listed = claims.get("files");
  for (const item of listed?.kind === "array" ? listed.items : []) {
    const file = goStruct(
      item,
      { name: "string", hash: "string", algorithm: "string" },
      "a file in the signature",
    );
    if (typeof file === "string") return file;
    const field = (name: string) =>
      stringOf(file.get(name) ?? { kind: "scalar", text: "null" }) ?? "";
    files.push({ name: field("name"), hash: field("hash"), algorithm: field("algorithm") });
  }
  const claim = (name: string) =>
    stringOf(claims.get(name) ?? { kind: "scalar", text: "null" }) ?? "";
  return { files, keyid: claim("keyid"), scope: claim("scope"), iss: claim("iss") };
}
