/**
 * Everything a registry holds that may sign or attest an image's digest, read in this order:
 *
 * 1. cosign's legacy signature tag `sha256-<hex>.sig` (when signatures are wanted): each
 *    `application/vnd.dev.cosign.simplesigning.v1+json` layer;
 * 2. cosign's legacy attestation tag `sha256-<hex>.att` (when attestations are wanted): each
 *    `application/vnd.dsse.envelope.v1+json` layer;
 * 3. the referrers of the digest — the OCI 1.1 referrers API, or the `sha256-<hex>` referrers tag
 *    where the registry has none — keeping the manifests whose artifact type is a Sigstore
 *    bundle (`application/vnd.dev.sigstore.bundle.v0.3+json`) and whose `subject` is the digest;
 *    the bundle is the manifest's bundle layer. When signatures are wanted every bundle is read,
 *    whatever its predicate type: any bundle is its signer's signature (IR README item 18).
 *
 * A tag that is not there (404) means nothing of that kind. A manifest, payload or bundle that
 * cannot be read as what it must be is an error (`RegistryError` `malformed`): fail closed.
 */

import type { Descriptor } from "../oci/manifest.js";
import {
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_CERTIFICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_SIMPLE_SIGNING,
  DSSE_ENVELOPE,
  isSigstoreBundleMediaType,
  OCI_EMPTY,
  SIGSTORE_BUNDLE_V03,
} from "../oci/media-types.js";
import { digestTag, type RegistryClient, type Repository } from "../oci/registry-client.js";
import { RegistryError } from "../oci/registry-error.js";
import { legacyAttestation, legacySignature } from "./legacy.js";

/** cosign v3 signs an image as an in-toto statement of this predicate type (an empty predicate). */
export const COSIGN_SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";

export type Candidate =
  | {
      readonly format: "legacy-sig";
      /** Where it was found, for notes: `sha256-….sig`. */
      readonly source: string;
      readonly bundle: Record<string, unknown>;
      readonly payload: Buffer;
      readonly signedDigest: string;
      /** Signed keylessly (a certificate annotation): not verifiable by Charter. */
      readonly keyless: boolean;
    }
  | {
      readonly format: "legacy-att";
      readonly source: string;
      readonly bundle: Record<string, unknown>;
      readonly keyless: boolean;
    }
  | { readonly format: "bundle"; readonly source: string; readonly bundle: unknown };

export interface Collected {
  readonly candidates: readonly Candidate[];
  /** What was looked at, for "no signature found (looked at …)". */
  readonly looked: readonly string[];
  readonly notes: readonly string[];
}

export interface Wanted {
  readonly signatures: boolean;
  /** Predicate types of attestations wanted; empty: none. */
  readonly predicateTypes: ReadonlySet<string>;
}

export async function collect(
  client: RegistryClient,
  repo: Repository,
  digest: string,
  wanted: Wanted,
): Promise<Collected> {
  const candidates: Candidate[] = [];
  const looked: string[] = [];
  const notes: string[] = [];
  const name = `${repo.registry}/${repo.repository}`;
  const malformed = (what: string, why: string) =>
    new RegistryError("malformed", `${what} of ${name} is malformed: ${why}`, repo.registry);

  if (wanted.signatures) {
    const tag = `${digestTag(digest)}.sig`;
    looked.push(tag);
    const manifest = await client.getManifest(repo, tag);
    for (const [index, layer] of (manifest?.document.layers ?? []).entries()) {
      if (layer.mediaType !== COSIGN_SIMPLE_SIGNING) continue;
      const source = `${tag} layer ${index}`;
      const payload = await client.getBlob(repo, layer);
      const read = legacySignature(payload, layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION]);
      if (!read.ok) throw malformed(`the signature ${source}`, read.reason);
      candidates.push({
        format: "legacy-sig",
        source,
        bundle: read.bundle,
        payload: read.payload,
        signedDigest: read.signedDigest,
        keyless: hasCertificate(layer),
      });
    }
  }

  if (wanted.predicateTypes.size > 0) {
    const tag = `${digestTag(digest)}.att`;
    looked.push(tag);
    const manifest = await client.getManifest(repo, tag);
    for (const [index, layer] of (manifest?.document.layers ?? []).entries()) {
      if (layer.mediaType !== DSSE_ENVELOPE) continue;
      const annotated = layer.annotations?.predicateType;
      if (annotated !== undefined && !wanted.predicateTypes.has(annotated)) continue;
      const source = `${tag} layer ${index}`;
      const read = legacyAttestation(await client.getBlob(repo, layer));
      if (!read.ok) throw malformed(`the attestation ${source}`, read.reason);
      candidates.push({
        format: "legacy-att",
        source,
        bundle: read.bundle,
        keyless: hasCertificate(layer),
      });
    }
  }

  if (wanted.signatures || wanted.predicateTypes.size > 0) {
    const referrers = await client.referrers(repo, digest);
    looked.push(
      referrers.source === "api" ? "the referrers API" : `the referrers tag ${digestTag(digest)}`,
    );
    if (referrers.truncated) {
      notes.push(`only the first ${referrers.descriptors.length} referrers of ${digest} were read`);
    }
    for (const descriptor of referrers.descriptors) {
      if (!mayBeBundle(descriptor, wanted)) continue;
      const manifest = await client.getManifest(repo, descriptor.digest);
      if (manifest === undefined) {
        throw new RegistryError(
          "not-found",
          `the referrer ${descriptor.digest} of ${name}@${digest} is listed but its manifest is not there (404)`,
          repo.registry,
        );
      }
      const document = manifest.document;
      const artifactType = document.artifactType ?? document.config?.mediaType;
      if (artifactType === undefined || !isSigstoreBundleMediaType(artifactType)) continue;
      if (document.subject?.digest !== digest) continue;
      const layer = document.layers.find((l) => isSigstoreBundleMediaType(l.mediaType));
      const source = `referrer ${descriptor.digest}`;
      if (layer === undefined)
        throw malformed(`the Sigstore bundle ${source}`, "its manifest has no bundle layer");
      const blob = await client.getBlob(repo, layer);
      let bundle: unknown;
      try {
        bundle = JSON.parse(blob.toString("utf8"));
      } catch (error) {
        throw malformed(
          `the Sigstore bundle ${source}`,
          `it is not JSON (${(error as Error).message})`,
        );
      }
      candidates.push({ format: "bundle", source, bundle });
    }
  }
  return { candidates, looked, notes };
}

function hasCertificate(layer: Descriptor): boolean {
  const certificate = layer.annotations?.[COSIGN_CERTIFICATE_ANNOTATION];
  return certificate !== undefined && certificate !== "";
}

/**
 * Whether a referrer may be a bundle we want, from its descriptor alone. The artifact type is
 * a bundle's, or — registries that fill it from the config media type, such as
 * go-containerregistry's — the empty config's, or absent; the predicate-type annotation, when
 * the listing carries it, skips bundles of kinds nobody asked for (only to save reads: what
 * counts is the verified statement).
 */
function mayBeBundle(descriptor: Descriptor, wanted: Wanted): boolean {
  const type = descriptor.artifactType;
  if (
    type !== undefined &&
    type !== SIGSTORE_BUNDLE_V03 &&
    type !== OCI_EMPTY &&
    !isSigstoreBundleMediaType(type)
  ) {
    return false;
  }
  const predicateType = descriptor.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION];
  if (predicateType === undefined) return true;
  // Any bundle is a signature of its attestor (verify-image.ts); one of another predicate type
  // may be an attestation too.
  return wanted.signatures || wanted.predicateTypes.has(predicateType);
}
