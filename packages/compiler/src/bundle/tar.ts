/**
 * A deterministic gzipped tar (POSIX ustar) of regular files, and its reader. Every entry has
 * mtime 0, uid/gid 0, mode 0644 and no user names, entries are sorted by path, and gzip runs
 * at a fixed level with no file name or time in its header: the same files give the same bytes.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { CharterError } from "@charter/ir";

const BLOCK = 512;

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

function text(bytes: Uint8Array, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString("utf8");
}

function unreadable(what: string, reason: string): CharterError {
  return new CharterError(
    `${what} is not a readable bundle: ${reason}`,
    { file: what },
    "a bundle is a gzipped tar archive, as `charter bundle` or `opa build` writes it",
  );
}

/**
 * Path (without a leading `/` or `./`) → contents of each regular file of a gzipped tar.
 * Folders and links are skipped; `what` names the archive in errors.
 */
export function readTarGz(archive: Uint8Array, what = "the archive"): Map<string, Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(archive);
  } catch (error) {
    throw unreadable(what, `not gzip (${(error as Error).message})`);
  }
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  let offset = 0;
  for (; offset + BLOCK <= bytes.length; ) {
    const block = bytes.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) return files;
    if (text(block, 257, 5) !== "ustar") throw unreadable(what, `no tar header at byte ${offset}`);
    const size = Number.parseInt(text(block, 124, 12).trim() || "0", 8);
    if (!Number.isSafeInteger(size) || offset + BLOCK + size > bytes.length) {
      throw unreadable(what, `a truncated entry at byte ${offset}`);
    }
    const type = String.fromCharCode(block[156] ?? 0);
    const prefix = text(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    const body = bytes.subarray(offset + BLOCK, offset + BLOCK + size);
    longName = undefined;
    if (type === "x") {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(body).toString("utf8"));
      longName = path?.[1];
    } else if (type === "0" || type === "\0") {
      files.set(name.replace(/^(?:\.?\/)+/, ""), body);
    }
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (offset === 0) throw unreadable(what, "an empty tar archive");
  return files;
}
