/**
 * Runs one of the rig's tools (cosign, crane) as a child process: its exit code and its output,
 * never a shell. A run that does not end within its time limit is killed and reported as such
 * (a tool that waits for a network this machine does not have must not hang a test file).
 */
import { execFile } from "node:child_process";

export interface ToolRun {
  /** The exit code; 124 when the run was killed at its time limit. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for messages. */
  readonly command: string;
}

export interface RunToolOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Killed after this long (default 120 s). */
  readonly timeoutMs?: number;
}

export function runTool(
  binary: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolRun> {
  const command = [binary, ...args].join(" ");
  return new Promise((done) => {
    execFile(
      binary,
      [...args],
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        killSignal: "SIGKILL",
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) {
          const killed = (error as { killed?: boolean }).killed === true;
          code = killed ? 124 : typeof error.code === "number" ? error.code : 1;
        }
        done({ code, stdout, stderr, command });
      },
    );
  });
}

/** Like runTool, but a non-zero exit is an error that shows the command and its output. */
export async function mustRun(
  binary: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolRun> {
  const run = await runTool(binary, args, options);
  if (run.code !== 0) {
    throw new Error(
      `${run.command} exited ${run.code}${run.code === 124 ? " (killed at its time limit)" : ""}\n${run.stdout}${run.stderr}`,
    );
  }
  return run;
}

/** Runs the tasks at most `limit` at a time; the results are in the order of the tasks. */
export async function inBatches<T>(
  limit: number,
  tasks: readonly (() => Promise<T>)[],
): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task) results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
