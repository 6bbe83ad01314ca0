/**
 * Signing and verification keys as OPA takes them: a PEM for RS256/ES256 (a private key to
 * sign; a public key, certificate or private key to verify), the secret itself for HS256.
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { CharterError } from "@charter/ir";

export const SIGNING_ALGORITHMS = ["RS256", "ES256", "HS256"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** What jose signs and verifies with: a node KeyObject, or the HMAC secret's bytes. */
export type BundleKey = KeyObject | Uint8Array;

export function parseSigningAlgorithm(value: string): SigningAlgorithm {
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(value)) {
    throw new CharterError(
      `unknown signing algorithm "${value}"`,
      {},
      `choose ${SIGNING_ALGORITHMS.join(", ")}`,
    );
  }
  return value as SigningAlgorithm;
}

function isPem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/**
 * The secret of a secret file: all its bytes, a trailing newline included, exactly as
 * `opa build --signing-key FILE` and `opa run --verification-key FILE` read it.
 */
function secretOf(material: Uint8Array): Uint8Array {
  return Uint8Array.from(material);
}

/** Whether an asymmetric key suits the algorithm; else what is wrong with it. */
function keyMismatch(key: KeyObject, algorithm: SigningAlgorithm): string | undefined {
  const type = key.asymmetricKeyType;
  if (algorithm === "RS256") return type === "rsa" ? undefined : `a ${type} key, not an RSA key`;
  if (type !== "ec") return `a ${type} key, not an EC key`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === "prime256v1" ? undefined : `an EC key on ${curve}, not on P-256`;
}

function wrongKey(what: string, algorithm: SigningAlgorithm, problem: string): CharterError {
  return new CharterError(
    `${what} does not fit ${algorithm}: ${problem}`,
    { file: what },
    algorithm === "HS256"
      ? "HS256 signs with a shared secret: the file holds the secret itself"
      : algorithm === "RS256"
        ? "RS256 needs an RSA key in PEM form, e.g. `openssl genrsa -out key.pem 2048`"
        : "ES256 needs an EC P-256 key in PEM form, e.g. `openssl ecparam -name prime256v1 -genkey -noout -out key.pem`",
  );
}

/** The key that signs with `algorithm`, from a key file's bytes; `what` names the file. */
export function signingKey(
  material: Uint8Array,
  algorithm: SigningAlgorithm,
  what: string,
): BundleKey {
  const text = Buffer.from(material).toString("utf8");
  if (algorithm === "HS256") {
    if (isPem(text)) throw wrongKey(what, algorithm, "it holds a PEM key");
    const secret = secretOf(material);
    if (secret.length === 0) throw wrongKey(what, algorithm, "it is empty");
    return secret;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw wrongKey(what, algorithm, "it holds no private key in PEM form");
  }
  const mismatch = keyMismatch(key, algorithm);
  if (mismatch) throw wrongKey(what, algorithm, `it holds ${mismatch}`);
  return key;
}

/** The algorithm a verification key implies when none is named: RSA, EC, else a secret. */
function impliedAlgorithm(text: string): SigningAlgorithm {
  if (!isPem(text)) return "HS256";
  try {
    return publicKeyOf(text).asymmetricKeyType === "ec" ? "ES256" : "RS256";
  } catch {
    return "RS256";
  }
}

function publicKeyOf(text: string): KeyObject {
  if (text.includes("-----BEGIN CERTIFICATE-----")) return new X509Certificate(text).publicKey;
  return createPublicKey(text);
}

/**
 * The key that verifies, from a key file's bytes, and its algorithm (`algorithm` when given,
 * else implied by the key: RSA → RS256, EC → ES256, not a PEM → an HS256 secret).
 */
export function verificationKey(
  material: Uint8Array,
  algorithm: SigningAlgorithm | undefined,
  what: string,
): { readonly key: BundleKey; readonly algorithm: SigningAlgorithm } {
  const text = Buffer.from(material).toString("utf8");
  const alg = algorithm ?? impliedAlgorithm(text);
  if (alg === "HS256") {
    if (isPem(text)) throw wrongKey(what, alg, "it holds a PEM key");
    const secret = secretOf(material);
    if (secret.length === 0) throw wrongKey(what, alg, "it is empty");
    return { key: secret, algorithm: alg };
  }
  let key: KeyObject;
  try {
    key = publicKeyOf(text);
  } catch {
    throw wrongKey(what, alg, "it holds no public key, certificate or private key in PEM form");
  }
  const mismatch = keyMismatch(key, alg);
  if (mismatch) throw wrongKey(what, alg, `it holds ${mismatch}`);
  return { key, algorithm: alg };
}
