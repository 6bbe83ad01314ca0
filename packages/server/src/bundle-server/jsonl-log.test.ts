/**
 * openJsonlLog's durability with an injected file layer that fails the way a full disk does:
 * a short write, then ENOSPC; a failed fdatasync; a truncate that fails too. Nothing rejected
 * may stay on disk, nothing resolved may be lost, and no half line may be left behind.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type LogFile, LogWriteError, openAppendFile, openJsonlLog } from "./jsonl-log.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-jsonl-"));

/** The real file, with failures switched on from the test. */
function faultyFiles() {
  const faults = { shortWriteThenFail: false, failSync: false, failTruncate: false };
  const counts = { syncs: 0, opened: [] as string[] };
  const openFile = async (path: string): Promise<LogFile> => {
    const real = await openAppendFile(path);
    counts.opened.push(path);
    return {
      ...real,
      async write(data) {
        if (faults.shortWriteThenFail) {
          faults.shortWriteThenFail = false;
          // Half of it lands, as a write(2) that ran out of space part way does.
          const half = await real.write(data.subarray(0, Math.ceil(data.length / 2)));
          if (half > 0) throw Object.assign(new Error("ENOSPC: no space left on device"), {});
        }
        return real.write(data);
      },
      async sync() {
        counts.syncs += 1;
        if (faults.failSync) throw new Error("EIO: i/o error, fdatasync");
        return real.sync();
      },
      async truncate(length) {
        if (faults.failTruncate) throw new Error("EIO: i/o error, ftruncate");
        return real.truncate(length);
      },
    };
  };
  return { faults, counts, openFile };
}

const lines = (file: string) => readFileSync(file, "utf8");

describe("openJsonlLog durability", () => {
  it("truncates a half-written batch back, rejects it, and keeps the next batch whole", async () => {
    const dir = scratch();
    const { faults, openFile } = faultyFiles();
    const log = await openJsonlLog({ dir, prefix: "decisions", openFile });
    await log.append(['{"a":1}', '{"a":2}']);
    faults.shortWriteThenFail = true;
    await expect(log.append(['{"b":1}', '{"b":2}'])).rejects.toBeInstanceOf(LogWriteError);
    expect(log.failure()).toMatch(/ENOSPC/);
    await log.append(['{"c":1}']);
    expect(log.failure()).toBeUndefined();
    await log.close();
    expect(lines(join(dir, "decisions-000001.jsonl"))).toBe('{"a":1}\n{"a":2}\n{"c":1}\n');
  });

  it("rolls a batch back when fdatasync fails, and trusts that file no more", async () => {
    const dir = scratch();
    const { faults, openFile } = faultyFiles();
    const log = await openJsonlLog({ dir, prefix: "decisions", openFile });
    await log.append(['{"a":1}']);
    faults.failSync = true;
    await expect(log.append(['{"b":1}'])).rejects.toThrow(/fdatasync/);
    faults.failSync = false;
    await log.append(['{"c":1}']);
    await log.close();
    // After a failed fdatasync the page cache cannot be trusted: the next batch opens a new file.
    expect(lines(join(dir, "decisions-000001.jsonl"))).toBe('{"a":1}\n');
    expect(lines(join(dir, "decisions-000002.jsonl"))).toBe('{"c":1}\n');
  });

  it("abandons a file it cannot truncate: the next batch starts a new file", async () => {
    const dir = scratch();
    const { faults, counts, openFile } = faultyFiles();
    const log = await openJsonlLog({ dir, prefix: "decisions", openFile });
    await log.append(['{"a":1}']);
    faults.shortWriteThenFail = true;
    faults.failTruncate = true;
    await expect(log.append(['{"b":1}'])).rejects.toBeInstanceOf(LogWriteError);
    faults.failTruncate = false;
    await log.append(['{"c":1}']);
    await log.close();
    expect(counts.opened.map((path) => path.slice(dir.length + 1))).toEqual([
      "decisions-000001.jsonl",
      "decisions-000002.jsonl",
    ]);
    // The half line stays where it was written, but nothing acknowledged is glued to it.
    expect(lines(join(dir, "decisions-000002.jsonl"))).toBe('{"c":1}\n');
    expect(lines(join(dir, "decisions-000001.jsonl")).startsWith('{"a":1}\n')).toBe(true);
  });

  it("commits concurrent batches with fewer fdatasyncs than batches (group commit)", async () => {
    const dir = scratch();
    const { counts, openFile } = faultyFiles();
    const log = await openJsonlLog({ dir, prefix: "decisions", openFile });
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append([`{"i":${i}}`])));
    await log.close();
    expect(counts.syncs).toBeLessThan(20);
    expect(lines(join(dir, "decisions-000001.jsonl")).split("\n").filter(Boolean)).toEqual(
      Array.from({ length: 20 }, (_, i) => `{"i":${i}}`),
    );
  });
});
