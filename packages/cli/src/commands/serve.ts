/**
 * `charter serve`: serve the bundles of a folder to OPA (ETag, 304, long polling), receive its
 * decision logs and status reports, and with --watch rebuild the bundle when a policy changes.
 * Runs until SIGTERM or SIGINT, then shuts down gracefully and exits 0.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CharterError } from "@charter/ir";
import {
  type BundleServer,
  createBundleServer,
  isBundleName,
  jsonLogger,
  type Logger,
  type LogLevel,
  type SourceWatcher,
  watchSources,
} from "@charter/server";
import { charterBundleCommand } from "../charter-bundle-command.js";
import { loadConfig } from "../config.js";
import type { Context, PolicyOptions } from "../context.js";
import { EXIT_OK } from "../exit.js";
import { listenError } from "../listen-error.js";
import { shutdownSignal } from "../shutdown-signal.js";

export interface ServeOptions extends PolicyOptions {
  readonly host: string;
  readonly port: number;
  readonly bundles: string;
  readonly logs: string;
  readonly watch?: boolean;
  /** The bundle --watch builds: `<bundles>/<name>.tar.gz`. */
  readonly name: string;
  readonly tokenFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly logMaxBytes?: number;
  readonly maxBodyBytes?: number;
  readonly logRequests?: boolean;
  readonly logLevel: LogLevel;
  readonly maxConnections?: number;
  readonly maxConnectionsPerClient?: number;
  /** Milliseconds. */
  readonly headerTimeout?: number;
  /** Milliseconds. */
  readonly idleTimeout?: number;
  readonly maxLogDecoders?: number;
  readonly logMemoryBudget?: number;
  readonly maxBundleSize?: number;
  readonly wasm?: boolean;
  readonly signingKey?: string;
  readonly signingAlg?: string;
  readonly signingKeyId?: string;
  readonly signingScope?: string;
}

export async function serve(ctx: Context, options: ServeOptions): Promise<number> {
  return serveUntil(ctx, options, shutdownSignal());
}

/** Serves until `stop` resolves; what `serve` runs with SIGTERM/SIGINT as the stop. */
export async function serveUntil(
  ctx: Context,
  options: ServeOptions,
  stop: Promise<string>,
): Promise<number> {
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    throw new CharterError("--tls-cert and --tls-key go together", {}, "give both, or neither");
  }
  if (!isBundleName(options.name)) {
    throw new CharterError(`bad bundle name ${options.name}`, {}, "use letters, digits, . _ -");
  }
  const logger = jsonLogger((line) => ctx.output.err(line), options.logLevel);
  const token = options.tokenFile ? readToken(resolve(ctx.cwd, options.tokenFile)) : undefined;
  const tls =
    options.tlsCert && options.tlsKey
      ? {
          cert: readInput(resolve(ctx.cwd, options.tlsCert), "--tls-cert"),
          key: readInput(resolve(ctx.cwd, options.tlsKey), "--tls-key"),
        }
      : undefined;
  const bundlesDir = resolve(ctx.cwd, options.bundles);
  const logsDir = resolve(ctx.cwd, options.logs);
  let server: BundleServer;
  try {
    server = await createBundleServer({
      host: options.host,
      port: options.port,
      bundlesDir,
      logsDir,
      token,
      tls,
      logMaxBytes: options.logMaxBytes,
      maxBodyBytes: options.maxBodyBytes,
      logger,
      logRequests: options.logRequests,
      maxConnections: options.maxConnections,
      maxConnectionsPerClient: options.maxConnectionsPerClient,
      headerTimeoutMs: options.headerTimeout,
      idleTimeoutMs: options.idleTimeout,
      maxLogDecoders: options.maxLogDecoders,
      logMemoryBudget: options.logMemoryBudget,
      maxBundleBytes: options.maxBundleSize,
    });
  } catch (error) {
    throw listenError(error, options.host, options.port);
  }
  logger.log("info", "listening", {
    url: server.url,
    bundles: bundlesDir,
    logs: logsDir,
    auth: token ? "bearer" : "none",
    watch: Boolean(options.watch),
  });
  const watcher = options.watch ? await startWatching(ctx, options, server, logger) : undefined;
  const signal = await stop;
  logger.log("info", "shutting down", { signal });
  await watcher?.close();
  await server.close();
  logger.log("info", "stopped");
  return EXIT_OK;
}

async function startWatching(
  ctx: Context,
  options: ServeOptions,
  server: BundleServer,
  logger: Logger,
): Promise<SourceWatcher> {
  const config = await loadConfig(ctx.cwd, options.config);
  const list = (value: string | readonly string[] | undefined) =>
    value === undefined ? [] : typeof value === "string" ? [value] : value;
  const policies = options.policies?.length
    ? options.policies.map((p) => resolve(ctx.cwd, p))
    : list(config.policies ?? "policies").map((p) => resolve(config.root, p));
  const exceptions = list(config.exceptions).map((p) => resolve(config.root, p));
  const sources = [...policies, ...exceptions, ...(config.file ? [config.file] : [])];
  const out = resolve(ctx.cwd, options.bundles, `${options.name}.tar.gz`);
  const watcher = watchSources({
    sources,
    logger,
    rebuild: charterBundleCommand({
      out,
      name: options.name,
      args: bundleArgs(options),
      cwd: ctx.cwd,
    }),
    onRebuilt: async () => {
      await server.store.rescan();
      const bundle = server.store.get(options.name);
      logger.log("info", "serving the rebuilt bundle", {
        bundle: options.name,
        revision: bundle?.revision,
        etag: bundle?.etag,
      });
    },
    onResult: (ok) => server.metrics.rebuild(ok ? "ok" : "error"),
  });
  logger.log("info", "watching the policy sources", { sources });
  await watcher.rebuild();
  return watcher;
}

/** The options serve passes on to `charter bundle` unchanged. */
function bundleArgs(options: ServeOptions): string[] {
  const args: string[] = [];
  const pass = (flag: string, value: string | undefined) => {
    if (value !== undefined) args.push(flag, value);
  };
  if (options.policies?.length) pass("--policies", options.policies.join(","));
  pass("--config", options.config);
  pass("--select", options.select);
  if (options.wasm) args.push("--wasm");
  pass("--signing-key", options.signingKey);
  pass("--signing-alg", options.signingAlg);
  pass("--signing-key-id", options.signingKeyId);
  pass("--signing-scope", options.signingScope);
  return args;
}

function readToken(file: string): string {
  const token = readInput(file, "--token-file").toString("utf8").trim();
  if (token === "" || /\s/.test(token)) {
    throw new CharterError(
      "the token file must hold one token (no spaces)",
      { file },
      "write the bearer token alone on the file's first line",
    );
  }
  return token;
}

function readInput(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new CharterError(`cannot read ${flag} file ${file}`, { file });
  }
}
