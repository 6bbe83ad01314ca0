/**
 * Rows judged now but told later, kept in order without growing memory with the input: the
 * first few thousand in memory, the rest as JSON lines in a private temporary file, read back
 * once and deleted. A scan whose inventory was read first (a first pass over the input) judges
 * its cross-resource rows with each document, and tells them after every other row, as a
 * one-pass scan does (inScanOrder).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Finding } from "../types.js";

/** Rows kept in memory before the spool goes to disk. */
const IN_MEMORY = 4096;
/** How much of the file is read back at a time. */
const READ_BYTES = 1 << 20;

export class RowSpool {
  #rows: Finding[] = [];
  #folder: string | undefined;
  #fd: number | undefined;
  #pending: string[] = [];
  #count = 0;

  get count(): number {
    return this.#count;
  }

  push(finding: Finding): void {
    this.#count++;
    if (this.#fd === undefined && this.#rows.length < IN_MEMORY) {
      this.#rows.push(finding);
      return;
    }
    if (this.#fd === undefined) {
      this.#folder = fs.mkdtempSync(path.join(os.tmpdir(), "charter-rows-"));
      this.#fd = fs.openSync(path.join(this.#folder, "rows.jsonl"), "wx+", 0o600);
      this.#pending = this.#rows.map((row) => JSON.stringify(row));
      this.#rows = [];
    }
    this.#pending.push(JSON.stringify(finding));
    if (this.#pending.length >= IN_MEMORY) this.#flush();
  }

  /** Every row pushed, in order; once. The file is deleted when they are read (or abandoned). */
  *drain(): Generator<Finding> {
    const fd = this.#fd;
    if (fd === undefined) {
      const rows = this.#rows;
      this.#rows = [];
      yield* rows;
      return;
    }
    try {
      this.#flush();
      const buffer = Buffer.alloc(READ_BYTES);
      let position = 0;
      let carry = Buffer.alloc(0);
      for (;;) {
        const read = fs.readSync(fd, buffer, 0, READ_BYTES, position);
        if (read === 0) break;
        position += read;
        // JSON.stringify escapes every line break, so a row is exactly one line; bytes after
        // the last newline (a row, or a character, cut by the chunk) wait for the next chunk.
        const chunk = Buffer.concat([carry, buffer.subarray(0, read)]);
        const cut = chunk.lastIndexOf(0x0a);
        if (cut < 0) {
          carry = chunk;
          continue;
        }
        carry = Buffer.from(chunk.subarray(cut + 1));
        for (const line of chunk.toString("utf8", 0, cut).split("\n"))
          yield JSON.parse(line) as Finding;
      }
    } finally {
      this.close();
    }
  }

  /** Deletes the file, if there is one. */
  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    if (this.#folder !== undefined) fs.rmSync(this.#folder, { recursive: true, force: true });
    this.#fd = undefined;
    this.#folder = undefined;
  }

  #flush(): void {
    if (this.#fd === undefined || this.#pending.length === 0) return;
    fs.writeSync(this.#fd, `${this.#pending.join("\n")}\n`);
    this.#pending = [];
  }
}
