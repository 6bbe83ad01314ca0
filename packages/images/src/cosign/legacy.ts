/**
 * cosign's legacy signature formats (cosign specs/SIGNATURE_SPEC.md), rewritten as Sigstore
 * bundles so that one function (`verifyBundle`) verifies every signature Charter accepts:
 *
 * - `.sig` layer: the simple-signing payload (the layer's blob) and the base64 signature over
 *   its bytes (annotation `dev.cosignproject.cosign/signature`) become a message-signature
 *   bundle whose artifact is the payload; the payload's `critical.image.docker-manifest-digest`
 *   must then be the image's digest.
 * - `.att` layer: the blob is a DSSE envelope (payload type `application/vnd.in-toto+json`),
 *   which becomes a DSSE bundle; the statement's subject must then name the image's digest.
 *
 * Both are verified under key attestors only. A keyless legacy signature (certificate in
 * `dev.sigstore.cosign/certificate`, chain, and the Rekor bundle annotation) is not supported:
 * it is reported as such, never verified. cosign v3 writes the bundle format by default.
 */
import { createHash } from "node:crypto";
import { isObject } from "../oci/manifest.js";

export const SIMPLE_SIGNING_TYPE = "cosign container image signature";

/** A v0.3 bundle with a placeholder key hint: the attestor's key finder supplies the key. */
function keyBundle(content: Record<string, unknown>): Record<string, unknown> {
  return {
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: {
      publicKey: { hint: "charter-attestor-key" },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    ...content,
  };
}

export type LegacySignature =
  | {
      readonly ok: true;
      /** The bundle to verify, with `payload` as its artifact. */
      readonly bundle: Record<string, unknown>;
      readonly payload: Buffer;
      /** `critical.image.docker-manifest-digest` of the payload. */
      readonly signedDigest: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Reads a `.sig` layer's payload and signature annotation. */
export function legacySignature(payload: Buffer, signature: string | undefined): LegacySignature {
  if (signature === undefined || signature === "") {
    return { ok: false, reason: "the layer has no dev.cosignproject.cosign/signature annotation" };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) {
    return { ok: false, reason: "the signature annotation is not base64" };
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString("utf8"));
  } catch (error) {
    return {
      ok: false,
      reason: `the simple-signing payload is not JSON (${(error as Error).message})`,
    };
  }
  const critical = isObject(json) ? json.critical : undefined;
  const image = isObject(critical) ? critical.image : undefined;
  const digest = isObject(image) ? image["docker-manifest-digest"] : undefined;
  if (!isObject(critical) || typeof digest !== "string") {
    return {
      ok: false,
      reason: "the simple-signing payload has no critical.image.docker-manifest-digest",
    };
  }
  if (critical.type !== SIMPLE_SIGNING_TYPE) {
    return {
      ok: false,
      reason: `the simple-signing payload's critical.type is ${JSON.stringify(critical.type ?? null)}, not ${JSON.stringify(SIMPLE_SIGNING_TYPE)}`,
    };
  }
  const bundle = keyBundle({
    messageSignature: {
      messageDigest: {
        algorithm: "SHA2_256",
        digest: createHash("sha256").update(payload).digest("base64"),
      },
      signature,
    },
  });
  return { ok: true, bundle, payload, signedDigest: digest };
}

export type LegacyAttestation =
  | { readonly ok: true; readonly bundle: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/** Reads an `.att` layer's DSSE envelope. */
export function legacyAttestation(blob: Buffer): LegacyAttestation {
  let json: unknown;
  try {
    json = JSON.parse(blob.toString("utf8"));
  } catch (error) {
    return { ok: false, reason: `the DSSE envelope is not JSON (${(error as Error).message})` };
  }
  if (!isObject(json) || typeof json.payload !== "string" || typeof json.payloadType !== "string") {
    return { ok: false, reason: "the DSSE envelope has no payload or payloadType" };
  }
  if (!Array.isArray(json.signatures) || json.signatures.length !== 1) {
    return {
      ok: false,
      reason: `the DSSE envelope has ${Array.isArray(json.signatures) ? json.signatures.length : "no"} signatures, not 1`,
    };
  }
  return { ok: true, bundle: keyBundle({ dsseEnvelope: json }) };
}
