/** The media types Charter reads (OCI image spec 1.1, Docker distribution, cosign, Sigstore). */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";

/** What a manifest GET accepts: an image (OCI or Docker) or an index (OCI or Docker list). */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];

/** cosign's legacy `.sig` layer: a simple-signing payload. */
export const COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
/** cosign's legacy `.att` layer: a DSSE envelope. */
export const DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
/** The artifact type of a Sigstore bundle attached as a referrer (cosign v3). */
export const SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
/** Older bundle media types (`…bundle+json;version=0.1|0.2|0.3`), accepted as layers. */
export function isSigstoreBundleMediaType(mediaType: string): boolean {
  return (
    mediaType === SIGSTORE_BUNDLE_V03 ||
    /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.[1-3])?\+json(?:;\s*version=0\.[1-3])?$/.test(
      mediaType,
    )
  );
}

/** cosign's annotations on legacy `.sig` / `.att` layers. */
export const COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
export const COSIGN_CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
export const COSIGN_CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
export const COSIGN_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
/** cosign's annotation on a bundle referrer's manifest. */
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = "dev.sigstore.bundle.predicateType";
