/**
 * The one function every Sigstore signature Charter accepts goes through — a bundle from a
 * referrer, and cosign's legacy `.sig` and `.att` layers rewritten as bundles (legacy.ts) — and
 * the one the Sigstore conformance suite is run through.
 *
 * Checks, in order: the bundle parses and is v0.1–v0.3 (`@sigstore/bundle`); the signature,
 * certificate chain, SCTs, transparency-log entries and timestamps under the policy's trust
 * material and thresholds (`@sigstore/verify`'s `Verifier`); the signer's identity (issuer and
 * SAN, exact or anchored RE2) for keyless policies; and what is signed: for a DSSE envelope, an
 * in-toto statement (`application/vnd.in-toto+json`) one of whose subjects has the expected
 * sha256; for a message signature, the artifact's bytes.
 */
import { createHash } from "node:crypto";
import { type Bundle, bundleFromJSON } from "@sigstore/bundle";
import { type SignedEntity, toSignedEntity, Verifier } from "@sigstore/verify";
import { type BundlePolicy, describeMatch, identityMatches } from "./trust.js";

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
const IN_TOTO_STATEMENT_TYPES = new Set([
  "https://in-toto.io/Statement/v1",
  "https://in-toto.io/Statement/v0.1",
]);
const SUPPORTED_MEDIA_TYPES = new Set([
  "application/vnd.dev.sigstore.bundle+json;version=0.1",
  "application/vnd.dev.sigstore.bundle+json;version=0.2",
  "application/vnd.dev.sigstore.bundle+json;version=0.3",
  "application/vnd.dev.sigstore.bundle.v0.3+json",
]);

/** What the signature must be about. */
export type SignedSubject =
  /** The signed bytes themselves (a message signature), or their sha256 (a DSSE subject). */
  | { readonly artifact: Uint8Array }
  /** A DSSE statement's subject digest (`sha256:<hex>`); message signatures cannot be checked. */
  | { readonly digest: string };

export interface InTotoStatement {
  readonly _type: string;
  readonly subject: readonly { readonly name?: string; readonly digest: Record<string, string> }[];
  readonly predicateType: string;
  readonly predicate?: unknown;
}

export type BundleVerdict =
  | {
      readonly ok: true;
      /** Present for DSSE bundles. */
      readonly statement?: InTotoStatement;
      readonly signer: { readonly subject?: string; readonly issuer?: string };
    }
  | {
      readonly ok: false;
      /** Short and specific: "the signature does not verify", "the issuer … is not …". */
      readonly reason: string;
      /** The bundle (or its statement) could not be read at all, as opposed to not verifying. */
      readonly malformed: boolean;
    };

const fail = (reason: string, malformed = false): BundleVerdict => ({
  ok: false,
  reason,
  malformed,
});

export function verifyBundle(
  json: unknown,
  subject: SignedSubject,
  policy: BundlePolicy,
): BundleVerdict {
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (typeof json !== "object" || json === null)
    return fail("the bundle is not a JSON object", true);
  if (typeof mediaType !== "string" || !SUPPORTED_MEDIA_TYPES.has(mediaType)) {
    return fail(
      `the bundle's mediaType ${JSON.stringify(mediaType)} is not a Sigstore bundle v0.1–v0.3`,
      true,
    );
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return fail(`the bundle is not valid: ${describe(error)}`, true);
  }
  if (policy.keyOnly) bundle = underKeyOnly(bundle);

  let statement: InTotoStatement | undefined;
  let artifact: Buffer | undefined;
  if (bundle.content.$case === "dsseEnvelope") {
    const envelope = bundle.content.dsseEnvelope;
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      return fail(
        `the DSSE payload type is ${JSON.stringify(envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
        true,
      );
    }
    const parsed = parseStatement(envelope.payload);
    if (typeof parsed === "string") return fail(parsed, true);
    statement = parsed;
  } else if ("artifact" in subject) {
    artifact = Buffer.from(subject.artifact);
  } else {
    return fail("the bundle signs a message, not an in-toto statement about the image", false);
  }

  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, artifact);
  } catch (error) {
    return fail(`the bundle is not valid: ${describe(error)}`, true);
  }
  let signer: ReturnType<Verifier["verify"]>;
  try {
    signer = new Verifier(policy.trust, {
      tlogThreshold: policy.thresholds.tlog,
      ctlogThreshold: policy.thresholds.ctlog,
      timestampThreshold: policy.thresholds.timestamp,
    }).verify(entity);
  } catch (error) {
    return fail(describe(error));
  }
  const issuer = signer.identity?.extensions?.issuer;
  const san = signer.identity?.subjectAlternativeName;
  if (policy.identity !== undefined) {
    if (signer.identity === undefined)
      return fail("the bundle is signed with a key, not a certificate");
    if (!identityMatches(policy.identity.issuer, issuer)) {
      return fail(
        `the certificate's issuer ${JSON.stringify(issuer ?? null)} is not ${describeMatch(policy.identity.issuer)}`,
      );
    }
    if (!identityMatches(policy.identity.subject, san)) {
      return fail(
        `the certificate's subject ${JSON.stringify(san ?? null)} is not ${describeMatch(policy.identity.subject)}`,
      );
    }
  }
  if (statement !== undefined) {
    const want =
      "digest" in subject
        ? subject.digest
        : `sha256:${createHash("sha256").update(subject.artifact).digest("hex")}`;
    const hex = want.startsWith("sha256:") ? want.slice("sha256:".length) : "";
    if (!statement.subject.some((s) => s.digest.sha256?.toLowerCase() === hex)) {
      return fail(`the statement's subject is not ${want}`);
    }
  }
  return {
    ok: true,
    ...(statement !== undefined ? { statement } : {}),
    signer: {
      ...(san !== undefined ? { subject: san } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
    },
  };
}

/** The bundle as a key attestor reads it: signed by "the key", no log entries, no timestamps. */
function underKeyOnly(bundle: Bundle): Bundle {
  return {
    ...bundle,
    verificationMaterial: {
      content: { $case: "publicKey", publicKey: { hint: "charter-attestor-key" } },
      tlogEntries: [],
      timestampVerificationData: undefined,
    },
  } as Bundle;
}

/** An in-toto statement, or why the payload is not one. */
export function parseStatement(payload: Buffer): InTotoStatement | string {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString("utf8"));
  } catch (error) {
    return `the DSSE payload is not JSON (${(error as Error).message})`;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return "the DSSE payload is not a JSON object";
  }
  const { _type, subject, predicateType } = json as Record<string, unknown>;
  if (typeof _type !== "string" || !IN_TOTO_STATEMENT_TYPES.has(_type)) {
    return `the DSSE payload's _type ${JSON.stringify(_type ?? null)} is not an in-toto Statement v1 or v0.1`;
  }
  if (typeof predicateType !== "string" || predicateType === "") {
    return "the in-toto statement has no predicateType";
  }
  if (!Array.isArray(subject) || subject.length === 0)
    return "the in-toto statement has no subject";
  for (const item of subject) {
    const digest = (item as { digest?: unknown } | null)?.digest;
    if (typeof digest !== "object" || digest === null || Array.isArray(digest)) {
      return "an in-toto subject has no digest object";
    }
    if (Object.values(digest).some((value) => typeof value !== "string")) {
      return "an in-toto subject's digest has a value that is not a string";
    }
  }
  return json as unknown as InTotoStatement;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const fields = (error as { fields?: unknown }).fields;
    return Array.isArray(fields) && fields.length > 0
      ? `${error.message} (${fields.join(", ")})`
      : error.message;
  }
  return String(error);
}
