/** What every command gets: where it runs, where it writes, and the project's policies. */
import { CharterError, type Policy } from "@charter/ir";
import { loadConfig } from "./config.js";
import { loadPolicies } from "./load-policies.js";
import type { Output } from "./output.js";
import { selectPolicies } from "./select.js";

export interface Context {
  readonly cwd: string;
  readonly output: Output;
  readonly stdin: NodeJS.ReadableStream;
}

export interface PolicyOptions {
  readonly config?: string;
  readonly policies?: string[];
  readonly select?: string;
}

export async function projectPolicies(ctx: Context, options: PolicyOptions): Promise<Policy[]> {
  const config = await loadConfig(ctx.cwd, options.config);
  const policies = selectPolicies(
    await loadPolicies(config, ctx.cwd, options.policies),
    options.select,
  );
  if (policies.length === 0) {
    throw new CharterError(
      `no policy cites a control selected by --select ${options.select}`,
      {},
      "see docs/cli.md for the control tags",
    );
  }
  return policies;
}
