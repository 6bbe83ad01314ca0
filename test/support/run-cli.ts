/** Runs `charter` in-process with captured output, as a user's terminal would see it. */
import { Readable } from "node:stream";
import { main } from "@charter/cli";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const repoRoot = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

export async function runCli(
  args: readonly string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "charter", ...args], {
    cwd: options.cwd ?? repoRoot,
    stdin: Readable.from([options.stdin ?? ""]),
    output: {
      out: (line = "") => {
        stdout += `${line}\n`;
      },
      err: (line = "") => {
        stderr += `${line}\n`;
      },
      paint: (_style, text) => text,
    },
  });
  return { code, stdout, stderr };
}
