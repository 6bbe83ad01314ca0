/**
 * The rebuild `charter serve --watch` hands to the server's watcher: `charter bundle` in a child
 * Node process (ES modules cannot be reloaded in place, and a child also isolates a crashing
 * policy file).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { errorMessage, type RebuildCommand } from "@charter/server";
import { cliPackageDir } from "./cli-package.js";

/** packages/cli/bin/charter.js. */
export const CHARTER_BIN = join(cliPackageDir(), "bin/charter.js");

/** Runs `charter bundle --out FILE --name NAME …args` in a child Node process. */
export function charterBundleCommand(options: {
  readonly out: string;
  readonly name: string;
  /** Further `charter bundle` arguments (policies, config, select, wasm, signing). */
  readonly args: readonly string[];
  readonly cwd: string;
}): RebuildCommand {
  const argv = [
    CHARTER_BIN,
    "bundle",
    "--out",
    options.out,
    "--name",
    options.name,
    ...options.args,
  ];
  return (cancel) =>
    new Promise((resolvePromise) => {
      const child = spawn(process.execPath, argv, {
        cwd: options.cwd,
        stdio: ["ignore", "ignore", "pipe"],
        signal: cancel,
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        if (stderr.length < 64 * 1024) stderr += chunk;
      });
      child.on("error", (error) => resolvePromise({ ok: false, stderr: errorMessage(error) }));
      child.on("close", (code, signal) =>
        resolvePromise({
          ok: code === 0,
          stderr: stderr.trim() || (code === 0 ? "" : `exited with ${code ?? signal}`),
        }),
      );
    });
}
