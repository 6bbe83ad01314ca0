/**
 * Standard input written once to a private temporary file, so a scan can read it twice (its
 * first pass indexes what cross-resource policies read; the second judges). Memory stays flat
 * whatever the size of the stream; the file is deleted by `remove`.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

export interface StdinSpool {
  /** A new stream of everything stdin held. */
  open(): NodeJS.ReadableStream;
  remove(): Promise<void>;
}

export async function spoolStdin(stdin: NodeJS.ReadableStream): Promise<StdinSpool> {
  const folder = await mkdtemp(join(tmpdir(), "charter-stdin-"));
  const file = join(folder, "stdin");
  const remove = () => rm(folder, { recursive: true, force: true });
  try {
    await pipeline(stdin, createWriteStream(file, { flags: "wx", mode: 0o600 }));
  } catch (error) {
    await remove();
    throw error;
  }
  return { open: () => createReadStream(file, { highWaterMark: 1 << 20 }), remove };
}
