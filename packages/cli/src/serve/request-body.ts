/**
 * Reads a JSON request body, gzip-encoded or plain, within a size limit that also bounds the
 * unpacked size (zlib's maxOutputLength stops a gzip bomb before it fills memory).
 */
import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";

const gunzipAsync = promisify(gunzip);

/** An error the client caused, answered with this status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const raw = await readRaw(request, maxBytes);
  const encoding = (request.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  let text: Buffer;
  if (encoding === "gzip" || encoding === "x-gzip") {
    try {
      text = await gunzipAsync(raw, { maxOutputLength: maxBytes });
    } catch (error) {
      if (
        error instanceof RangeError ||
        (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
      ) {
        throw new HttpError(413, `the body is larger than ${maxBytes} bytes once decompressed`);
      }
      throw new HttpError(400, `the body is not valid gzip: ${(error as Error).message}`);
    }
  } else if (encoding === "identity") {
    text = raw;
  } else {
    throw new HttpError(415, `unsupported Content-Encoding ${encoding} (use gzip or none)`);
  }
  try {
    return JSON.parse(text.toString("utf8"));
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function readRaw(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return Promise.reject(new HttpError(413, `the body is larger than ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        request.removeAllListeners("data");
        request.resume();
        reject(new HttpError(413, `the body is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
