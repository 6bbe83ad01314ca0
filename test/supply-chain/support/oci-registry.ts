/**
 * The real go-containerregistry registry (`cmd/registry`, in memory) on 127.0.0.1 for the tests
 * that read signatures from a registry: `$CHARTER_REGISTRY` or `.tools/bin/registry`
 * (scripts/install-engines.sh). Missing, the tests say so loudly and skip; under CI=true they fail.
 * Content is pushed byte for byte with the distribution API's plain PUTs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function findRegistryBinary(
  what: string,
  name = "registry",
  env = "CHARTER_REGISTRY",
): string | undefined {
  const candidates = [process.env[env], join(repo, ".tools", "bin", name)];
  const found = candidates.find(
    (path): path is string => path !== undefined && path !== "" && existsSync(path),
  );
  if (found === undefined && (process.env.CI === "true" || process.env.CI === "1")) {
    throw new Error(
      `the go-containerregistry ${name} binary is required under CI=true: run scripts/install-engines.sh`,
    );
  }
  if (found === undefined) {
    console.warn(
      `\n*** ${name} not found ($${env}, .tools/bin/${name}): SKIPPING ${what} (run scripts/install-engines.sh) ***\n`,
    );
  }
  return found;
}

export interface RunningRegistry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * Starts a registry on a free port of 127.0.0.1: the stock one (`-port 0`, which logs
 * "serving on port N") or tools/referrers-registry (`-addr 127.0.0.1:0`, which prints
 * "serving on 127.0.0.1:N").
 */
export function startRegistry(
  binary: string,
  args: readonly string[] = ["-port", "0"],
): Promise<RunningRegistry> {
  return new Promise((done, failed) => {
    const child: ChildProcess = spawn(binary, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    let started = false;
    const onData = (chunk: Buffer) => {
      if (started) return; // the stream keeps flowing; its log is not kept
      log += chunk.toString("utf8");
      const match = /serving on (?:port (\d+)|127\.0\.0\.1:(\d+))/.exec(log);
      if (match === null) return;
      started = true;
      done({
        host: `127.0.0.1:${match[1] ?? match[2]}`,
        stop: () =>
          new Promise((stopped) => {
            if (child.exitCode !== null || child.signalCode !== null) return stopped();
            child.once("exit", () => stopped());
            child.kill("SIGTERM");
          }),
      });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", failed);
    child.once("exit", (code) => {
      if (!started) failed(new Error(`${binary} exited (${code}) before serving: ${log}`));
    });
  });
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
