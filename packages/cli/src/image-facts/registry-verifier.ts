/**
 * `--verify-images`: the registry read by @charter/images — signatures and attestations
 * verified with each policy's attestors. One client per run (its tokens are reused) and one
 * cache of what verified; credentials come from the Docker config file ($DOCKER_CONFIG or
 * ~/.docker/config.json); plain HTTP only for loopback registries and those listed.
 */
import { RegistryClient, VerificationCache, verifyImage } from "@charter/images";
import type { VerifyImage } from "./with-image-facts.js";

export interface RegistryVerifierOptions {
  /** Registries (host[:port]) read over plain HTTP besides loopback ones. */
  readonly insecureRegistries?: readonly string[];
  /** The `trusted_root.json` keyless attestors without their own use. */
  readonly trustedRoot?: string;
}

export function registryVerifier(options: RegistryVerifierOptions = {}): VerifyImage {
  const registry = new RegistryClient(
    options.insecureRegistries?.length ? { insecureRegistries: options.insecureRegistries } : {},
  );
  const cache = new VerificationCache();
  return (reference, rules) =>
    verifyImage(reference, rules, {
      registry,
      cache,
      ...(options.trustedRoot ? { trustedRoot: options.trustedRoot } : {}),
    });
}
