/**
 * The real go-containerregistry registry (`cmd/registry`, in memory) on 127.0.0.1 for the tests
 * that read signatures from a registry: `$CHARTER_REGISTRY` or `.tools/bin/registry`
 * (scripts/install-engines.sh). Missing, the tests say so loudly and skip; under CI=true they fail.
 * Content is pushed byte for byte with the distribution API's plain PUTs.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPinnedTool, missingForTests } from "@charter/test-support/pinned-tool";
import {
  type RegistryKind,
  startRegistry as startSupervisedRegistry,
} from "@charter/test-support/signing-rig/registry-process";

export function findRegistryBinary(
  what: string,
  name = "registry",
  env = "CHARTER_REGISTRY",
): string | undefined {
  return (
    findPinnedTool(name, env) ??
    missingForTests(
      `the go-containerregistry ${name} binary is not installed ($${env}, .tools/bin/${name}): run scripts/install-engines.sh`,
      what,
    )
  );
}

export interface RunningRegistry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * Starts a registry on a port of 127.0.0.1 the kernel picks, supervised so that it ends with
 * the test process (the signing rig's registry-process.ts): the stock one (`plain`) or
 * tools/referrers-registry (`referrers`). Its log goes to a scratch folder, removed on stop.
 */
export async function startRegistry(
  binary: string,
  kind: RegistryKind = "plain",
): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "charter-registry-"));
  const running = await startSupervisedRegistry({
    kind,
    binary,
    logFile: join(dir, "registry.log"),
  });
  return {
    host: running.host,
    stop: async () => {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

export async function pushBlob(host: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const response = await fetch(`http://${host}/v2/${repository}/blobs/uploads/?digest=${digest}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: bytes,
  });
  if (response.status !== 201)
    throw new Error(`blob upload ${digest}: ${response.status} ${await response.text()}`);
  return digest;
}

/** PUTs a manifest under `reference` (a tag or its digest) with its own mediaType as content type. */
export async function pushManifest(
  host: string,
  repository: string,
  reference: string,
  bytes: Buffer,
): Promise<string> {
  const mediaType = (JSON.parse(bytes.toString("utf8")) as { mediaType: string }).mediaType;
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, {
    method: "PUT",
    headers: { "content-type": mediaType },
    body: bytes,
  });
  if (response.status !== 201)
    throw new Error(`manifest ${reference}: ${response.status} ${await response.text()}`);
  return sha256(bytes);
}
