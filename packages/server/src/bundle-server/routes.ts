/**
 * The HTTP routes: GET /bundles/<name>[.tar.gz] (with ETag, 304 and OPA long polling),
 * POST /logs[/<partition>] and /status[/<partition>], GET /health and GET /metrics.
 * Paths are matched on the raw request target and anything unusual (`..`, `%`, `\`, `//`) is
 * refused before routing; bundles are looked up by name in memory, never by path on disk.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { hasBearerToken } from "./auth.js";
import { type Bundle, type BundleStore, isBundleName } from "./bundle-store.js";
import { type DecodeBudget, maxEventBytes } from "./decode-budget.js";
import { type JsonlLog, LogWriteError } from "./jsonl-log.js";
import type { LongPolls } from "./long-poll.js";
import { preferredWait } from "./long-poll.js";
import { METRICS_CONTENT_TYPE, type Metrics } from "./metrics.js";
import { busy, decodeUpload, HttpError } from "./request-body.js";

/** The content type telling OPA that this server supports long polling (exact match). */
export const LONG_POLL_CONTENT_TYPE = "application/vnd.openpolicyagent.bundles";

export interface RouteDeps {
  readonly store: BundleStore;
  readonly longPolls: LongPolls;
  readonly metrics: Metrics;
  readonly decisions: JsonlLog;
  readonly statuses: JsonlLog;
  readonly token?: string;
  readonly maxBodyBytes: number;
  /** Bounds the uploads decoded at once and the memory they hold. */
  readonly decodeBudget: DecodeBudget;
  /** Cut off an upload when no byte arrives for this long. */
  readonly stallMs: number;
}

/** Seconds a client is asked to wait when the decision-log store cannot write. */
export const STORE_RETRY_AFTER_SECONDS = 30;

/** What the request was, for metrics and logs (a bounded set of labels). */
export type RouteName = "bundles" | "logs" | "status" | "health" | "metrics" | "other";

export interface Handled {
  readonly route: RouteName;
  /** Body bytes sent. */
  readonly bytes: number;
}

const ROUTES: readonly RouteName[] = ["bundles", "logs", "status", "health", "metrics"];

/** The route label of a request, by its first path segment. */
export function routeOf(request: IncomingMessage): RouteName {
  const first = (request.url ?? "").split("?")[0]?.split("/")[1] ?? "";
  return ROUTES.find((route) => route === first) ?? "other";
}

const SAFE_PATH = /^\/[A-Za-z0-9._\-/]*$/;

export async function handle(
  deps: RouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  gone: AbortSignal,
): Promise<Handled> {
  const target = request.url ?? "";
  const path = target.split("?")[0] ?? "";
  const segments = path.split("/").slice(1);
  if (
    !SAFE_PATH.test(path) ||
    segments.some(
      (segment, i) =>
        segment === "." || segment === ".." || (segment === "" && i < segments.length - 1),
    )
  ) {
    return fail(response, "other", 400, "bad request path");
  }
  const [first, second, ...rest] = segments;
  const method = request.method ?? "GET";
  const route: RouteName =
    first === "bundles" ||
    first === "logs" ||
    first === "status" ||
    first === "health" ||
    first === "metrics"
      ? first
      : "other";
  if (route === "health" && second === undefined) {
    if (!isRead(method)) return notAllowed(response, route, "GET, HEAD");
    const bundles = Object.fromEntries(
      deps.store.all().map((b) => [b.name, { revision: b.revision ?? null, etag: b.etag }]),
    );
    // Receiving decision logs is half of the job: a store that cannot write is not healthy.
    const failure = deps.decisions.failure() ?? deps.statuses.failure();
    if (failure !== undefined) {
      const reason = `the decision-log store cannot write: ${failure}`;
      return json(response, route, 503, { status: "unhealthy", reason, bundles }, method);
    }
    return json(response, route, 200, { status: "ok", bundles }, method);
  }
  if (deps.token !== undefined && !hasBearerToken(request.headers, deps.token)) {
    response.setHeader("WWW-Authenticate", 'Bearer realm="charter"');
    return fail(response, route, 401, "a bearer token is required (Authorization: Bearer …)");
  }
  if (route === "metrics" && second === undefined) {
    if (!isRead(method)) return notAllowed(response, route, "GET, HEAD");
    const text = deps.metrics.render({
      bundles: deps.store.all(),
      heldLongPolls: deps.longPolls.held(),
    });
    return send(response, route, 200, { "Content-Type": METRICS_CONTENT_TYPE }, text, method);
  }
  if (route === "bundles" && second !== undefined && rest.length === 0) {
    if (!isRead(method)) return notAllowed(response, route, "GET, HEAD");
    const name = second.endsWith(".tar.gz") ? second.slice(0, -".tar.gz".length) : second;
    if (!isBundleName(name)) return fail(response, route, 400, "bad bundle name");
    return serveBundle(deps, request, response, name, gone);
  }
  if ((route === "logs" || route === "status") && rest.length === 0) {
    if (second !== undefined && !isBundleName(second)) {
      return fail(response, route, 400, "bad partition name");
    }
    if (method !== "POST") return notAllowed(response, route, "POST");
    await receive(deps, request, route, gone);
    return send(response, route, 204, {}, undefined, method);
  }
  return fail(response, route, 404, "not found");
}

/** Decodes an upload within the decode budget and stores it durably before the 204. */
async function receive(
  deps: RouteDeps,
  request: IncomingMessage,
  route: "logs" | "status",
  gone: AbortSignal,
): Promise<void> {
  const decoder = await deps.decodeBudget.enter(gone);
  if (decoder === undefined) {
    throw busy("the server is decoding as many uploads as it may at once (--max-log-decoders)");
  }
  try {
    const receivedAt = new Date().toISOString();
    const upload = await decodeUpload(
      request,
      decoder,
      {
        maxBodyBytes: deps.maxBodyBytes,
        stallMs: deps.stallMs,
        budgetBytes: deps.decodeBudget.maxBytes,
      },
      route === "logs" ? "array" : "object",
      route === "logs"
        ? (event) => JSON.stringify({ ...event, received_at: receivedAt })
        : (status) => JSON.stringify({ received_at: receivedAt, status }),
      maxEventBytes(deps.decodeBudget),
    );
    const log = route === "logs" ? deps.decisions : deps.statuses;
    try {
      await log.appendBatch(upload.chunks);
    } catch (error) {
      if (!(error instanceof LogWriteError)) throw error;
      throw new HttpError(503, `the decision-log store cannot write: ${error.message}`, {
        "Retry-After": String(STORE_RETRY_AFTER_SECONDS),
      });
    }
    if (route === "logs") deps.metrics.decisionsReceived(upload.count);
    else deps.metrics.statusReceived();
  } finally {
    decoder.leave();
  }
}

async function serveBundle(
  deps: RouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
  gone: AbortSignal,
): Promise<Handled> {
  const method = request.method ?? "GET";
  const wait = preferredWait(header(request, "prefer"));
  // Under `Prefer: wait` every answer carries the vendor type, or OPA stops long polling.
  const contentType = wait === undefined ? "application/gzip" : LONG_POLL_CONTENT_TYPE;
  let bundle = deps.store.get(name);
  if (bundle === undefined) return fail(response, "bundles", 404, `no bundle named ${name}`);
  if (etagMatches(header(request, "if-none-match"), bundle.etag)) {
    if (wait === undefined || wait === 0 || method !== "GET") {
      return notModified(response, bundle, contentType);
    }
    const outcome = await deps.longPolls.wait(name, bundle.etag, wait * 1000, gone);
    if (outcome.kind === "removed")
      return fail(response, "bundles", 404, `no bundle named ${name}`);
    if (outcome.kind !== "changed") return notModified(response, bundle, contentType);
    bundle = outcome.bundle;
  }
  const headers = {
    "Content-Type": contentType,
    ETag: bundle.etag,
    "Cache-Control": "no-cache",
    "Content-Length": String(bundle.bytes.length),
  };
  return send(response, "bundles", 200, headers, bundle.bytes, method);
}

function notModified(response: ServerResponse, bundle: Bundle, contentType: string): Handled {
  response.writeHead(304, {
    ETag: bundle.etag,
    "Content-Type": contentType,
    "Cache-Control": "no-cache",
  });
  response.end();
  return { route: "bundles", bytes: 0 };
}

/** If-None-Match holds this ETag (a list is allowed; `*` matches any; W/ compared weakly). */
function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function isRead(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

function notAllowed(response: ServerResponse, route: RouteName, allow: string): Handled {
  response.setHeader("Allow", allow);
  return fail(response, route, 405, `method not allowed (use ${allow})`);
}

export function fail(
  response: ServerResponse,
  route: RouteName,
  status: number,
  message: string,
): Handled {
  return json(response, route, status, { error: message });
}

function json(
  response: ServerResponse,
  route: RouteName,
  status: number,
  value: unknown,
  method = "GET",
): Handled {
  const headers = { "Content-Type": "application/json; charset=utf-8" };
  return send(response, route, status, headers, `${JSON.stringify(value)}\n`, method);
}

function send(
  response: ServerResponse,
  route: RouteName,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  method: string,
): Handled {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  response.writeHead(status, {
    ...headers,
    ...(bytes !== undefined && { "Content-Length": String(bytes.length) }),
  });
  const head = method === "HEAD";
  response.end(head ? undefined : bytes);
  return { route, bytes: head ? 0 : (bytes?.length ?? 0) };
}
