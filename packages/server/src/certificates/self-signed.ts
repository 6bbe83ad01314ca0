/**
 * A certificate authority and a serving certificate it signs, for local use: `charter webhook
 * --self-signed` (the API server verifies the webhook with the CA, its `caBundle`) and tests.
 * ECDSA P-256 keys, SHA-256 signatures; the serving certificate names its hosts in the
 * subjectAltName (Go's TLS ignores the common name), is for serverAuth only, and both expire
 * after `days`. Keys are PKCS#8 PEM, certificates PEM.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { isIP } from "node:net";
import {
  bitString,
  boolean,
  explicit,
  implicit,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from "./der.js";

const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const COMMON_NAME = "2.5.4.3";
const SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
const KEY_USAGE = "2.5.29.15";
const SUBJECT_ALT_NAME = "2.5.29.17";
const BASIC_CONSTRAINTS = "2.5.29.19";
const AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";
const EXTENDED_KEY_USAGE = "2.5.29.37";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

/** keyUsage bits, first byte (bit 0 is the most significant). */
const DIGITAL_SIGNATURE = 0x80;
const KEY_CERT_SIGN = 0x04;
const CRL_SIGN = 0x02;

export interface CertificatePair {
  /** PEM. */
  readonly cert: string;
  /** PKCS#8 PEM. */
  readonly key: string;
}

export interface SelfSignedBundle {
  readonly ca: CertificatePair;
  readonly serving: CertificatePair;
}

export interface SelfSignedOptions {
  /** Host names and IP addresses the serving certificate is valid for. */
  readonly hosts: readonly string[];
  /** Days both certificates are valid (default 365). */
  readonly days?: number;
  /** The CA's common name (default `charter-webhook-ca`). */
  readonly caName?: string;
  readonly now?: Date;
}

export function selfSignedCertificates(options: SelfSignedOptions): SelfSignedBundle {
  const now = options.now ?? new Date();
  // A minute back: a clock a little behind ours still accepts them.
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * 86_400_000);
  const caKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const servingKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const caName = name(options.caName ?? "charter-webhook-ca");
  const caKeyId = keyIdentifier(caKeys.publicKey);
  const caCert = certificate({
    issuer: caName,
    subject: caName,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    extensions: [
      extension(BASIC_CONSTRAINTS, true, sequence(boolean(true))),
      extension(
        KEY_USAGE,
        true,
        bitString(Buffer.from([DIGITAL_SIGNATURE | KEY_CERT_SIGN | CRL_SIGN])),
      ),
      extension(SUBJECT_KEY_IDENTIFIER, false, octetString(caKeyId)),
    ],
  });
  const hosts = [...new Set(options.hosts)];
  const servingCert = certificate({
    issuer: caName,
    subject: name(hosts.find((host) => isIP(host) === 0) ?? hosts[0] ?? "charter-webhook"),
    publicKey: servingKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    extensions: [
      extension(BASIC_CONSTRAINTS, true, sequence()),
      extension(KEY_USAGE, true, bitString(Buffer.from([DIGITAL_SIGNATURE]))),
      extension(EXTENDED_KEY_USAGE, false, sequence(oid(SERVER_AUTH))),
      extension(SUBJECT_ALT_NAME, false, sequence(...hosts.map(generalName))),
      extension(SUBJECT_KEY_IDENTIFIER, false, octetString(keyIdentifier(servingKeys.publicKey))),
      extension(AUTHORITY_KEY_IDENTIFIER, false, sequence(implicit(0, caKeyId))),
    ],
  });
  return {
    ca: { cert: pem("CERTIFICATE", caCert), key: privatePem(caKeys.privateKey) },
    serving: { cert: pem("CERTIFICATE", servingCert), key: privatePem(servingKeys.privateKey) },
  };
}

function certificate(fields: {
  issuer: Buffer;
  subject: Buffer;
  publicKey: KeyObject;
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): Buffer {
  const algorithm = sequence(oid(ECDSA_WITH_SHA256));
  // A positive 16-byte serial (RFC 5280 allows up to 20 octets).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    algorithm,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...fields.extensions)),
  );
  const signature = sign("sha256", tbs, fields.signingKey);
  return sequence(tbs, algorithm, bitString(signature));
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid(COMMON_NAME), utf8String(commonName))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** dNSName `[2]` or iPAddress `[7]` (4 or 16 bytes). */
function generalName(host: string): Buffer {
  const version = isIP(host);
  if (version === 4) return implicit(7, Buffer.from(host.split(".").map(Number)));
  if (version === 6) return implicit(7, ipv6Bytes(host));
  return implicit(2, Buffer.from(host, "ascii"));
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
  const bytes = Buffer.alloc(16);
  for (const [index, group] of all.entries()) {
    bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  }
  return bytes;
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: "spki", format: "der" });
  // For a P-256 key the BIT STRING holding the point is the last 66 bytes (tag, length, 0, 65).
  return createHash("sha1")
    .update(spki.subarray(spki.length - 65))
    .digest();
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function privatePem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}
