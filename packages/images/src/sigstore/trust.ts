/**
 * What a bundle is verified against: the trust material of `@sigstore/verify` (certificate
 * authorities, transparency logs, CT logs, timestamp authorities, and a key finder), the
 * thresholds, and — for keyless signers — the identity the certificate must name.
 *
 * - A `key` attestor: no authorities at all and a key finder that gives its key whatever the
 *   bundle's hint, thresholds 0. A bundle is verified under the key alone (its transparency-log
 *   entries and timestamps are not read: the IR's "cryptographically valid under the attestor's
 *   public key"; a key attestor names no trusted root to check a log entry against).
 * - A `keyless` attestor: the authorities of a Sigstore `trusted_root.json` read from a file
 *   (never fetched: the public-good root must be given as a file, e.g. the one TUF distributes),
 *   the library's default thresholds (1 transparency-log entry, 1 SCT, 1 timestamp), and the
 *   issuer and subject matched exactly or as an anchored RE2 pattern.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IdentityMatch } from "@charter/ir";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { type TrustMaterial, toTrustMaterial } from "@sigstore/verify";
import { RE2JS } from "re2js";

export interface Thresholds {
  readonly tlog: number;
  readonly ctlog: number;
  readonly timestamp: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { tlog: 1, ctlog: 1, timestamp: 1 };
export const KEY_THRESHOLDS: Thresholds = { tlog: 0, ctlog: 0, timestamp: 0 };

export interface Identity {
  readonly issuer: IdentityMatch;
  readonly subject: IdentityMatch;
}

/** Everything `verifyBundle` checks a bundle against. */
export interface BundlePolicy {
  readonly trust: TrustMaterial;
  readonly thresholds: Thresholds;
  /** Keyless: the certificate's OIDC issuer and SAN must match. */
  readonly identity?: Identity;
  /**
   * Verify under the trust material's key only: the bundle's verification material is taken to
   * be that key, and its log entries and timestamps are not read (a `key` attestor).
   */
  readonly keyOnly?: boolean;
}

/** Parses a PEM public key (ECDSA, Ed25519, RSA), or says why it is not one. */
export function parsePublicKey(pem: string): KeyObject {
  if (!pem.includes("-----BEGIN")) {
    throw new Error("the public key is not PEM (it has no -----BEGIN line)");
  }
  try {
    return createPublicKey(pem);
  } catch (error) {
    throw new Error(`the public key is not a PEM public key: ${(error as Error).message}`);
  }
}

/** Trust material with no authorities whose key finder gives `key` for every hint. */
export function keyTrustMaterial(key: KeyObject): TrustMaterial {
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: () => ({ publicKey: key, validFor: () => true }),
  };
}

export function keyPolicy(pem: string): BundlePolicy {
  return {
    trust: keyTrustMaterial(parsePublicKey(pem)),
    thresholds: KEY_THRESHOLDS,
    keyOnly: true,
  };
}

/** The trust material of a `trusted_root.json` (its JSON text); `key`, if given, for key hints. */
export function rootTrustMaterial(json: string, key?: KeyObject): TrustMaterial {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`it is not JSON: ${(error as Error).message}`);
  }
  const missing = missingValidityStarts(parsed);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} ${missing.length === 1 ? "has" : "have"} no validFor.start; a trusted root must bound every authority's validity (a missing start is not "since forever")`,
    );
  }
  const root = TrustedRoot.fromJSON(parsed);
  const material = toTrustMaterial(root);
  if (key === undefined) return material;
  return { ...material, publicKey: () => ({ publicKey: key, validFor: () => true }) };
}

/**
 * Authorities whose validity has no start. The Sigstore client spec requires one;
 * `@sigstore/verify` 3.1 reads a missing start as unbounded (the conformance case
 * `trust-root-tlog-missing-validity-start_fail`), so the root is refused here instead.
 */
function missingValidityStarts(root: unknown): string[] {
  const missing: string[] = [];
  if (typeof root !== "object" || root === null) return missing;
  const record = root as Record<string, unknown>;
  const check = (list: string, validFor: (item: Record<string, unknown>) => unknown) => {
    const items = record[list];
    if (!Array.isArray(items)) return;
    items.forEach((item, index) => {
      const range = typeof item === "object" && item !== null ? validFor(item) : undefined;
      const start =
        typeof range === "object" && range !== null
          ? (range as Record<string, unknown>).start
          : undefined;
      if (typeof start !== "string" || start === "") missing.push(`${list}[${index}]`);
    });
  };
  const keyValidity = (item: Record<string, unknown>) =>
    (item.publicKey as Record<string, unknown> | undefined)?.validFor;
  check("tlogs", keyValidity);
  check("ctlogs", keyValidity);
  check("certificateAuthorities", (item) => item.validFor);
  check("timestampAuthorities", (item) => item.validFor);
  return missing;
}

const roots = new Map<string, string>();

/** Reads a trusted root file once per process (its text; the file is not watched). */
export function readTrustedRoot(path: string): string {
  let text = roots.get(path);
  if (text === undefined) {
    text = readFileSync(path, "utf8");
    roots.set(path, text);
  }
  return text;
}

export function keylessPolicy(rootJson: string, identity: Identity): BundlePolicy {
  return { trust: rootTrustMaterial(rootJson), thresholds: DEFAULT_THRESHOLDS, identity };
}

/** Exact, or RE2 matched against the whole value (as cosign's `--certificate-identity-regexp`). */
export function identityMatches(match: IdentityMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if ("exact" in match) return match.exact === value;
  return RE2JS.compile(`^(?:${match.regex})$`).test(value);
}

export function describeMatch(match: IdentityMatch): string {
  return "exact" in match ? JSON.stringify(match.exact) : `/${match.regex}/`;
}
