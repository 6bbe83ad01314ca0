/**
 * Where the webhook's decisions go: appended, one JSON line each, to `decisions-NNNNNN.jsonl`
 * in a folder (the store `charter serve` keeps, bundle-server/jsonl-log.ts), and/or POSTed in
 * gzipped batches to a `charter serve` `/logs` endpoint, as OPA uploads its decision logs.
 *
 * Admission never waits for a log: `record` queues and returns. A batch the endpoint refuses
 * is retried with the next one; the queue is bounded (the oldest events are dropped and
 * counted past it), so an unreachable endpoint costs bounded memory. `close` writes and sends
 * what is queued (the upload for at most `closeTimeoutMs`).
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { gzipSync } from "node:zlib";
import { openJsonlLog } from "../bundle-server/jsonl-log.js";
import { errorMessage, type Logger } from "../bundle-server/log.js";
import type { DecisionEvent } from "./decision-event.js";

export interface DecisionLogOptions {
  /** `--decision-log-dir`: append here. */
  readonly dir?: string;
  /** `--decision-log-url`: POST batches here (e.g. `http://charter-serve:8282/logs`). */
  readonly url?: string;
  /** Bearer token for the endpoint (`charter serve --token-file`). */
  readonly token?: string;
  /** PEM CA bundle the endpoint's certificate is verified with (default: the system's). */
  readonly ca?: Buffer;
  readonly logger: Logger;
  /** Called once per event that could not be stored or sent. */
  readonly onFailure: (events: number) => void;
  /** Milliseconds between uploads (default 1000). */
  readonly flushMs?: number;
  /** Events per upload at most (default 500). */
  readonly maxBatch?: number;
  /** Events held for the endpoint at most (default 10,000); older ones are dropped. */
  readonly maxQueued?: number;
  readonly closeTimeoutMs?: number;
}

export interface DecisionLog {
  record(event: DecisionEvent): void;
  /** Resolves once every recorded event is written (and sent, within the close timeout). */
  close(): Promise<void>;
}

export async function openDecisionLog(options: DecisionLogOptions): Promise<DecisionLog> {
  const { logger, onFailure } = options;
  const file = options.dir
    ? await openJsonlLog({ dir: options.dir, prefix: "decisions", logger })
    : undefined;
  const pendingWrites = new Set<Promise<void>>();
  const uploader = options.url ? createUploader(options.url, options) : undefined;
  return {
    record(event) {
      const line = JSON.stringify(event);
      if (file) {
        const write = file
          .append([line])
          .catch((error) => {
            onFailure(1);
            logger.log("error", "a decision could not be written", {
              decision_id: event.decision_id,
              error: errorMessage(error),
            });
          })
          .finally(() => pendingWrites.delete(write));
        pendingWrites.add(write);
      }
      uploader?.add(line);
    },
    async close() {
      await Promise.all(pendingWrites);
      await file?.close();
      await uploader?.close();
    },
  };
}

interface Uploader {
  add(line: string): void;
  close(): Promise<void>;
}

function createUploader(url: string, options: DecisionLogOptions): Uploader {
  const { logger, onFailure } = options;
  const flushMs = options.flushMs ?? 1000;
  const maxBatch = options.maxBatch ?? 500;
  const maxQueued = options.maxQueued ?? 10_000;
  const queue: string[] = [];
  let sending: Promise<void> | undefined;
  let closed = false;
  let failing = false;
  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();

  const flush = (): Promise<void> => {
    if (sending || queue.length === 0) return sending ?? Promise.resolve();
    const batch = queue.splice(0, maxBatch);
    sending = post(url, `[${batch.join(",")}]`, options)
      .then(() => {
        if (failing) logger.log("info", "decision logs reach the endpoint again", { url });
        failing = false;
      })
      .catch((error) => {
        if (!failing) {
          logger.log("warn", "decision logs cannot be sent; retrying", {
            url,
            error: errorMessage(error),
          });
        }
        failing = true;
        // Put back for the next try, keeping the newest maxQueued.
        queue.unshift(...batch);
        dropOverflow();
        if (closed) throw error;
      })
      .finally(() => {
        sending = undefined;
      });
    return sending;
  };
  const dropOverflow = () => {
    const over = queue.length - maxQueued;
    if (over > 0) {
      queue.splice(0, over);
      onFailure(over);
      logger.log("error", "decision logs dropped: the upload queue is full", { dropped: over });
    }
  };
  return {
    add(line) {
      queue.push(line);
      dropOverflow();
      if (queue.length >= maxBatch) void flush();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      const deadline = Date.now() + (options.closeTimeoutMs ?? 5000);
      await sending?.catch(() => {});
      while (queue.length > 0 && Date.now() < deadline) {
        try {
          await flush();
        } catch {
          break;
        }
      }
      if (queue.length > 0) {
        onFailure(queue.length);
        logger.log("error", "decision logs not sent before shutdown", { dropped: queue.length });
        queue.length = 0;
      }
    },
  };
}

function post(url: string, body: string, options: DecisionLogOptions): Promise<void> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const payload = gzipSync(body);
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Content-Encoding": "gzip",
          "Content-Length": String(payload.length),
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        },
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        const code = response.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve();
        else reject(new Error(`the endpoint answered ${code}`));
      },
    );
    request.on("timeout", () => request.destroy(new Error("the endpoint did not answer in 10 s")));
    request.on("error", reject);
    request.end(payload);
  });
}
