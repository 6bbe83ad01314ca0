/**
 * An in-memory OCI registry on 127.0.0.1 for the rig, of one of two kinds:
 * - `plain`: go-containerregistry's stock `registry` command, which has no OCI referrers API
 *   (GET /v2/<repo>/referrers/<digest> is a 404), so cosign's new bundle format falls back to the
 *   referrers tag schema (an index at tag `sha256-<hex>`);
 * - `referrers`: tools/referrers-registry, the same registry with the referrers API on, where
 *   cosign's bundles are found as OCI 1.1 referrers and no fallback tag is written.
 *
 * Each listens on a port the kernel picks (port 0), so two rigs never collide; the port is read
 * from the line the registry prints once it listens, and the registry is ready once GET /v2/
 * answers 200. It runs under a small Node supervisor whose stdin is a pipe from us (as the dev
 * cluster's processes do, in @charter/server): when the test process ends in any way, the pipe
 * closes and the supervisor stops the registry, so nothing is left behind even after a crash.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export type RegistryKind = "plain" | "referrers";

export const REGISTRY_KINDS: readonly RegistryKind[] = ["plain", "referrers"];

export interface RunningRegistry {
  readonly kind: RegistryKind;
  /** `127.0.0.1:<port>`: the registry part of the rig's references. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The registry process's id (not the supervisor's). */
  readonly pid: number;
  readonly logFile: string;
  /** Stops the registry and waits until its process is gone. */
  stop(): Promise<void>;
}

/** Runs in the supervisor (`node -e`): argv[1] is the JSON [program, ...args]. */
const SUPERVISOR = `
const { spawn } = require("node:child_process");
const [program, ...args] = JSON.parse(process.argv[1]);
const child = spawn(program, args, { stdio: ["ignore", "inherit", "inherit"] });
console.log("supervised pid " + child.pid);
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), 5000).unref();
}
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.on("error", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.on("error", (error) => { console.error(String(error)); process.exit(127); });
child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
`;

/** The command line of each kind; both pick a free port and print it. */
function commandLine(kind: RegistryKind, binary: string): string[] {
  // The stock command listens on localhost:<port> and logs "serving on port N" (and every request).
  // referrers-registry prints "serving on 127.0.0.1:N" and logs nothing else.
  return kind === "plain" ? [binary, "-port", "0"] : [binary, "-addr", "127.0.0.1:0"];
}

const LISTENING = /serving on (?:port |127\.0\.0\.1:)(\d+)/;
const PID = /supervised pid (\d+)/;

export interface StartRegistryOptions {
  readonly kind: RegistryKind;
  /** The `registry` binary for `plain`, `referrers-registry` for `referrers`. */
  readonly binary: string;
  /** Where its output goes. */
  readonly logFile: string;
  /** How long to wait for it to answer (default 30 s). */
  readonly readyWithinMs?: number;
}

export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const { kind, binary, logFile } = options;
  const log = openSync(logFile, "a");
  let supervisor: ChildProcess;
  try {
    supervisor = spawn(
      process.execPath,
      ["-e", SUPERVISOR, JSON.stringify(commandLine(kind, binary))],
      {
        stdio: ["pipe", log, log],
      },
    );
  } finally {
    closeSync(log);
  }
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    supervisor.once("exit", () => {
      ended = true;
      resolve();
    });
    supervisor.once("error", () => {
      ended = true;
      resolve();
    });
  });
  // The pipe is the lifeline; it must not keep our event loop alive.
  supervisor.unref();
  (supervisor.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const stop = async (): Promise<void> => {
    supervisor.ref();
    supervisor.stdin?.end();
    await exited;
  };
  const readLog = (): string => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  const deadline = Date.now() + (options.readyWithinMs ?? 30_000);
  try {
    let port: number | undefined;
    let pid: number | undefined;
    while (port === undefined || pid === undefined) {
      if (ended) throw new Error(`the ${kind} registry exited before it listened`);
      if (Date.now() > deadline) throw new Error(`the ${kind} registry printed no port in time`);
      const text = readLog();
      const listening = LISTENING.exec(text)?.[1];
      const child = PID.exec(text)?.[1];
      port = listening === undefined ? undefined : Number(listening);
      pid = child === undefined ? undefined : Number(child);
      if (port === undefined || pid === undefined) await sleep(20);
    }
    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    for (;;) {
      if (ended) throw new Error(`the ${kind} registry exited before it answered /v2/`);
      try {
        const response = await fetch(`${url}/v2/`);
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // not answering yet
      }
      if (Date.now() > deadline) throw new Error(`the ${kind} registry did not answer ${url}/v2/`);
      await sleep(20);
    }
    const registryPid = pid;
    return { kind, host, url, pid: registryPid, logFile, stop };
  } catch (error) {
    await stop();
    const tail = readLog().trimEnd().split("\n").slice(-20).join("\n");
    throw new Error(`${(error as Error).message} (${binary}); its log:\n${tail}`);
  }
}

/** Whether a process with this id still exists (signal 0 checks without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
