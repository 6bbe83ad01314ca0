/**
 * Reading a response body under a size limit, streaming: a `Content-Length` over the limit is
 * refused before any byte is read, and a body that keeps coming is cancelled as soon as it
 * passes the limit, so an enormous (or endless) answer never sits in memory.
 */
import { createHash } from "node:crypto";

export type BodyResult =
  | { readonly ok: true; readonly bytes: Buffer; readonly sha256: string }
  | { readonly ok: false; readonly received: number; readonly announced?: number };

export async function readBounded(response: Response, limit: number): Promise<BodyResult> {
  const length = response.headers.get("content-length");
  const announced = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  if (announced !== undefined && announced > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, received: 0, announced };
  }
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  let received = 0;
  const body = response.body;
  if (body !== null) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, received };
      }
      hash.update(value);
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  }
  return {
    ok: true,
    bytes: Buffer.concat(chunks, received),
    sha256: `sha256:${hash.digest("hex")}`,
  };
}

/** `4 MiB`, `16 MiB`, `512 bytes`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
