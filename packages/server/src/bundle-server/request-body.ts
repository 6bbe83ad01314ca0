/**
 * Reads an upload (POST /logs, /status) as a stream: gzip-decoded or plain, one event at a
 * time, each re-encoded into the line stored on disk. What it holds at any moment (the event
 * being read and the lines encoded so far) is reserved from a shared decode budget, so a
 * flood of uploads cannot fill memory: a body that does not fit is answered 503 + Retry-After.
 * Size limits apply to the raw body and, for gzip, to the unpacked text (a gzip bomb stops
 * there); a client that stops sending is cut off after the stall timeout.
 */
import type { IncomingMessage } from "node:http";
import { PassThrough, type Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Decoder } from "./decode-budget.js";
import {
  createArraySplitter,
  ElementTooLargeError,
  NotAnArrayError,
} from "./json-array-splitter.js";

/** An error the client caused (or a limit it hit), answered with this status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Close the connection after answering (the client stalled: do not wait for its body). */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Seconds a client is asked to wait when the decoders or their budget are full. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/** A 503 telling the client to come back: the server is at its decoding limit. */
export function busy(message: string): HttpError {
  return new HttpError(503, message, { "Retry-After": String(BUSY_RETRY_AFTER_SECONDS) });
}

export interface UploadLimits {
  readonly maxBodyBytes: number;
  /** Cut the client off when no body byte arrives for this long. */
  readonly stallMs: number;
  /** The whole decode budget: an upload that alone needs more can never be taken (413). */
  readonly budgetBytes: number;
}

export interface DecodedUpload {
  /** The lines to store, each ending in `\n`, in order. */
  readonly chunks: readonly Buffer[];
  /** How many events (lines). */
  readonly count: number;
}

const NEWLINE = Buffer.from("\n");

/** How many encoded characters are gathered before they become one Buffer. */
const FLUSH_CHARS = 64 * 1024;

/**
 * Decodes a body that is a JSON array of objects (`shape: "array"`) or one object
 * (`"object"`), calling `encode` on each object for its stored line.
 */
export async function decodeUpload(
  request: IncomingMessage,
  decoder: Decoder,
  limits: UploadLimits,
  shape: "array" | "object",
  encode: (value: Record<string, unknown>) => string,
  maxEventBytes: number,
): Promise<DecodedUpload> {
  const encoding = (request.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const gzip = encoding === "gzip" || encoding === "x-gzip";
  if (!gzip && encoding !== "identity") {
    throw new HttpError(415, `unsupported Content-Encoding ${encoding} (use gzip or none)`);
  }
  const { maxBodyBytes } = limits;
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    throw new HttpError(413, `the body is larger than ${maxBodyBytes} bytes`);
  }

  const chunks: Buffer[] = [];
  let count = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  let chunkBytes = 0;
  let reserved = 0;
  /** Keeps the reservation equal to what is held now: the partial event plus the lines. */
  const account = (held: number) => {
    const wanted = held + pendingChars + chunkBytes;
    if (wanted > reserved) {
      if (wanted > limits.budgetBytes) {
        throw new HttpError(
          413,
          `the upload needs more than --log-memory-budget (${limits.budgetBytes} bytes) once re-encoded`,
        );
      }
      if (!decoder.reserve(wanted - reserved)) {
        throw busy("the server is decoding as many uploads as its memory budget allows");
      }
    } else {
      decoder.release(reserved - wanted);
    }
    reserved = wanted;
  };
  const flush = () => {
    if (pending.length === 0) return;
    const chunk = Buffer.from(pending.join(""));
    chunks.push(chunk);
    chunkBytes += chunk.length;
    pending = [];
    pendingChars = 0;
  };
  const accept = (bytes: Buffer) => {
    let value: unknown;
    try {
      // Invalid UTF-8 becomes U+FFFD, as Buffer#toString does for the whole body.
      value = JSON.parse(bytes.toString("utf8"));
    } catch (error) {
      throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new HttpError(
        400,
        shape === "array"
          ? "the body must be a JSON array of decision-log event objects"
          : "the body must be one JSON status object",
      );
    }
    const line = encode(value as Record<string, unknown>);
    value = undefined;
    count += 1;
    if (line.length < FLUSH_CHARS) {
      pending.push(line, "\n");
      pendingChars += line.length + 1;
      if (pendingChars >= FLUSH_CHARS) flush();
      return;
    }
    // A large event goes straight to a Buffer: no second copy of it on the heap.
    flush();
    const chunk = Buffer.from(line);
    chunks.push(chunk, NEWLINE);
    chunkBytes += chunk.length + 1;
  };

  // An object body is one element held whole (status reports are small); an array is split.
  let whole: Buffer[] = [];
  let wholeBytes = 0;
  const splitter =
    shape === "array"
      ? createArraySplitter({ onElement: accept, maxElementBytes: maxEventBytes })
      : undefined;
  const feed = (bytes: Buffer) => {
    if (splitter) {
      splitter.write(bytes);
      account(splitter.held());
      return;
    }
    wholeBytes += bytes.length;
    if (wholeBytes > maxEventBytes) throw tooLargeEvent(maxEventBytes);
    whole.push(Buffer.from(bytes));
    account(wholeBytes);
  };

  const source: Transform = gzip ? createGunzip() : new PassThrough();
  let rawBytes = 0;
  const stop = (error: Error) => source.destroy(error);
  let stall: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stall);
    stall = setTimeout(
      () => stop(new HttpError(408, "the client stopped sending the body", {}, true)),
      limits.stallMs,
    );
  };
  const onData = (chunk: Buffer) => {
    rawBytes += chunk.length;
    armStall();
    if (rawBytes > maxBodyBytes) {
      stop(new HttpError(413, `the body is larger than ${maxBodyBytes} bytes`));
    }
  };
  const onClose = () => {
    if (!request.complete) stop(new HttpError(400, "the client closed the connection", {}, true));
  };
  request.on("data", onData);
  request.on("close", onClose);
  request.on("error", stop);
  armStall();
  request.pipe(source);

  let decodedBytes = 0;
  try {
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        decodedBytes += chunk.length;
        if (decodedBytes > maxBodyBytes) {
          throw new HttpError(
            413,
            gzip
              ? `the body is larger than ${maxBodyBytes} bytes once decompressed`
              : `the body is larger than ${maxBodyBytes} bytes`,
          );
        }
        feed(chunk);
      }
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (error instanceof NotAnArrayError || error instanceof ElementTooLargeError) throw error;
      throw new HttpError(400, `the body is not valid gzip: ${(error as Error).message}`);
    }
    if (splitter) {
      splitter.end();
    } else {
      const body = Buffer.concat(whole);
      whole = [];
      accept(body);
    }
    flush();
    account(0);
    return { chunks, count };
  } catch (error) {
    if (error instanceof ElementTooLargeError) throw tooLargeEvent(maxEventBytes);
    if (error instanceof NotAnArrayError) {
      throw new HttpError(
        400,
        error.message.includes("not valid JSON")
          ? error.message
          : "the body must be a JSON array of decision-log event objects",
      );
    }
    throw error;
  } finally {
    clearTimeout(stall);
    request.off("data", onData);
    request.off("close", onClose);
    request.off("error", stop);
    request.unpipe(source);
    source.destroy();
    // Whatever is left of the body is read and dropped so the answer reaches the client.
    if (!request.complete) request.resume();
  }
}

function tooLargeEvent(maxEventBytes: number): HttpError {
  return new HttpError(
    413,
    `one event is larger than ${maxEventBytes} bytes (--log-memory-budget / 16)`,
  );
}
