/**
 * Throwaway cosign key pairs: `cosign generate-key-pair` (an ECDSA P-256 key, the private half
 * encrypted with COSIGN_PASSWORD) into the rig's folder, gone with it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mustRun } from "./run-tool.js";

/** The rig's two keys: `trusted` is the one a policy names; `other` is an unrelated key. */
export type KeyName = "trusted" | "other";

export const KEY_NAMES: readonly KeyName[] = ["trusted", "other"];

export interface CosignKeyPair {
  readonly name: KeyName;
  /** The encrypted private key (cosign's `ENCRYPTED SIGSTORE PRIVATE KEY` PEM). */
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  /** The public key's PEM text, as a policy embeds it. */
  readonly publicKeyPem: string;
}

export async function generateKeyPair(
  cosign: string,
  dir: string,
  name: KeyName,
  env: NodeJS.ProcessEnv,
): Promise<CosignKeyPair> {
  const prefix = join(dir, name);
  await mustRun(cosign, ["generate-key-pair", "--output-key-prefix", prefix], { env, cwd: dir });
  const publicKeyPath = `${prefix}.pub`;
  return {
    name,
    privateKeyPath: `${prefix}.key`,
    publicKeyPath,
    publicKeyPem: readFileSync(publicKeyPath, "utf8"),
  };
}
