/**
 * The cosign command lines of the rig (cosign v3.1.3), offline with a key: no Fulcio, no Rekor,
 * no timestamp authority, no TUF. Checked against `cosign <command> --help` and cosign's source
 * (cmd/cosign/cli/options, cmd/cosign/cli/verify) at v3.1.3:
 *
 * - `--tlog-upload=false`: nothing goes to Rekor, and the bundle has no tlog entry. Without it
 *   cosign posts to the public Rekor (and fails here, with no network). cosign v3.1.3 marks it
 *   deprecated (it prints "prefer using a --signing-config file with no transparency log
 *   services") and refuses it unless the signing config is off:
 * - `--use-signing-config=false`: no signing config (the service URLs, from the Sigstore TUF
 *   repository). The modern equivalent of the pair is `--signing-config FILE` naming no tlog.
 * - `--yes`: no "are you sure" prompt about the transparency log.
 * - Format: cosign v3 writes the new bundle format by default (a Sigstore bundle v0.3 with a DSSE
 *   in-toto statement, pushed as an OCI 1.1 referrer of the image, or listed in the referrers tag
 *   `sha256-<hex>` where the registry has no referrers API); `--new-bundle-format=false` writes the
 *   legacy layout (a simple-signing payload under the tag `sha256-<hex>.sig`, DSSE attestations
 *   under `sha256-<hex>.att`). The flag is deprecated (cosign prints a warning) but works.
 * - Verification: `--key <pub> --insecure-ignore-tlog=true` is verification with the key alone
 *   (cosign then loads no trusted root: verifyOfflineWithKey in verify/common.go). No format flag is
 *   needed: `verify` and `verify-attestation` look for bundles first and fall back to the legacy
 *   tags when there are none (verify.go, verify_attestation.go), so one command line judges both.
 *
 * Images are always signed by digest: the signature is about that digest, whatever a tag says later.
 */
import type { AttestationType } from "./predicates.js";

export type SignatureFormat = "bundle" | "legacy";

export const SIGNATURE_FORMATS: readonly SignatureFormat[] = ["bundle", "legacy"];

const OFFLINE_SIGNING = ["--tlog-upload=false", "--use-signing-config=false", "--yes"] as const;

function formatFlags(format: SignatureFormat): string[] {
  return format === "legacy" ? ["--new-bundle-format=false"] : [];
}

/** `cosign sign` of an image by digest with a private key. */
export function signArgs(format: SignatureFormat, privateKey: string, digestRef: string): string[] {
  return ["sign", "--key", privateKey, ...OFFLINE_SIGNING, ...formatFlags(format), digestRef];
}

/** `cosign attest --type <type> --predicate <file>` of an image by digest with a private key. */
export function attestArgs(
  format: SignatureFormat,
  privateKey: string,
  type: AttestationType,
  predicateFile: string,
  digestRef: string,
): string[] {
  return [
    "attest",
    "--key",
    privateKey,
    "--type",
    type,
    "--predicate",
    predicateFile,
    ...OFFLINE_SIGNING,
    ...formatFlags(format),
    digestRef,
  ];
}

/** `cosign verify` with a public key, offline; judges both formats. */
export function verifyArgs(publicKey: string, ref: string): string[] {
  return ["verify", "--key", publicKey, "--insecure-ignore-tlog=true", ref];
}

/**
 * `cosign verify-attestation --type <type>` with a public key, offline; judges both formats.
 * With `policy` (a `.rego` or `.cue` file, see cosign-policies.ts), every attestation of that type
 * must also satisfy it.
 */
export function verifyAttestationArgs(
  publicKey: string,
  type: AttestationType,
  ref: string,
  policy?: string,
): string[] {
  return [
    "verify-attestation",
    "--key",
    publicKey,
    "--insecure-ignore-tlog=true",
    "--type",
    type,
    ...(policy === undefined ? [] : ["--policy", policy]),
    ref,
  ];
}
