/**
 * The environment every cosign and crane run of the rig gets: built from nothing but PATH, with a
 * home, a Docker config and a TUF cache inside the rig's own folder, so no run reads or writes
 * the user's ~/.docker or ~/.sigstore, and no credential helper is asked about 127.0.0.1.
 * COSIGN_PASSWORD is the password of the rig's throwaway keys (`cosign generate-key-pair`,
 * `sign` and `attest` read it instead of prompting).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** The password of every key the rig makes: they are thrown away with the rig's folder. */
export const RIG_KEY_PASSWORD = "charter-signing-rig";

export function rigToolEnv(rigDir: string): NodeJS.ProcessEnv {
  const home = join(rigDir, "home");
  const docker = join(home, ".docker");
  const tuf = join(home, ".sigstore", "root");
  for (const dir of [home, docker, tuf]) mkdirSync(dir, { recursive: true });
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    DOCKER_CONFIG: docker,
    TUF_ROOT: tuf,
    TMPDIR: rigDir,
    COSIGN_PASSWORD: RIG_KEY_PASSWORD,
    NO_COLOR: "1",
  };
}
