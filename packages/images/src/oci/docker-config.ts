/**
 * Registry credentials from a Docker config file (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), as `docker login` writes them: `auths.<registry>.auth` (base64 of
 * `user:password`) or `auths.<registry>.username` + `password`. Credential helpers
 * (`credHelpers`, `credsStore`) are programs Charter does not run: a `credHelpers` entry for the
 * registry is an error that says to use `auths`; a global `credsStore` is mentioned when the
 * registry then refuses the anonymous request.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { DOCKER_HUB } from "../image-reference.js";
import { RegistryError } from "./registry-error.js";

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** Where they came from, for messages: `auths["ghcr.io"] in /home/u/.docker/config.json`. */
  readonly source: string;
}

export interface CredentialLookup {
  readonly credentials?: Credentials;
  /** The config file read, if any (for messages). */
  readonly file?: string;
  /** `credsStore` is set: the registry's credentials may be in a helper Charter does not run. */
  readonly credsStore?: string;
}

/** The config file Docker reads: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG;
  return dir !== undefined && dir !== ""
    ? join(dir, "config.json")
    : join(homedir(), ".docker", "config.json");
}

/** The keys `docker login` may have used for `registry`. */
function matchesRegistry(key: string, registry: string): boolean {
  const host = key
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
  const wanted = registry.toLowerCase();
  if (host === wanted) return true;
  if (wanted === DOCKER_HUB) {
    return host === "index.docker.io" || host === "registry-1.docker.io";
  }
  return false;
}

/**
 * Credentials for `registry` from the Docker config at `file` (default: `dockerConfigPath()`).
 * A missing file means anonymous; an unreadable or malformed one is an error (never a silent
 * anonymous request a user would not expect).
 */
export function lookupCredentials(registry: string, file = dockerConfigPath()): CredentialLookup {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new RegistryError(
      "configuration",
      `cannot read the Docker config ${file}: ${(error as Error).message}`,
      registry,
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new RegistryError(
      "configuration",
      `the Docker config ${file} is not JSON (${(error as Error).message}); fix it or point DOCKER_CONFIG elsewhere`,
      registry,
    );
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new RegistryError(
      "configuration",
      `the Docker config ${file} is not a JSON object`,
      registry,
    );
  }
  const { auths, credHelpers, credsStore } = config as Record<string, unknown>;
  if (auths !== undefined && (typeof auths !== "object" || auths === null)) {
    throw new RegistryError(
      "configuration",
      `"auths" in the Docker config ${file} is not an object`,
      registry,
    );
  }
  for (const [key, entry] of Object.entries((auths ?? {}) as Record<string, unknown>)) {
    if (!matchesRegistry(key, registry)) continue;
    const source = `auths[${JSON.stringify(key)}] in ${file}`;
    const found = entryCredentials(entry, source, registry);
    if (found !== undefined) return { credentials: found, file };
  }
  if (typeof credHelpers === "object" && credHelpers !== null) {
    for (const [key, helper] of Object.entries(credHelpers as Record<string, unknown>)) {
      if (!matchesRegistry(key, registry)) continue;
      throw new RegistryError(
        "configuration",
        `the Docker config ${file} sends ${registry} to the credential helper ${JSON.stringify(helper)} (credHelpers); Charter does not run credential helpers — add an "auths" entry for ${registry} (username and password, or auth) to a config file and point DOCKER_CONFIG at its folder`,
        registry,
      );
    }
  }
  return {
    file,
    ...(typeof credsStore === "string" && credsStore !== "" ? { credsStore } : {}),
  };
}

function entryCredentials(
  entry: unknown,
  source: string,
  registry: string,
): Credentials | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const { auth, username, password, identitytoken } = entry as Record<string, unknown>;
  if (typeof auth === "string" && auth !== "") {
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) {
      throw new RegistryError(
        "configuration",
        `${source}: "auth" is not base64 of user:password`,
        registry,
      );
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (typeof username === "string" && typeof password === "string") {
    return { username, password, source };
  }
  if (typeof identitytoken === "string" && identitytoken !== "") {
    throw new RegistryError(
      "configuration",
      `${source} holds only an identity token (an OAuth refresh token), which Charter does not exchange; use a username and password (or token) entry`,
      registry,
    );
  }
  return undefined;
}
