/**
 * A cluster process that cannot outlive the process that started it. Node has no parent-death
 * signal, so each program runs under a small Node supervisor whose stdin is a pipe from us: when
 * we exit — normally, on a test failure, a timeout or SIGKILL — the pipe closes, and the
 * supervisor stops the program (SIGTERM, then SIGKILL) and exits with it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/** Runs in the supervisor (`node -e`): argv[1] is the JSON [program, ...args]. */
const SUPERVISOR = `
const { spawn } = require("node:child_process");
const [program, ...args] = JSON.parse(process.argv[1]);
const child = spawn(program, args, { stdio: ["ignore", "inherit", "inherit"] });
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill("SIGTERM");
  setTimeout(() => child.kill("SIGKILL"), ${10_000}).unref();
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

export interface SupervisedProcess {
  readonly name: string;
  readonly logFile: string;
  /** Resolves with the exit code when the program ends (stopped or on its own). */
  readonly exited: Promise<number>;
  /** True once the program has ended. */
  hasExited(): boolean;
  /** Stops the program and waits for it to end. */
  stop(): Promise<number>;
  /** The last `lines` lines of its log, for an error message. */
  logTail(lines?: number): string;
}

export function superviseProcess(
  name: string,
  program: string,
  args: readonly string[],
  logFile: string,
): SupervisedProcess {
  const log = openSync(logFile, "a");
  let supervisor: ChildProcess;
  try {
    supervisor = spawn(process.execPath, ["-e", SUPERVISOR, JSON.stringify([program, ...args])], {
      stdio: ["pipe", log, log],
    });
  } finally {
    closeSync(log);
  }
  let ended = false;
  const exited = new Promise<number>((resolve) => {
    supervisor.once("exit", (code, signal) => {
      ended = true;
      resolve(code ?? (signal === null ? 1 : 128));
    });
    supervisor.once("error", () => {
      ended = true;
      resolve(127);
    });
  });
  // The pipe is the lifeline; it must not keep our event loop alive.
  supervisor.unref();
  (supervisor.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    name,
    logFile,
    exited,
    hasExited: () => ended,
    async stop() {
      // While we wait for it, the supervisor holds the event loop (it is unref'd otherwise).
      supervisor.ref();
      supervisor.stdin?.end();
      return exited;
    },
    logTail(lines = 20) {
      try {
        return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      } catch {
        return "(no log)";
      }
    },
  };
}
