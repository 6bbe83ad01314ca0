/**
 * Tar archives written field by field, for tests that need what packTarGz never writes:
 * duplicate entries, odd sizes, other entry types and formats, broken checksums.
 */
import { gzipSync } from "node:zlib";

export interface RawEntry {
  /** The name field (at most 100 bytes; longer names need `prefix`, PAX or GNU records). */
  readonly name: string;
  readonly contents?: Uint8Array;
  /** The type flag, default "0" (a regular file). */
  readonly type?: string;
  /** The raw size field (12 bytes, padded with NULs), default the contents' length in octal. */
  readonly size?: string | Uint8Array;
  readonly prefix?: string;
  /** "ustar" (POSIX, default), "gnu" (GNU tar's magic) or "v7" (no magic). */
  readonly format?: "ustar" | "gnu" | "v7";
  /** Any other change to the header block, made before the checksum is computed. */
  readonly edit?: (header: Buffer) => void;
  /** Leave the checksum as `edit` left it (default: compute it). */
  readonly keepChecksum?: boolean;
}

const BLOCK = 512;

function field(block: Buffer, at: number, length: number, value: string | Uint8Array): void {
  block.fill(0, at, at + length);
  (typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value)).copy(
    block,
    at,
    0,
    length,
  );
}

export function rawHeader(entry: RawEntry): Buffer {
  const block = Buffer.alloc(BLOCK);
  const contents = entry.contents ?? new Uint8Array();
  field(block, 0, 100, entry.name);
  field(block, 100, 8, "0000644\0");
  field(block, 108, 8, "0000000\0");
  field(block, 116, 8, "0000000\0");
  field(block, 124, 12, entry.size ?? `${contents.length.toString(8).padStart(11, "0")}\0`);
  field(block, 136, 12, "00000000000\0");
  field(block, 156, 1, entry.type ?? "0");
  const format = entry.format ?? "ustar";
  if (format === "ustar") field(block, 257, 8, "ustar\u000000");
  if (format === "gnu") field(block, 257, 8, "ustar  \0");
  if (entry.prefix !== undefined) field(block, 345, 155, entry.prefix);
  entry.edit?.(block);
  if (!entry.keepChecksum) {
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of block) sum += byte;
    field(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  }
  return block;
}

function padded(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(bytes.length / BLOCK) * BLOCK);
  Buffer.from(bytes).copy(out);
  return out;
}

/** The tar stream of these entries, ended by two zero blocks unless `end` is false. */
export function rawTar(entries: readonly RawEntry[], end = true): Buffer {
  const parts = entries.flatMap((entry) => [
    rawHeader(entry),
    padded(entry.contents ?? new Uint8Array()),
  ]);
  if (end) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** A PAX extended header entry (`x`) carrying these records for the entry after it. */
export function paxEntry(records: Readonly<Record<string, string>>, type = "x"): RawEntry {
  const body = Object.entries(records)
    .map(([key, value]) => {
      const rest = ` ${key}=${value}\n`;
      let length = Buffer.byteLength(rest) + 1;
      while (String(length).length + Buffer.byteLength(rest) > length) length++;
      return `${length}${rest}`;
    })
    .join("");
  return { name: "PaxHeader", type, contents: Buffer.from(body, "utf8") };
}

export const gzip = (tar: Uint8Array): Buffer => gzipSync(tar);
