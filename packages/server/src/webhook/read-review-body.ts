/**
 * Reads a review's body, counting bytes as they arrive and stopping past the limit: the API
 * server never sends more than 3 MiB (its request size limit, k8s.io/apiserver
 * pkg/server/config.go MaxRequestBodyBytes), so a larger body is not a review (413). A body
 * nested deeper than MAX_NESTING_DEPTH (the loader's limit, with room for the review's own
 * levels) is refused before it is parsed, as the YAML loader refuses one. The bodies being read
 * together hold at most the server's body budget (bundle-server/decode-budget.ts): past it, a
 * review is answered 503 + Retry-After, so a flood of large bodies cannot fill memory.
 */
import type { IncomingMessage } from "node:http";
import { MAX_NESTING_DEPTH } from "@charter/runtime";
import type { Decoder } from "../bundle-server/decode-budget.js";
import { busy, HttpError } from "../bundle-server/request-body.js";

export const MAX_REVIEW_BYTES = 3 * 1024 * 1024;
/** AdmissionReview → request → object: the levels around the object. */
const REVIEW_LEVELS = 3;
export const MAX_REVIEW_DEPTH = MAX_NESTING_DEPTH + REVIEW_LEVELS;

export async function readReviewBody(
  request: IncomingMessage,
  options: {
    readonly maxBytes?: number;
    readonly stallMs: number;
    /** The share of the server's body budget this request holds (released by the caller). */
    readonly decoder?: Decoder;
  },
): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? MAX_REVIEW_BYTES;
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    throw new HttpError(413, `the body is larger than ${maxBytes} bytes, the API server's limit`);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stall: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      clearTimeout(stall);
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      request.off("close", onClose);
      if (error) {
        // The rest is read and dropped, so the answer reaches the client.
        request.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks));
    };
    const armStall = () => {
      clearTimeout(stall);
      stall = setTimeout(
        () => finish(new HttpError(408, "the client stopped sending the body", {}, true)),
        options.stallMs,
      );
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        finish(
          new HttpError(413, `the body is larger than ${maxBytes} bytes, the API server's limit`),
        );
        return;
      }
      if (options.decoder && !options.decoder.reserve(chunk.length)) {
        finish(busy("the webhook is reading as many review bytes as its memory budget allows"));
        return;
      }
      chunks.push(chunk);
      armStall();
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(new HttpError(400, error.message, {}, true));
    const onClose = () => {
      if (!request.complete)
        finish(new HttpError(400, "the client closed the connection", {}, true));
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
    request.on("close", onClose);
    armStall();
  });
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Whether the JSON text nests objects and arrays deeper than `max` (strings are skipped). */
export function nestedDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > max) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}
