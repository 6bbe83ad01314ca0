/**
 * Reads a bundle's `.manifest` revision straight from the gzipped tarball, for /health and
 * /metrics. Only what that needs: ustar headers (name, prefix, size) and PAX `path` records.
 */
import { gunzipSync } from "node:zlib";

const BLOCK = 512;
/** A bundle larger than this unpacked is served but its revision is not shown. */
const MAX_UNPACKED = 512 * 1024 * 1024;

/** The `revision` in the bundle's `.manifest`, or undefined when there is none or it is unreadable. */
export function bundleRevision(gzipped: Uint8Array): string | undefined {
  try {
    const manifest = findEntry(gunzipSync(gzipped, { maxOutputLength: MAX_UNPACKED }), ".manifest");
    if (manifest === undefined) return undefined;
    const parsed: unknown = JSON.parse(manifest.toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const revision = (parsed as Record<string, unknown>).revision;
    return typeof revision === "string" ? revision : undefined;
  } catch {
    return undefined;
  }
}

function findEntry(tar: Buffer, wanted: string): Buffer | undefined {
  let offset = 0;
  let paxPath: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return undefined;
    const size = Number.parseInt(field(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = field(header, 345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    const body = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1];
      continue;
    }
    paxPath = undefined;
    if ((type === "0" || type === "\0") && name.replace(/^\.?\//, "") === wanted) return body;
  }
  return undefined;
}

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("utf8");
}
