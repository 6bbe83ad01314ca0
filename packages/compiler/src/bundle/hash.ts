/**
 * The digest a bundle signature records for each file, computed as OPA computes it
 * (v1/bundle/hash.go, verify.go): structured files (`data.json`, `data.yaml`, `.manifest`) in
 * their canonical JSON form, every other file as raw bytes.
 */
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { canonicalJson } from "./canonical-json.js";

/** The signature file at a bundle's root; it is never itself listed in the signature. */
export const SIGNATURES_FILE = ".signatures.json";

/** OPA's digest names → node:crypto's. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: "md5",
  "SHA-1": "sha1",
  "SHA-224": "sha224",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
  "SHA-512-224": "sha512-224",
  "SHA-512-256": "sha512-256",
};

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The bytes OPA hashes for a bundle file (throws SyntaxError for a malformed structured file). */
export function hashedBytes(path: string, contents: Uint8Array): Uint8Array {
  const name = baseName(path);
  const text = () => Buffer.from(contents).toString("utf8");
  if (name === "data.json" || name === ".manifest") {
    return Buffer.from(canonicalJson(text()), "utf8");
  }
  if (name === "data.yaml") {
    // Approximates sigs.k8s.io/yaml's YAML → JSON; Charter itself never writes YAML data.
    return Buffer.from(canonicalJson(JSON.stringify(parseYaml(text()) ?? null)), "utf8");
  }
  return contents;
}

/** Lowercase hex digest of a bundle file; `algorithm` is OPA's name, e.g. `SHA-256`. */
export function bundleFileHash(path: string, contents: Uint8Array, algorithm = "SHA-256"): string {
  const node = HASH_ALGORITHMS[algorithm];
  if (node === undefined) throw new RangeError(`unknown hash algorithm "${algorithm}"`);
  return createHash(node).update(hashedBytes(path, contents)).digest("hex");
}
