/**
 * The one reader of gzipped tar archives (bundles): `charter bundle verify`, the bundle server
 * and the wasm build all read through it. It reads what Go's archive/tar — OPA's reader — reads
 * the same way, and refuses the rest, never guessing:
 *
 * - ustar, PAX (`x` records: `path`, `size`; `g` records are read and ignored, as OPA ignores
 *   them) and GNU (`L` long names) headers with a valid checksum; numeric fields parsed as Go
 *   parses them (octal, or base-256), a negative or non-numeric size refused;
 * - regular files and folders (a folder carries no content; `tar -czf` writes them). Links,
 *   devices, FIFOs, sparse and contiguous files and unknown entry types are refused: OPA skips
 *   them, so a bundle holding one is not what it seems;
 * - one entry per path (`a`, `/a` and `./a` are one path): a second copy is refused, since
 *   readers disagree on which copy counts;
 * - file names in UTF-8, not empty, not ending in `/`;
 * - at most `maxEntryBytes` per file and `maxTotalBytes` unpacked in all (gzip bombs).
 */
import { gunzipSync } from "node:zlib";
import { CharterError } from "@charter/ir";

export const BLOCK = 512;

/** Size caps, so a hostile archive cannot exhaust memory (the bundle server reads bundles too). */
export interface TarLimits {
  /** The largest file accepted, in bytes. Default 128 MiB. */
  readonly maxEntryBytes?: number;
  /** The largest archive accepted once unpacked (headers and padding included). Default 512 MiB. */
  readonly maxTotalBytes?: number;
}

export const DEFAULT_MAX_ENTRY_BYTES = 128 * 1024 * 1024;
export const DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024;

/** Go's archive/tar limit on a PAX or GNU long-name record (maxSpecialFileSize). */
const MAX_SPECIAL_FILE = 1024 * 1024;

export interface TarEntry {
  /** The name as the archive spells it (a PAX path or GNU long name when there is one). */
  readonly name: string;
  /** The name without leading `/` and `./`. */
  readonly path: string;
  readonly contents: Uint8Array;
}

const ENTRY_KINDS: Readonly<Record<string, string>> = {
  "1": "a hard link",
  "2": "a symbolic link",
  "3": "a character device",
  "4": "a block device",
  "6": "a FIFO",
  "7": "a contiguous file",
  K: "a GNU long link name",
  S: "a GNU sparse file",
  V: "a GNU volume header",
  M: "a GNU multi-volume continuation",
  D: "a GNU dump directory",
  N: "a GNU old long name",
};

function unreadable(what: string, reason: string): CharterError {
  return new CharterError(
    `${what} is not a readable bundle: ${reason}`,
    { file: what },
    "a bundle is a gzipped tar archive of regular files, as `charter bundle` or `opa build` writes it",
  );
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Go's parseString: the bytes up to the first NUL. */
function cString(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end === -1 ? bytes : bytes.subarray(0, end);
}

/** A name's bytes as text; undefined when they are not UTF-8. */
function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Go's parseNumeric (archive/tar strconv.go): base-256 when the first byte has its high bit set,
 * else octal between optional spaces and NULs. Undefined where Go reports ErrHeader.
 */
function numeric(field: Uint8Array): bigint | undefined {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    const negative = (first & 0x40) !== 0;
    let value = 0n;
    for (const [i, byte] of field.entries()) {
      let b = negative ? byte ^ 0xff : byte;
      if (i === 0) b &= 0x7f;
      if (value >> 56n > 0n) return undefined;
      value = (value << 8n) | BigInt(b);
    }
    if (value >> 63n > 0n) return undefined;
    return negative ? -value - 1n : value;
  }
  let start = 0;
  let end = field.length;
  while (start < end && (field[start] === 0x20 || field[start] === 0)) start++;
  while (end > start && (field[end - 1] === 0x20 || field[end - 1] === 0)) end--;
  if (start === end) return 0n;
  const digits = Buffer.from(cString(field.subarray(start, end))).toString("latin1");
  if (!/^[0-7]+$/.test(digits)) return undefined;
  const value = BigInt(`0o${digits}`);
  return value > 0xffff_ffff_ffff_ffffn ? undefined : value;
}

function sum(block: Uint8Array, signed: boolean): bigint {
  let total = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    total += signed && byte > 127 ? byte - 256 : byte;
  }
  return BigInt(total);
}

type Format = "ustar" | "gnu";

/** The header's format after its checksum, as Go's getFormat decides; else why not. */
function formatOf(block: Uint8Array): Format | string {
  const checksum = numeric(block.subarray(148, 156));
  if (checksum === undefined || (checksum !== sum(block, false) && checksum !== sum(block, true))) {
    return "a tar header whose checksum does not match";
  }
  const magic = Buffer.from(block.subarray(257, 263)).toString("latin1");
  const version = Buffer.from(block.subarray(263, 265)).toString("latin1");
  const trailer = Buffer.from(block.subarray(508, 512)).toString("latin1");
  if (magic === "ustar\0" && trailer === "tar\0") return "a star tar header (unsupported)";
  if (magic === "ustar\0") return "ustar";
  if (magic === "ustar " && version === " \0") return "gnu";
  return "a header that is neither ustar, PAX nor GNU";
}

/** PAX records (`"<len> key=value\n"`, Go's parsePAXRecord), strictly; else why not. */
function paxRecords(body: Uint8Array): Map<string, Uint8Array> | string {
  const records = new Map<string, Uint8Array>();
  let rest = Buffer.from(body);
  while (rest.length > 0) {
    const space = rest.indexOf(0x20);
    const lengthText = space === -1 ? "" : rest.subarray(0, space).toString("latin1");
    if (!/^[+-]?\d{1,15}$/.test(lengthText)) return "a malformed PAX record";
    const length = Number(lengthText);
    if (length < 5 || length > rest.length || length <= space + 1) return "a malformed PAX record";
    const record = rest.subarray(space + 1, length - 1);
    if (rest[length - 1] !== 0x0a) return "a PAX record not ending in a newline";
    const equals = record.indexOf(0x3d);
    if (equals <= 0) return "a PAX record without a key";
    const key = record.subarray(0, equals).toString("latin1");
    const value = record.subarray(equals + 1);
    const textual = ["path", "linkpath", "uname", "gname"].includes(key);
    if (textual ? value.includes(0) : key.includes("\0")) return "a PAX record holding a NUL";
    if (key.startsWith("GNU.sparse.")) return "a GNU sparse file (PAX)";
    records.set(key, value);
    rest = rest.subarray(length);
  }
  return records;
}

const PAX_NUMBER: Readonly<Record<string, RegExp>> = {
  size: /^\+?\d{1,18}$/,
  uid: /^[+-]?\d{1,18}$/,
  gid: /^[+-]?\d{1,18}$/,
  mtime: /^[+-]?\d{1,18}(?:\.\d*)?$/,
  atime: /^[+-]?\d{1,18}(?:\.\d*)?$/,
  ctime: /^[+-]?\d{1,18}(?:\.\d*)?$/,
};

/** Go's mergePAX: what a PAX record would make an error of; else undefined. */
function paxProblem(records: ReadonlyMap<string, Uint8Array>): string | undefined {
  for (const [key, value] of records) {
    const pattern = PAX_NUMBER[key];
    if (value.length > 0 && pattern && !pattern.test(Buffer.from(value).toString("latin1"))) {
      return `a PAX ${key} record that is not a number Go reads`;
    }
  }
  return undefined;
}

/** What is wrong with the numeric fields Go parses (mode, uid, gid, size, mtime, devices). */
function numericProblem(block: Uint8Array, format: Format): string | undefined {
  const fields: [string, number, number][] = [
    ["mode", 100, 8],
    ["uid", 108, 8],
    ["gid", 116, 8],
    ["size", 124, 12],
    ["mtime", 136, 12],
    ["devmajor", 329, 8],
    ["devminor", 337, 8],
  ];
  // GNU headers keep access and change times where ustar keeps the name prefix; Go reads the
  // prefix after all when they do not parse, so such a header is refused.
  if (format === "gnu") fields.push(["atime", 345, 12], ["ctime", 357, 12]);
  for (const [name, start, length] of fields) {
    const field = block.subarray(start, start + length);
    if ((name === "atime" || name === "ctime") && field[0] === 0) continue;
    if (numeric(field) === undefined) return `a tar header whose ${name} is not a number`;
  }
  return undefined;
}

/**
 * The whole gzip stream, as zlib reads it: stricter than Go's reader (OPA's) in two ways, both
 * on purpose — a header with a reserved FLG bit set is refused (RFC 1952 §2.3.1.2: "a compliant
 * decompressor must give an error indication"; Go ignores the bits), and damage past the tar's
 * end blocks is seen (Go stops reading there).
 */
function gunzip(archive: Uint8Array, what: string, maxTotalBytes: number): Buffer {
  try {
    return gunzipSync(archive, { maxOutputLength: maxTotalBytes });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw unreadable(what, `it unpacks to more than ${maxTotalBytes} bytes (the limit)`);
    }
    throw unreadable(what, `not gzip (${(error as Error).message})`);
  }
}

/** The path a name stands for: without leading `/` and `./`. */
function pathOf(name: string): string {
  return name.replace(/^(?:\.?\/)+/, "");
}

/**
 * The regular files of a gzipped tar archive, in archive order; folders and PAX global headers
 * are skipped, anything else OPA and Charter might read differently is refused with a
 * CharterError naming the byte offset. `what` names the archive in errors.
 */
export function readTarGzEntries(
  archive: Uint8Array,
  what = "the archive",
  limits: TarLimits = {},
): TarEntry[] {
  const maxEntryBytes = limits.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const bytes = gunzip(archive, what, limits.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES);
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  let pax: Map<string, Uint8Array> | undefined;
  let longName: Uint8Array | undefined;
  let offset = 0;
  const refuse = (reason: string, at = offset) => unreadable(what, `${reason} at byte ${at}`);
  while (offset < bytes.length) {
    if (bytes.length - offset < BLOCK) throw refuse("a truncated tar header");
    const block = bytes.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) {
      // The end: two zero blocks, or one at the very end of the data (Go reads both so).
      const next = bytes.subarray(offset + BLOCK, offset + 2 * BLOCK);
      if (next.length === 0 || (next.length === BLOCK && next.every((byte) => byte === 0))) break;
      throw refuse("a zero block followed by data");
    }
    const format = formatOf(block);
    if (format !== "ustar" && format !== "gnu") throw refuse(format);
    const fieldProblem = numericProblem(block, format);
    if (fieldProblem) throw refuse(fieldProblem);
    const type = String.fromCharCode(block[156] as number);
    const paxSize = pax?.get("size");
    const declared =
      type !== "x" && type !== "g" && type !== "L" && paxSize !== undefined && paxSize.length > 0
        ? BigInt(Buffer.from(paxSize).toString("latin1"))
        : (numeric(block.subarray(124, 136)) as bigint);
    if (declared < 0n) throw refuse("a negative entry size");
    const special = type === "x" || type === "g" || type === "L";
    const limit = special ? MAX_SPECIAL_FILE : maxEntryBytes;
    if (declared > BigInt(limit)) {
      throw refuse(`an entry of ${declared} bytes, over the limit of ${limit}`);
    }
    const size = Number(declared);
    const start = offset + BLOCK;
    if (start + size > bytes.length) throw refuse("a truncated entry");
    const body = bytes.subarray(start, start + size);
    const at = offset;
    // Go reads the padding when it is there, and stops quietly at the end of the data.
    offset = start + Math.ceil(size / BLOCK) * BLOCK;

    if (type === "x" || type === "g") {
      const records = paxRecords(body);
      if (typeof records === "string") throw refuse(records, at);
      const problem = type === "x" ? paxProblem(records) : undefined;
      if (problem) throw refuse(problem, at);
      // A global header is an entry of its own to Go: it ends what came before it.
      pax = type === "x" ? records : undefined;
      if (type === "g") longName = undefined;
      continue;
    }
    if (type === "L") {
      longName = cString(body);
      continue;
    }
    const kind = ENTRY_KINDS[type];
    if (kind !== undefined || !(type === "0" || type === "\0" || type === "5")) {
      throw refuse(
        `${kind ?? `an entry of unknown type ${JSON.stringify(type)}`}, not a regular file`,
        at,
      );
    }
    const prefix = format === "ustar" ? cString(block.subarray(345, 500)) : new Uint8Array();
    const short = cString(block.subarray(0, 100));
    const paxPath = pax?.get("path");
    const nameBytes =
      longName !== undefined && longName.length > 0
        ? longName
        : paxPath !== undefined && paxPath.length > 0
          ? paxPath
          : prefix.length > 0
            ? Buffer.concat([prefix, Buffer.from("/"), short])
            : short;
    pax = undefined;
    longName = undefined;
    const name = utf8Text(nameBytes);
    if (name === undefined) throw refuse("an entry name that is not UTF-8", at);
    if (type === "5" || (type === "\0" && name.endsWith("/"))) {
      // A folder (Go reads a typeless entry named `…/` as one): no content to read.
      if (size !== 0) throw refuse(`a folder ${JSON.stringify(name)} with content`, at);
      continue;
    }
    if (name.endsWith("/"))
      throw refuse(`a file named like a folder (${JSON.stringify(name)})`, at);
    const path = pathOf(name);
    if (path === "") throw refuse(`an entry with no file name (${JSON.stringify(name)})`, at);
    if (seen.has(path)) throw refuse(`a second entry for ${path}`, at);
    seen.add(path);
    entries.push({ name, path, contents: body });
  }
  if (entries.length === 0 && offset === 0) throw unreadable(what, "an empty tar archive");
  return entries;
}

/** Path (without a leading `/` or `./`) → contents of each regular file of a gzipped tar. */
export function readTarGz(
  archive: Uint8Array,
  what = "the archive",
  limits: TarLimits = {},
): Map<string, Uint8Array> {
  return new Map(readTarGzEntries(archive, what, limits).map((e) => [e.path, e.contents]));
}
