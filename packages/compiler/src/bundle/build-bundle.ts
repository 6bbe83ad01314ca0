/**
 * An OPA bundle of the Rego target (reference §1–§2): the Rego files and `charter/data.json`
 * (exceptions and parameters, so operators can change them without recompiling), optionally
 * the compiled `policy.wasm`, and a `.manifest` owning the root `charter`. In memory and
 * deterministic: the same input gives the same bytes (signed bundles carry `iat`, and ES256
 * signatures are randomised).
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import { SIGNATURES_FILE } from "./hash.js";
import { type BundleSigning, signBundle } from "./sign.js";
import { packTarGz } from "./tar.js";

/** The one root a Charter bundle owns: every package and data path lies under `charter`. */
export const BUNDLE_ROOTS = ["charter"] as const;
export const MANIFEST_FILE = ".manifest";
export const WASM_MODULE_FILE = "policy.wasm";

export interface BundleWasm {
  /** The module `opa build -t wasm` compiled (see emitWasm, ../wasm/emit-wasm.ts). */
  readonly module: Uint8Array;
  /** Its entrypoints, e.g. `charter/violations`. */
  readonly entrypoints: readonly string[];
}

export interface BundleInput {
  /** The Rego target's files (emitRego): path → contents, including `charter/data.json`. */
  readonly rego: ReadonlyMap<string, string>;
  /** The policy set's name (`--name`), recorded in the manifest's metadata. */
  readonly name: string;
  /** The policies the bundle holds, by name. */
  readonly policies: readonly string[];
  /** The Charter version that compiled it. */
  readonly charterVersion: string;
  /** The manifest's revision; default a content hash of the other files. */
  readonly revision?: string;
  readonly wasm?: BundleWasm;
}

function byPath(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function sortedByPath<T>(files: ReadonlyMap<string, T>): Map<string, T> {
  return new Map([...files].sort(([a], [b]) => byPath(a, b)));
}

/** `sha256:<hex>` over every path and contents, in path order. */
export function contentRevision(files: ReadonlyMap<string, Uint8Array>): string {
  const hash = createHash("sha256");
  for (const [path, contents] of sortedByPath(files)) {
    hash.update(`${path}\0${contents.length}\0`).update(contents);
  }
  return `sha256:${hash.digest("hex")}`;
}

/** Every file of the bundle but `.signatures.json`: path (no leading `/`) → bytes. */
export function bundleFiles(input: BundleInput): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const [path, text] of input.rego) files.set(path, Buffer.from(text, "utf8"));
  if (input.wasm) files.set(WASM_MODULE_FILE, input.wasm.module);
  const manifest = {
    revision: input.revision ?? contentRevision(files),
    roots: BUNDLE_ROOTS,
    rego_version: 1,
    ...(input.wasm
      ? {
          wasm: input.wasm.entrypoints.map((entrypoint) => ({
            entrypoint,
            module: `/${WASM_MODULE_FILE}`,
          })),
        }
      : {}),
    metadata: {
      compiler: "charter",
      charterVersion: input.charterVersion,
      name: input.name,
      policies: [...input.policies].sort(),
    },
  };
  // Written in OPA's canonical form: the bytes in the tarball are the bytes a signature hashes.
  files.set(MANIFEST_FILE, Buffer.from(`${canonicalJson(JSON.stringify(manifest))}\n`, "utf8"));
  return files;
}

/** The bundle's `.tar.gz`, signed when `signing` is given. */
export async function buildBundle(
  input: BundleInput,
  signing?: BundleSigning,
): Promise<Uint8Array> {
  const files = sortedByPath(bundleFiles(input));
  if (signing) files.set(SIGNATURES_FILE, Buffer.from(await signBundle(files, signing), "utf8"));
  // Entry names start with `/`, as `opa build` writes them: OPA finds the manifest's wasm
  // module (`/policy.wasm`) only so; signatures name files without it (OPA strips it).
  return packTarGz(new Map([...files].map(([path, contents]) => [`/${path}`, contents])));
}
