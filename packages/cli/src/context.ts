/** What every command gets: where it runs, where it writes, and the project's policies. */
import { dirname, resolve } from "node:path";
import { CharterError, type Policy, type PolicyException } from "@charter/ir";
import { findConfigFile, type LoadedConfig, loadConfig } from "./config.js";
import { isTranspileCache } from "./import-ts.js";
import { loadExceptions } from "./load-exceptions.js";
import { loadPolicies } from "./load-policies.js";
import type { Output } from "./output.js";
import { cached } from "./project-cache/project-cache.js";
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
  return (await projectPoliciesAndExceptions(ctx, options)).policies;
}

/** How the config's `params` are taken: set on the policies (the default), or only checked. */
export interface ParamsUse {
  readonly configured?: boolean;
}

/**
 * The selected policies and the exceptions to them (an exception for a policy `--select`
 * left out is left out with it).
 */
export async function projectPoliciesAndExceptions(
  ctx: Context,
  options: PolicyOptions,
  use: ParamsUse = {},
): Promise<{ policies: Policy[]; exceptions: PolicyException[]; config: LoadedConfig }> {
  const { config, policies: all, exceptions } = await loadProject(ctx, options, use);
  const policies = selectPolicies(all, options.select);
  if (policies.length === 0) {
    throw new CharterError(
      `no policy cites a control selected by --select ${options.select}`,
      {},
      "see docs/cli.md for the control tags",
    );
  }
  const selected = new Set(policies.map((policy) => policy.name));
  return { policies, exceptions: exceptions.filter((e) => selected.has(e.policy)), config };
}

/**
 * The config, every policy (parameters set unless `use.configured` is false) and every
 * exception, from the compiled policy-set cache when nothing they were made from has changed.
 */
async function loadProject(
  ctx: Context,
  options: PolicyOptions,
  use: ParamsUse,
): Promise<{ config: LoadedConfig; policies: Policy[]; exceptions: PolicyException[] }> {
  const configured = use.configured ?? true;
  const configFile = options.config ? resolve(ctx.cwd, options.config) : findConfigFile(ctx.cwd);
  return cached(
    {
      key: {
        cwd: ctx.cwd,
        config: options.config ?? null,
        policies: options.policies ?? null,
        configured,
      },
      near: configFile ? dirname(configFile) : ctx.cwd,
      ignore: isTranspileCache,
      log: (line) => ctx.output.err(line),
    },
    async () => {
      const config = await loadConfig(ctx.cwd, options.config);
      const policies = await loadPolicies(config, ctx.cwd, options.policies, { configured });
      const exceptions = await loadExceptions(config, ctx.cwd, policies);
      return { config, policies, exceptions };
    },
  );
}
