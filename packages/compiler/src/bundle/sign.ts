/**
 * `.signatures.json` as OPA verifies it (reference §4): one compact JWS whose payload lists
 * every file of the bundle but the signature file, each with its SHA-256 in lowercase hex
 * (structured files hashed in canonical form, see hash.ts), `iat` in seconds, and `scope` only
 * when one is asked for. The header carries `alg`, `kid` (the key id) and `typ`.
 */
import { CompactSign } from "jose";
import { bundleFileHash, SIGNATURES_FILE } from "./hash.js";
import type { BundleKey, SigningAlgorithm } from "./keys.js";

export interface BundleSigning {
  readonly algorithm: SigningAlgorithm;
  /** From signingKey(). */
  readonly key: BundleKey;
  /** The `kid` header: the id OPA's `keys:` config names the verification key by. */
  readonly keyId?: string;
  /** The `scope` claim; OPA's verifier must be configured with the same scope. */
  readonly scope?: string;
  /** The `iss` claim. */
  readonly issuer?: string;
  /** The `iat` claim, seconds since the epoch (default now). */
  readonly issuedAt?: number;
}

export interface SignedFile {
  readonly name: string;
  readonly hash: string;
  readonly algorithm: string;
}

/**
 * The signature's file list: every file but `.signatures.json`, named without a leading `/`,
 * in the map's order (OPA does not care; buildBundle passes them sorted).
 */
export function signedFiles(files: ReadonlyMap<string, Uint8Array>): SignedFile[] {
  return [...files]
    .map(([path, contents]) => [path.replace(/^\/+/, ""), contents] as const)
    .filter(([name]) => name !== SIGNATURES_FILE)
    .map(([name, contents]) => ({
      name,
      hash: bundleFileHash(name, contents),
      algorithm: "SHA-256",
    }));
}

/** The text of `.signatures.json` for these bundle files. */
export async function signBundle(
  files: ReadonlyMap<string, Uint8Array>,
  signing: BundleSigning,
): Promise<string> {
  const payload = {
    files: signedFiles(files),
    iat: signing.issuedAt ?? Math.floor(Date.now() / 1000),
    ...(signing.issuer === undefined ? {} : { iss: signing.issuer }),
    ...(signing.scope === undefined ? {} : { scope: signing.scope }),
  };
  const header = {
    alg: signing.algorithm,
    ...(signing.keyId === undefined ? {} : { kid: signing.keyId }),
    typ: "JWT",
  };
  const jws = await new CompactSign(Buffer.from(JSON.stringify(payload), "utf8"))
    .setProtectedHeader(header)
    .sign(signing.key);
  return `${JSON.stringify({ signatures: [jws] })}\n`;
}
