/**
 * Reads the regular files of a gzipped tar archive (what `opa build` writes) into memory. Only
 * what Go's archive/tar produces for a bundle is needed: ustar headers, PAX records skipped.
 */
import { gunzipSync } from "node:zlib";

const BLOCK = 512;

function text(bytes: Uint8Array, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString("utf8");
}

/** Path (without a leading `/`) → contents of each regular file. */
export function readTarGz(archive: Uint8Array): Map<string, Uint8Array> {
  const bytes = gunzipSync(archive);
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  for (let offset = 0; offset + BLOCK <= bytes.length; ) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(text(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const body = bytes.subarray(offset + BLOCK, offset + BLOCK + size);
    longName = undefined;
    if (type === "x") {
      // A PAX record may carry a long path for the next entry.
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(body).toString("utf8"));
      longName = path?.[1];
    } else if (type === "0" || type === "\0") {
      files.set(name.replace(/^\/+/, ""), body);
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
