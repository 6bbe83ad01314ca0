/**
 * Checks a signed bundle as OPA does before activating it (reference §4.4, v1/bundle/verify.go):
 * one JWS in `.signatures.json`, signed with the expected key and algorithm, the expected scope,
 * and every file of the bundle listed under its name (the tar entry name with one leading `/`
 * dropped, as OPA matches it) with a matching digest, none missing, none extra. Never laxer than
 * OPA; stricter only in these named refusals, each a sign of a forged or broken signature:
 *
 * - the tar archive is read strictly (tar-reader.ts): duplicate paths, links, bad headers;
 * - the JWS header must be JSON naming the expected `alg` (OPA takes the algorithm from its
 *   configuration and never reads the header's);
 * - a `kid` (or `keyid` claim) other than the expected key id (OPA looks the key up by the id
 *   it is configured with and ignores the token's);
 * - `.signatures.json` anywhere but at the root, and a file the signature lists twice;
 * - claims and `.signatures.json` as signed-claims.ts reads them.
 */
import { compactVerify, decodeProtectedHeader } from "jose";
import { bundleFileHash, HASH_ALGORITHMS, SIGNATURES_FILE } from "./hash.js";
import type { BundleKey, SigningAlgorithm } from "./keys.js";
import { claimsOf, type SignedFileClaim, signatureOf } from "./signed-claims.js";
import { readTarGzEntries, type TarEntry, type TarLimits } from "./tar-reader.js";

export interface VerifyOptions {
  readonly key: BundleKey;
  readonly algorithm: SigningAlgorithm;
  /** The key id expected in the `kid` header (OPA's `signing.keyid`). */
  readonly keyId?: string;
  /** The scope the signature must carry (default none, as OPA's default). */
  readonly scope?: string;
  /** Size caps for reading the archive (tar-reader.ts defaults). */
  readonly limits?: TarLimits;
}

export interface BundleVerification {
  /** True when the bundle would pass OPA's verification with this key. */
  readonly ok: boolean;
  /** What is wrong, one line each, in the order found. */
  readonly problems: readonly string[];
  /** The files the signature covers (when it could be read). */
  readonly files: readonly string[];
  readonly keyId?: string;
  readonly revision?: string;
}

/** The name OPA matches against the signature: the entry name less one leading `/`. */
function signedName(entry: TarEntry): string {
  return entry.name.startsWith("/") ? entry.name.slice(1) : entry.name;
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

function revisionOf(entries: readonly TarEntry[]): string | undefined {
  const manifest = entries.find((entry) => entry.path === ".manifest");
  if (manifest === undefined) return undefined;
  try {
    const revision = JSON.parse(Buffer.from(manifest.contents).toString("utf8"))?.revision;
    return typeof revision === "string" ? revision : undefined;
  } catch {
    return undefined;
  }
}

/** A compact JWS OPA can split and decode: three unpadded base64url segments. */
function isCompactJws(jws: string): boolean {
  const parts = jws.split(".");
  return (
    parts.length === 3 &&
    parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part) && part.length % 4 !== 1)
  );
}

/** The digest checks: every file listed once, present and matching, none extra. */
function fileProblems(
  files: ReadonlyMap<string, Uint8Array>,
  listed: readonly SignedFileClaim[],
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name, hash, algorithm } of listed) {
    if (seen.has(name)) {
      problems.push(`the signature lists ${name} twice`);
      continue;
    }
    seen.add(name);
    const contents = files.get(name);
    if (contents === undefined) {
      problems.push(`missing  ${name}: signed, but not in the bundle`);
    } else if (HASH_ALGORITHMS[algorithm] === undefined) {
      problems.push(`${name}: unknown digest algorithm "${algorithm}"`);
    } else if (!/^(?:[0-9a-fA-F]{2})*$/.test(hash)) {
      problems.push(`${name}: the signature's digest "${hash}" is not hexadecimal`);
    } else {
      let actual: string;
      try {
        actual = bundleFileHash(name, contents, algorithm);
      } catch (error) {
        problems.push(`${name}: cannot be read (${(error as Error).message})`);
        continue;
      }
      if (actual !== hash.toLowerCase()) {
        problems.push(
          `changed  ${name}: its ${algorithm} is ${actual}, the signature says ${hash}`,
        );
      }
    }
  }
  for (const name of files.keys()) {
    if (!seen.has(name)) problems.push(`unsigned ${name}: in the bundle, but not in the signature`);
  }
  return problems;
}

/** Verifies a bundle archive; `what` names it in errors (a CharterError when it is unreadable). */
export async function verifyBundle(
  archive: Uint8Array,
  options: VerifyOptions,
  what = "the bundle",
): Promise<BundleVerification> {
  const entries = readTarGzEntries(archive, what, options.limits);
  const revision = revisionOf(entries);
  const result = (problems: string[], extra: Partial<BundleVerification> = {}) => ({
    ok: problems.length === 0,
    problems,
    files: [],
    ...(revision === undefined ? {} : { revision }),
    ...extra,
  });
  // OPA takes any entry named .signatures.json, in any folder, as the signature file.
  const signatureFiles = entries.filter((entry) => baseName(signedName(entry)) === SIGNATURES_FILE);
  if (signatureFiles.length === 0) {
    return result(["the bundle is not signed: it has no .signatures.json"]);
  }
  if (signatureFiles.length > 1) {
    return result([
      `the bundle holds ${signatureFiles.length} .signatures.json files; OPA takes one`,
    ]);
  }
  const signatureFile = signatureFiles[0] as TarEntry;
  if (signatureFile.path !== SIGNATURES_FILE) {
    return result([`${signatureFile.name}: a .signatures.json outside the bundle's root`]);
  }
  const signature = signatureOf(Buffer.from(signatureFile.contents).toString("utf8"));
  if ("problem" in signature) return result([signature.problem]);
  const { jws } = signature;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    if (!isCompactJws(jws)) throw new TypeError("not compact");
    header = decodeProtectedHeader(jws);
  } catch {
    return result([".signatures.json: the signature is not a compact JWS"]);
  }
  const problems: string[] = [];
  if (header.alg !== options.algorithm) {
    problems.push(`signed with ${header.alg}, but verified as ${options.algorithm}`);
  }
  let payload: string;
  try {
    const verified = await compactVerify(jws, options.key, { algorithms: [options.algorithm] });
    payload = Buffer.from(verified.payload).toString("utf8");
  } catch (error) {
    if (problems.length > 0) return result(problems);
    const reason = (error as { code?: string }).code;
    return result([
      reason === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        ? "the signature does not verify with this key: signed with another key, or tampered with"
        : `the signature does not verify: ${(error as Error).message}`,
    ]);
  }
  const claims = claimsOf(payload);
  if (typeof claims === "string") return result([...problems, claims]);
  const keyId = typeof header.kid === "string" ? header.kid : claims.keyid || undefined;
  if (options.keyId !== undefined && keyId !== undefined && keyId !== options.keyId) {
    problems.push(`signed by key id "${keyId}", expected "${options.keyId}"`);
  }
  if (claims.scope !== (options.scope ?? "")) {
    problems.push(
      `the signature's scope is ${claims.scope ? `"${claims.scope}"` : "empty"}, expected ${options.scope ? `"${options.scope}"` : "none"}`,
    );
  }
  const files = new Map(
    entries
      .filter((entry) => entry !== signatureFile)
      .map((entry) => [signedName(entry), entry.contents]),
  );
  problems.push(...fileProblems(files, claims.files));
  return result(problems, {
    files: claims.files.map((file) => file.name),
    ...(keyId === undefined ? {} : { keyId }),
  });
}
