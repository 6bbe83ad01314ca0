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
    // Anyone holding the public key could then sign: never a secret.
    if (isDerPublicKey(material)) {
      throw wrongKey(what, algorithm, "it holds a DER-encoded public key");
    }
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

/**
 * The algorithm a PEM verification key implies when none is named: RSA → RS256, EC → ES256.
 * Never HS256: a file that is not PEM may be a DER public key, and taking a public key as an
 * HMAC secret lets anyone who has it sign (OPA itself defaults to RS256).
 */
function impliedAlgorithm(text: string, what: string): SigningAlgorithm {
  if (!isPem(text)) {
    throw new CharterError(
      `cannot tell the signing algorithm: ${what} holds no PEM key`,
      { file: what },
      "name it: --signing-alg HS256 when the file holds a shared secret; a DER public key must be converted to PEM first (`openssl pkey -pubin -inform DER -in key.der -out key.pem`)",
    );
  }
  let key: KeyObject;
  try {
    key = publicKeyOf(text);
  } catch {
    throw wrongKey(what, "RS256", "it holds no public key, certificate or private key in PEM form");
  }
  if (key.asymmetricKeyType === "ec") return "ES256";
  if (key.asymmetricKeyType === "rsa") return "RS256";
  throw new CharterError(
    `${what} holds a ${key.asymmetricKeyType} key, which signs with none of ${SIGNING_ALGORITHMS.join(", ")}`,
    { file: what },
    "verify with the RSA or EC P-256 public key the bundle was signed for",
  );
}

/** Whether the bytes are a DER public key or certificate (never a fit HMAC secret). */
function isDerPublicKey(material: Uint8Array): boolean {
  const der = Buffer.from(material);
  const attempts = [
    () => createPublicKey({ key: der, format: "der", type: "spki" }),
    () => createPublicKey({ key: der, format: "der", type: "pkcs1" }),
    () => new X509Certificate(der),
  ];
  return attempts.some((attempt) => {
    try {
      attempt();
      return true;
    } catch {
      return false;
    }
  });
}

function publicKeyOf(text: string): KeyObject {
  if (text.includes("-----BEGIN CERTIFICATE-----")) return new X509Certificate(text).publicKey;
  return createPublicKey(text);
}

/**
 * The key that verifies, from a key file's bytes, and its algorithm (`algorithm` when given,
 * else implied by a PEM key: RSA → RS256, EC → ES256; anything else must be named). A public
 * key, PEM or DER, is never taken as an HS256 secret.
 */
export function verificationKey(
  material: Uint8Array,
  algorithm: SigningAlgorithm | undefined,
  what: string,
): { readonly key: BundleKey; readonly algorithm: SigningAlgorithm } {
  const text = Buffer.from(material).toString("utf8");
  const alg = algorithm ?? impliedAlgorithm(text, what);
  if (alg === "HS256") {
    if (isPem(text)) throw wrongKey(what, alg, "it holds a PEM key");
    if (isDerPublicKey(material)) throw wrongKey(what, alg, "it holds a DER-encoded public key");
    const secret = secretOf(material);
    if (secret.length === 0) throw wrongKey(what, alg, "it is empty");
    return { key: secret, algorithm: alg };
  }
  let key: KeyObject;
  try {
    key = publicKeyOf(text);
  } catch {
    throw wrongKey(
      what,
      alg,
      isDerPublicKey(material)
        ? "it holds a DER-encoded key; OPA reads PEM only (`openssl pkey -pubin -inform DER -in key.der -out key.pem`)"
        : "it holds no public key, certificate or private key in PEM form",
    );
  }
  const mismatch = keyMismatch(key, alg);
  if (mismatch) throw wrongKey(what, alg, `it holds ${mismatch}`);
  return { key, algorithm: alg };
}
