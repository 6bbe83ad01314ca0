/**
 * `createBundleServer`: the bundle, decision-log and status server behind `charter serve`,
 * startable in-process (port 0 picks a free port) and stopped gracefully with `close()`.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { hasBearerToken } from "./auth.js";
import { type BundleStore, openBundleStore } from "./bundle-store.js";
import { DEFAULT_CONNECTION_LIMITS, guardConnections } from "./connection-guard.js";
import { createDecodeBudget } from "./decode-budget.js";
import { DEFAULT_LOG_MAX_BYTES, openJsonlLog } from "./jsonl-log.js";
import { errorMessage, type Logger, silentLogger } from "./log.js";
import { createLongPolls } from "./long-poll.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { DEFAULT_MAX_BODY_BYTES, HttpError } from "./request-body.js";
import { fail, type Handled, handle, routeOf } from "./routes.js";

export interface BundleServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8282; 0 picks a free port (see `url`). */
  readonly port?: number;
  /** Where `<name>.tar.gz` bundles are published. */
  readonly bundlesDir: string;
  /** Where `decisions-NNNNNN.jsonl` and `status-NNNNNN.jsonl` are written. */
  readonly logsDir: string;
  /** Require `Authorization: Bearer <token>` on every route but /health. */
  readonly token?: string;
  /** Serve HTTPS with this PEM certificate chain and key. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Start a new log file once the current one reaches this size. Default 64 MiB. */
  readonly logMaxBytes?: number;
  /** Largest request body, also once decompressed. Default 32 MiB. */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
  /** Log each request at info rather than debug. */
  readonly logRequests?: boolean;
  /** The bundle folder's stat-check interval (ms); 0 relies on fs.watch alone. Default 2000. */
  readonly pollIntervalMs?: number;
  /** How long close() lets in-flight requests finish before cutting them. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Open connections at most (a tenth kept for proven clients). Default 1024. */
  readonly maxConnections?: number;
  /** Unproven connections from one client address at most. Default 128. */
  readonly maxConnectionsPerClient?: number;
  /** A connection must send its request headers within this. Default 10 s. */
  readonly headerTimeoutMs?: number;
  /** A connection without a request in progress, or an upload that stalls, is closed after this. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Uploads (POST /logs, /status) decoded at once. Default 4. */
  readonly maxLogDecoders?: number;
  /** What the uploads being decoded may hold together, in bytes. Default 64 MiB. */
  readonly logMemoryBudget?: number;
  /** The largest bundle file served. Default 128 MiB. */
  readonly maxBundleBytes?: number;
}

export interface BundleServer {
  /** `http://host:port` or `https://…`, with the port actually bound. */
  readonly url: string;
  readonly store: BundleStore;
  readonly metrics: Metrics;
  /**
   * Stops accepting connections, answers held long polls (304), lets in-flight requests
   * finish, then closes the log files. Safe to call more than once.
   */
  close(): Promise<void>;
}

export async function createBundleServer(options: BundleServerOptions): Promise<BundleServer> {
  const logger = options.logger ?? silentLogger;
  const store = await openBundleStore({
    dir: options.bundlesDir,
    logger,
    pollIntervalMs: options.pollIntervalMs,
    maxBundleBytes: options.maxBundleBytes,
  });
  const maxBytes = options.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const decisions = await openJsonlLog({
    dir: options.logsDir,
    prefix: "decisions",
    maxBytes,
    logger,
  });
  const statuses = await openJsonlLog({ dir: options.logsDir, prefix: "status", maxBytes, logger });
  const longPolls = createLongPolls(store);
  const limits = {
    maxConnections: options.maxConnections ?? DEFAULT_CONNECTION_LIMITS.maxConnections,
    maxPerClient: options.maxConnectionsPerClient ?? DEFAULT_CONNECTION_LIMITS.maxPerClient,
    headerTimeoutMs: options.headerTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.headerTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.idleTimeoutMs,
  };
  const decodeBudget = createDecodeBudget({
    maxDecoders: options.maxLogDecoders,
    maxBytes: options.logMemoryBudget,
  });
  const metrics = createMetrics();
  const deps = {
    store,
    longPolls,
    metrics,
    decisions,
    statuses,
    token: options.token,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    decodeBudget,
    stallMs: limits.idleTimeoutMs,
  };
  const requestLevel = options.logRequests ? "info" : "debug";
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    inFlight += 1;
    const client = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) client.abort();
    });
    const done = ({ route, bytes: sent }: Handled) => {
      metrics.request(route, response.statusCode, sent);
      logger.log(requestLevel, "request", {
        method: request.method,
        path: request.url,
        status: response.statusCode,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        bytes: sent,
      });
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    };
    handle(deps, request, response, client.signal).then(done, (error: unknown) => {
      const known = error instanceof HttpError;
      if (!known) {
        logger.log("error", "request failed", { path: request.url, error: errorMessage(error) });
      }
      if (response.headersSent) {
        response.destroy();
        done({ route: "other", bytes: 0 });
      } else {
        const status = known ? error.status : 500;
        if (known) {
          for (const [name, value] of Object.entries(error.headers))
            response.setHeader(name, value);
          if (error.closeConnection) response.setHeader("Connection", "close");
        }
        done(fail(response, routeOf(request), status, known ? error.message : "internal error"));
        if (known && error.closeConnection) response.once("finish", () => request.socket.destroy());
      }
    });
  };

  // Node's own timers back the guard's up (partial headers on a kept-alive connection).
  const timeouts = {
    headersTimeout: limits.headerTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headerTimeoutMs / 2)),
  };
  const server = options.tls
    ? createHttpsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          handshakeTimeout: limits.headerTimeoutMs,
          ...timeouts,
        },
        onRequest,
      )
    : createHttpServer(timeouts, onRequest);
  const token = options.token;
  const connections = guardConnections(
    server,
    limits,
    (request) => token === undefined || hasBearerToken(request.headers, token),
  );
  metrics.watch({ connections, decodeBudget, stores: [decisions, statuses] });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8282, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    store.close();
    await Promise.all([decisions.close(), statuses.close()]);
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `${options.tls ? "https" : "http"}://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
      longPolls.releaseAll();
      if (inFlight > 0) {
        const grace = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.shutdownGraceMs ?? 10_000);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        await grace;
      }
      server.closeIdleConnections();
      server.closeAllConnections();
      await stopped;
      await Promise.all([decisions.close(), statuses.close()]);
    })();
    return closing;
  };

  return { url, store, metrics, close };
}
