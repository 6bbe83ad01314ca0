/**
 * The on-disk log `charter audit` reads: `<prefix>-NNNNNN.jsonl` in one folder, append-only.
 * Each server start opens the next sequence number, and a file that has reached `maxBytes`
 * is followed by a new one. Appends are serialised, so lines never interleave.
 */
import { mkdir, open, readdir } from "node:fs/promises";
import { join } from "node:path";

export interface JsonlLog {
  /** Appends each line (no newline inside) and resolves once it is written. */
  append(lines: readonly string[]): Promise<void>;
  /** The file being written, once one is open. */
  current(): string | undefined;
  close(): Promise<void>;
}

export const DEFAULT_LOG_MAX_BYTES = 64 * 1024 * 1024;

export async function openJsonlLog(options: {
  readonly dir: string;
  readonly prefix: string;
  readonly maxBytes?: number;
}): Promise<JsonlLog> {
  const { dir, prefix } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  await mkdir(dir, { recursive: true });
  const pattern = new RegExp(`^${prefix}-(\\d{6,})\\.jsonl$`);
  let sequence = Math.max(
    0,
    ...(await readdir(dir)).map((name) => Number(pattern.exec(name)?.[1] ?? 0)),
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let path: string | undefined;
  let size = 0;
  let queue: Promise<void> = Promise.resolve();

  const next = async () => {
    await handle?.close();
    sequence += 1;
    path = join(dir, `${prefix}-${String(sequence).padStart(6, "0")}.jsonl`);
    handle = await open(path, "a");
    size = (await handle.stat()).size;
  };

  const write = async (lines: readonly string[]) => {
    let pending: string[] = [];
    const flush = async () => {
      if (pending.length > 0 && handle) await handle.appendFile(pending.join(""));
      pending = [];
    };
    for (const line of lines) {
      if (handle === undefined || size >= maxBytes) {
        await flush();
        await next();
      }
      const text = `${line}\n`;
      pending.push(text);
      size += Buffer.byteLength(text);
    }
    await flush();
  };

  return {
    append(lines) {
      const done = queue.then(() => write(lines));
      queue = done.catch(() => {});
      return done;
    },
    current: () => path,
    async close() {
      await queue;
      await handle?.close();
      handle = undefined;
    },
  };
}
