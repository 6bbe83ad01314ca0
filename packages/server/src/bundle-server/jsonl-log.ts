/**
 * The on-disk log `charter audit` reads: `<prefix>-NNNNNN.jsonl` in one folder, append-only.
 * Each server start opens the next sequence number, and a file that has reached `maxBytes`
 * is followed by a new one (between batches: a batch never spans two files).
 *
 * Durability: an append resolves only once its batch is written and fdatasync'd, so a 204 is
 * never given for events still in the page cache. Batches queued while one is being written
 * are committed together with one fdatasync (group commit). A failed write or sync truncates
 * the file back to where the failed batch began, so no half line is left for the next batch to
 * be glued to. When the truncation fails, or fdatasync did (the kernel may have dropped the
 * pages), the file is abandoned and the next batch opens a new one. Until a batch is committed
 * again, `failure()` (and so /health) reports the failure.
 */
import { constants } from "node:fs";
import { access, mkdir, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, type Logger, silentLogger } from "./log.js";

export interface JsonlLog {
  /** Appends each line (no newline inside) and resolves once it is durably written. */
  append(lines: readonly string[]): Promise<void>;
  /** Appends whole lines already encoded (each ending in `\n`) as one batch, durably. */
  appendBatch(chunks: readonly Uint8Array[]): Promise<void>;
  /** The file being written, once one is open. */
  current(): string | undefined;
  /**
   * Undefined while the log can write; else why it cannot, without paths (it is shown on the
   * unauthenticated /health). The logger gets the details.
   */
  failure(): string | undefined;
  close(): Promise<void>;
}

/** An append that was not stored; nothing of its batch is on disk. */
export class LogWriteError extends Error {}

/** What the log needs of an open file; a test injects a failing one. */
export interface LogFile {
  /** Writes at the end of the file; may write fewer bytes than given (returns how many). */
  write(data: Uint8Array): Promise<number>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export type OpenLogFile = (path: string) => Promise<LogFile>;

export const DEFAULT_LOG_MAX_BYTES = 64 * 1024 * 1024;

/** Opens `path` for appending, creating it. */
export const openAppendFile: OpenLogFile = async (path) => {
  const handle = await open(path, "a");
  return {
    write: async (data) => (await handle.write(data, 0, data.length, null)).bytesWritten,
    sync: () => handle.datasync(),
    truncate: (length) => handle.truncate(length),
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
};

interface Batch {
  readonly chunks: readonly Uint8Array[];
  readonly settle: (error?: Error) => void;
}

export async function openJsonlLog(options: {
  readonly dir: string;
  readonly prefix: string;
  readonly maxBytes?: number;
  readonly openFile?: OpenLogFile;
  readonly logger?: Logger;
}): Promise<JsonlLog> {
  const logger = options.logger ?? silentLogger;
  const { dir, prefix } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const openFile = options.openFile ?? openAppendFile;
  const pattern = new RegExp(`^${prefix}-(\\d{6,})\\.jsonl$`);
  let sequence: number | undefined;
  let file: LogFile | undefined;
  let path: string | undefined;
  let size = 0;
  let failure: string | undefined;
  const queue: Batch[] = [];
  let writing: Promise<void> | undefined;

  /** Records a failure: a short reason for /health, the details for the log. */
  const failed = (what: string, error: unknown, where: string | undefined) => {
    const code = (error as { code?: unknown } | undefined)?.code;
    failure = `${what}: ${typeof code === "string" ? code : errorMessage(error)}`;
    logger.log("error", "the decision-log store cannot write", {
      file: where ?? dir,
      error: errorMessage(error),
    });
    return failure;
  };
  const recovered = () => {
    if (failure === undefined) return;
    failure = undefined;
    logger.log("info", "the decision-log store writes again", { file: path });
  };

  // An unwritable folder must not stop the server from serving bundles: it is reported
  // through failure() (and /health) and retried at the next append.
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    failed("the log folder is not writable", error, dir);
  }

  const next = async () => {
    const old = file;
    file = undefined;
    await old?.close().catch(() => {});
    if (sequence === undefined) {
      await mkdir(dir, { recursive: true });
      const names = await readdir(dir);
      sequence = Math.max(0, ...names.map((name) => Number(pattern.exec(name)?.[1] ?? 0)));
    }
    const candidate = join(dir, `${prefix}-${String(sequence + 1).padStart(6, "0")}.jsonl`);
    const opened = await openFile(candidate);
    sequence += 1;
    file = opened;
    path = candidate;
    size = await opened.size();
  };

  const abandon = async () => {
    const abandoned = file;
    file = undefined;
    await abandoned?.close().catch(() => {});
  };

  /** Puts the file back to `length` bytes; abandons it when that fails. */
  const rollBack = async (length: number) => {
    try {
      await file?.truncate(length);
      size = length;
      await file?.sync();
    } catch {
      await abandon();
    }
  };

  const writeFully = async (target: LogFile, data: Uint8Array) => {
    let offset = 0;
    while (offset < data.length) {
      const written = await target.write(data.subarray(offset));
      if (written <= 0) throw new Error("the write made no progress");
      offset += written;
      size += written;
    }
  };

  /** Writes the queued batches, one fdatasync per file touched. */
  const commit = async (group: readonly Batch[]) => {
    let unsynced: Batch[] = [];
    let syncedSize = size;
    const sync = async () => {
      if (unsynced.length === 0 || file === undefined) return;
      const batches = unsynced;
      unsynced = [];
      try {
        await file.sync();
        recovered();
        for (const batch of batches) batch.settle();
      } catch (error) {
        const reason = failed("fdatasync failed", error, path);
        await rollBack(syncedSize);
        // After a failed fdatasync the kernel may have dropped the dirty pages and cleared
        // the error: what the file holds is not known, so no later batch goes into it.
        await abandon();
        for (const batch of batches) batch.settle(new LogWriteError(reason));
      }
      syncedSize = size;
    };
    for (const batch of group) {
      try {
        if (file === undefined || size >= maxBytes) {
          await sync();
          await next();
          syncedSize = size;
        }
      } catch (error) {
        batch.settle(new LogWriteError(failed("cannot open a log file", error, dir)));
        continue;
      }
      const target = file as LogFile;
      const start = size;
      try {
        for (const chunk of batch.chunks) await writeFully(target, chunk);
        unsynced.push(batch);
      } catch (error) {
        const reason = failed("write failed", error, path);
        await rollBack(start);
        batch.settle(new LogWriteError(reason));
      }
    }
    await sync();
  };

  const drain = async () => {
    while (queue.length > 0) await commit(queue.splice(0));
    writing = undefined;
  };

  const appendBatch = (chunks: readonly Uint8Array[]) =>
    new Promise<void>((resolve, reject) => {
      if (chunks.every((chunk) => chunk.length === 0)) return resolve();
      queue.push({ chunks, settle: (error) => (error ? reject(error) : resolve()) });
      writing ??= drain();
    });

  return {
    append: (lines) => appendBatch([Buffer.from(lines.map((line) => `${line}\n`).join(""))]),
    appendBatch,
    current: () => path,
    failure: () => failure,
    async close() {
      await writing;
      await file?.close();
      file = undefined;
    },
  };
}
