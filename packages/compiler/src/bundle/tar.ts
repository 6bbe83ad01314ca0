/**
 * A deterministic gzipped tar (POSIX ustar) of regular files. Every entry has mtime 0, uid/gid
 * 0, mode 0644 and no user names, entries are sorted by path, and gzip runs at a fixed level
 * with no file name or time in its header: the same files give the same bytes. The reader is
 * in tar-reader.ts.
 */
import { gzipSync } from "node:zlib";
import { BLOCK } from "./tar-reader.js";

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

function header(name: string, size: number, type: "0" | "x", prefix = ""): Uint8Array {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, "utf8");
  block.write(octal(0o644, 8), 100, "ascii");
  block.write(octal(0, 8), 108, "ascii");
  block.write(octal(0, 8), 116, "ascii");
  block.write(octal(size, 12), 124, "ascii");
  block.write(octal(0, 12), 136, "ascii");
  block.write("        ", 148, "ascii"); // the checksum counts its own field as spaces
  block.write(type, 156, "ascii");
  block.write("ustar\u000000", 257, "ascii");
  block.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}

function padded(bytes: Uint8Array): Uint8Array[] {
  const rest = bytes.length % BLOCK;
  return rest === 0 ? [bytes] : [bytes, new Uint8Array(BLOCK - rest)];
}

/** A PAX record `"<len> path=<path>\n"`, whose length counts its own digits. */
function paxPath(path: string): Uint8Array {
  const body = ` path=${path}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + 1;
  while (String(length).length + bodyLength > length) length++;
  return Buffer.from(`${length}${body}`, "utf8");
}

/** The header(s) of one file: ustar name/prefix when it fits, else a PAX path record first. */
function entry(path: string, size: number): Uint8Array[] {
  if (Buffer.byteLength(path) <= 100) return [header(path, size, "0")];
  const slash = path.lastIndexOf("/", path.length - 1);
  const prefix = path.slice(0, slash);
  const name = path.slice(slash + 1);
  if (slash > 0 && Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) {
    return [header(name, size, "0", prefix)];
  }
  const record = paxPath(path);
  return [header("PaxHeader", record.length, "x"), ...padded(record), header("", size, "0")];
}

/** Path → contents as a gzipped tar, paths in byte order whatever the map's order. */
export function packTarGz(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const paths = [...files.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts: Uint8Array[] = [];
  for (const path of paths) {
    const contents = files.get(path) as Uint8Array;
    parts.push(...entry(path, contents.length), ...padded(contents));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const gzip = gzipSync(Buffer.concat(parts), { level: 9 });
  // zlib writes the building OS into the gzip header: fix it to Unix so every OS gives these bytes.
  gzip[9] = 3;
  return gzip;
}
