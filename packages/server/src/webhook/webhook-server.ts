/**
 * `charter webhook`'s HTTPS server: `POST /validate` answers AdmissionReviews with the policies'
 * verdicts (judge-review.ts, review-response.ts); `GET /healthz` (the process serves),
 * `/readyz` (503 until the judging context is synced), `/metrics` (Prometheus text).
 *
 * Nothing a client sends takes it down: a body that is not JSON, not an `admission.k8s.io/v1`
 * AdmissionReview, has no uid, is over 3 MiB or nested too deep is answered 400 or 413 with a
 * JSON `{error}` (the API server then applies the webhook's failurePolicy); an unknown path is
 * 404, a wrong method 405; anything unexpected is 500 and logged. `close()` stops accepting,
 * lets the reviews in flight finish and answer, then flushes the decision log.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { JsonObject } from "@charter/ir";
import { createDecodeBudget } from "../bundle-server/decode-budget.js";
import { errorMessage, type Logger } from "../bundle-server/log.js";
import { METRICS_CONTENT_TYPE } from "../bundle-server/metrics.js";
import { busy, HttpError } from "../bundle-server/request-body.js";
import { readAdmissionReview } from "./admission-review.js";
import { type DecisionLabels, decisionEvent } from "./decision-event.js";
import type { DecisionLog } from "./decision-log.js";
import type { Judge } from "./judge-review.js";
import type { JudgingContext } from "./judging-context.js";
import { MAX_REVIEW_DEPTH, nestedDeeperThan, readReviewBody } from "./read-review-body.js";
import { reviewAnswer } from "./review-response.js";
import type { TlsPair } from "./tls-files.js";
import { createWebhookMetrics, type WebhookMetrics } from "./webhook-metrics.js";

export interface WebhookServerOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls: TlsPair;
  readonly judge: Judge;
  readonly context: JudgingContext;
  readonly labels: DecisionLabels;
  readonly decisionLog?: DecisionLog;
  readonly logger: Logger;
  /** The largest body read (default 3 MiB, the API server's own limit). */
  readonly maxBodyBytes?: number;
  /** Cut off a client that stops sending its body for this long (default 10 s). */
  readonly stallMs?: number;
  /**
   * What the review bodies being read may hold together (default 64 MiB); a review that does
   * not fit is answered 503 + Retry-After.
   */
  readonly bodyBudgetBytes?: number;
  /** How long close() waits for reviews in flight before cutting them (default 25 s). */
  readonly drainMs?: number;
  /** The clock exceptions expire by (default Date.now). */
  readonly now?: () => number;
}

export interface WebhookServer {
  /** `https://<host>:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly metrics: WebhookMetrics;
  /** Serves new connections with this certificate (tls-files.ts checked it). */
  setTls(pair: TlsPair): void;
  close(): Promise<void>;
}

const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;
/** Reviews read at once; more wait (briefly) for a slot, then get 503. */
const MAX_CONCURRENT_REVIEWS = 256;
const MAX_CONNECTIONS = 1024;

const ROUTES: Readonly<Record<string, string>> = {
  "/validate": "POST",
  "/healthz": "GET",
  "/readyz": "GET",
  "/metrics": "GET",
};

export async function createWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { judge, context, logger, labels } = options;
  const metrics = createWebhookMetrics();
  const now = options.now ?? Date.now;
  const stallMs = options.stallMs ?? 10_000;
  let closing = false;
  let inFlight = 0;
  const sockets = new Set<Socket>();
  // Reviews are read side by side (the API server calls concurrently); only their bytes count.
  const bodyBudget = createDecodeBudget({
    maxDecoders: MAX_CONCURRENT_REVIEWS,
    maxBytes: options.bodyBudgetBytes ?? DEFAULT_BODY_BUDGET_BYTES,
  });

  const send = (
    response: ServerResponse,
    route: string,
    code: number,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    metrics.request(route, code);
    if (response.headersSent || response.destroyed) return;
    response.writeHead(code, {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      ...(closing ? { Connection: "close" } : {}),
      ...headers,
    });
    response.end(body);
  };
  const sendError = (response: ServerResponse, route: string, error: HttpError) => {
    send(response, route, error.status, JSON.stringify({ error: error.message }), {
      ...error.headers,
      ...(error.closeConnection ? { Connection: "close" } : {}),
    });
  };

  const review = async (request: IncomingMessage, response: ServerResponse) => {
    const started = process.hrtime.bigint();
    const decoder = await bodyBudget.enter();
    if (decoder === undefined) {
      request.resume();
      throw busy("the webhook is reading as many reviews as it can; try again");
    }
    let body: Buffer;
    try {
      body = await readReviewBody(request, {
        stallMs,
        decoder,
        ...(options.maxBodyBytes ? { maxBytes: options.maxBodyBytes } : {}),
      });
    } finally {
      // The body itself is dropped once parsed; its parse is bounded by the 3 MiB limit.
      decoder.leave();
    }
    if (nestedDeeperThan(body, MAX_REVIEW_DEPTH)) {
      throw new HttpError(
        400,
        `the AdmissionReview is nested more than ${MAX_REVIEW_DEPTH} levels deep; it was not read`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch (error) {
      throw new HttpError(400, `the body is not valid JSON: ${errorMessage(error)}`);
    }
    const read = readAdmissionReview(parsed);
    if (!read.ok) throw new HttpError(400, read.message);
    const { request: admission } = read;
    // A promise only when image rules read the registry: every other review stays synchronous.
    const judging = judge.judge(admission, now());
    const verdict = judging instanceof Promise ? await judging : judging;
    const answer = reviewAnswer(admission.uid, verdict);
    const { allowed } = answer.response;
    send(response, "/validate", 200, JSON.stringify(answer));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.review(seconds, allowed, admission.dryRun);
    if (verdict.kind === "judged") {
      for (const finding of verdict.findings) metrics.policyResult(finding.policy, finding.result);
    }
    logger.log("debug", "review", {
      uid: admission.uid,
      operation: admission.operation,
      allowed,
      dry_run: admission.dryRun,
      ...(verdict.kind !== "judged" ? { reason: verdict.reason } : {}),
    });
    options.decisionLog?.record(
      decisionEvent({
        labels,
        review: read.review as JsonObject,
        verdict,
        allowed,
        dryRun: admission.dryRun,
        at: new Date(),
        ...(request.socket.remoteAddress
          ? { requestedBy: `${request.socket.remoteAddress}:${request.socket.remotePort}` }
          : {}),
      }),
    );
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const method = ROUTES[path];
    const route = method ? path : "other";
    if (method === undefined) {
      request.resume();
      return send(
        response,
        route,
        404,
        JSON.stringify({ error: `no route ${path}; POST /validate` }),
      );
    }
    if (request.method !== method) {
      request.resume();
      return send(response, route, 405, JSON.stringify({ error: `${path} takes ${method}` }), {
        Allow: method,
      });
    }
    switch (path) {
      case "/validate":
        return review(request, response);
      case "/healthz":
        return send(response, route, 200, JSON.stringify({ status: "ok" }));
      case "/readyz": {
        const synced = context.synced() && !closing;
        const waiting = context
          .kinds()
          .filter((kind) => !kind.synced)
          .map((kind) => kind.kind);
        return send(
          response,
          route,
          synced ? 200 : 503,
          JSON.stringify(
            synced
              ? { status: "ready" }
              : { status: closing ? "shutting down" : "waiting for the caches", waiting },
          ),
        );
      }
      default: {
        const text = metrics.render({ synced: context.synced(), kinds: context.kinds() });
        metrics.request(route, 200);
        response.writeHead(200, {
          "Content-Type": METRICS_CONTENT_TYPE,
          "Content-Length": String(Buffer.byteLength(text)),
        });
        response.end(text);
      }
    }
  };

  const server: Server = createServer(
    { cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" },
    (request, response) => {
      inFlight++;
      response.on("close", () => {
        inFlight--;
        if (closing) server.closeIdleConnections();
      });
      handle(request, response).catch((error) => {
        if (error instanceof HttpError) {
          logger.log("debug", "refused a request", { status: error.status, error: error.message });
          sendError(
            response,
            (request.url ?? "").split("?")[0] === "/validate" ? "/validate" : "other",
            error,
          );
          return;
        }
        logger.log("error", "a request failed", { error: errorMessage(error) });
        sendError(
          response,
          "/validate",
          new HttpError(500, "the webhook failed to answer; see its log"),
        );
      });
    },
  );
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // The API server's client drops idle connections after 90 s (Go's DefaultTransport); closing
  // them first would race its next POST on a connection we are closing (a failed call).
  server.keepAliveTimeout = 95_000;
  // A flood of connections is refused past this, not held: the API server needs only a few.
  server.maxConnections = MAX_CONNECTIONS;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A malformed request or a failed handshake is the client's problem, never the server's.
  server.on("clientError", (_error, socket: Socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    socket.destroy();
  });
  server.on("tlsClientError", () => {});

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) =>
    logger.log("error", "server error", { error: errorMessage(error) }),
  );
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `https://${host}:${address.port}`,
    port: address.port,
    metrics,
    setTls(pair) {
      server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: "TLSv1.2" });
    },
    close() {
      closed ??= (async () => {
        closing = true;
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timeout = new Promise<"timeout">((resolve) =>
          setTimeout(() => resolve("timeout"), options.drainMs ?? 25_000).unref(),
        );
        if ((await Promise.race([drained, timeout])) === "timeout") {
          logger.log("warn", "reviews still in flight at the drain timeout were cut", { inFlight });
          for (const socket of sockets) socket.destroy();
          await drained;
        }
        await options.decisionLog?.close();
        await context.close();
      })();
      return closed;
    },
  };
}
