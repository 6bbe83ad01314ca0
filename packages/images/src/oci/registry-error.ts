/**
 * What can go wrong reading a registry, as values a caller can switch on. Every message names
 * the registry (and the address or URL) and says what a user can do about it.
 */
export type RegistryErrorKind =
  /** The connection failed or timed out: nothing answered at the address. */
  | "unreachable"
  /** 401: no credentials, or the ones tried were refused. */
  | "unauthorized"
  /** 403: the credentials are valid but may not read this repository. */
  | "denied"
  /** 404 for something that must exist (the image's manifest, a blob a manifest lists). */
  | "not-found"
  /** A manifest, index or bundle that is not the JSON it must be. */
  | "malformed"
  /** Bytes whose sha256 is not the digest they were asked for or announced with. */
  | "digest-mismatch"
  /** A body over its size limit; refused while streaming. */
  | "too-large"
  /** A configuration Charter will not act on: plain HTTP to a remote host, a credential helper. */
  | "configuration"
  /** Any other answer a registry should not give (5xx, an unexpected status). */
  | "protocol";

export class RegistryError extends Error {
  override readonly name = "RegistryError";
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    /** `host[:port]` as written in the reference. */
    readonly registry: string,
  ) {
    super(message);
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}
