/**
 * Where a report goes, a line at a time: stdout, or `--output FILE`. Lines are gathered into
 * chunks of about 64 KiB, so a report of millions of rows is neither held whole in memory nor
 * written a syscall per row. A file is written beside FILE under a temporary name and renamed
 * over it only by `commit()`, so a reader — or a run that fails half-way — never sees half a
 * report, and the previous report stays intact until the new one is whole. Missing parent
 * folders are created.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CharterError } from "@charter/ir";

export interface ReportOutput {
  /** One line of the report (without its newline). */
  line(text: string): void;
  /** Flushes the report and, for a file, puts it in place. */
  commit(): void;
  /** Leaves no partial file behind (stdout keeps what it was already given). */
  abort(): void;
}

const CHUNK_BYTES = 64 * 1024;

/** A report written through `out`, which prints one chunk of lines and a newline per call. */
export function streamOutput(out: (chunk: string) => void): ReportOutput {
  const chunker = lineChunker(out);
  return { line: chunker.line, commit: chunker.flush, abort: chunker.flush };
}

export function fileOutput(file: string): ReportOutput {
  const temporary = join(dirname(file), `.${basename(file)}.charter-tmp-${process.pid}`);
  let fd: number;
  try {
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(temporary, "w");
  } catch (error) {
    throw cannotWrite(file, error);
  }
  const chunker = lineChunker((chunk) => writeAll(fd, `${chunk}\n`, file));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  return {
    line: chunker.line,
    commit() {
      try {
        chunker.flush();
        close();
        renameSync(temporary, file);
      } catch (error) {
        this.abort();
        throw cannotWrite(file, error);
      }
    },
    abort() {
      close();
      rmSync(temporary, { force: true });
    },
  };
}

function lineChunker(write: (chunk: string) => void) {
  let lines: string[] = [];
  let size = 0;
  const flush = () => {
    if (lines.length === 0) return;
    const chunk = lines.join("\n");
    lines = [];
    size = 0;
    write(chunk);
  };
  return {
    line(text: string) {
      lines.push(text);
      size += text.length + 1;
      if (size >= CHUNK_BYTES) flush();
    },
    flush,
  };
}

function writeAll(fd: number, text: string, file: string): void {
  try {
    // A regular file takes a whole string in one write; should it not, the rest goes as bytes.
    const written = writeSync(fd, text);
    const bytes = Buffer.byteLength(text);
    if (written === bytes) return;
    const rest = Buffer.from(text, "utf8");
    for (let offset = written; offset < bytes; ) offset += writeSync(fd, rest, offset);
  } catch (error) {
    throw cannotWrite(file, error);
  }
}

function cannotWrite(file: string, error: unknown): CharterError {
  if (error instanceof CharterError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new CharterError(
    `cannot write the report to ${file}: ${reason}`,
    {},
    "pass --output a file path in a folder you can write to",
  );
}
