/** Runs `opa` once and gives its stdout; a failure is an error carrying its stderr. */
import { spawn } from "node:child_process";

export class OpaError extends Error {
  override readonly name = "OpaError";
}

/** `cwd`: where opa runs (relative paths in its arguments are read from there). */
export function runOpa(
  opaPath: string,
  args: readonly string[],
  options: { readonly cwd?: string } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(opaPath, args, { stdio: ["ignore", "pipe", "pipe"], cwd: options.cwd });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => reject(new OpaError(`cannot run ${opaPath}: ${error.message}`)));
    child.on("close", (code, signal) => {
      const out = Buffer.concat(stdout).toString("utf8");
      if (code === 0) return resolvePromise(out);
      const err = Buffer.concat(stderr).toString("utf8").trim() || out.trim();
      const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new OpaError(`opa ${args[0] ?? ""} ${how}: ${err}`));
    });
  });
}
