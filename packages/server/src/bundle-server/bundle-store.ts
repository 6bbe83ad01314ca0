/**
 * The bundles of one folder, held in memory. Each `<name>.tar.gz` is read whole and its entry
 * replaced in one assignment, so a request sees the old bundle or the new one, never a mix;
 * publishers write a temporary file and rename it into place (temporary and hidden files are
 * ignored). fs.watch on the folder triggers a rescan; a periodic stat check catches what
 * fs.watch misses (editors, renames over the folder, network file systems).
 *
 * Only regular files found in the folder itself are served, up to `maxBundleBytes`: a
 * symlink (to /etc/passwd, to /dev/zero), a FIFO, a device or a folder named like a bundle is
 * refused and logged. The check is lstat first, then open with O_NOFOLLOW | O_NONBLOCK (a FIFO
 * swapped in meanwhile can neither block us nor be followed) and fstat of what was opened.
 */
import { createHash } from "node:crypto";
import { constants, type FSWatcher, watch } from "node:fs";
import { lstat, mkdir, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { bundleRevision } from "./bundle-manifest.js";
import { errorMessage, type Logger } from "./log.js";

export interface Bundle {
  readonly name: string;
  readonly bytes: Buffer;
  /** Strong ETag: the quoted sha256 of the bytes. */
  readonly etag: string;
  /** The `.manifest` revision, when the bundle has one. */
  readonly revision?: string;
  /** What the file looked like when read: a rescan re-reads only files that changed. */
  readonly stamp: string;
}

/** Names a bundle may have (also what the URL may name). */
export const BUNDLE_NAME = /^[A-Za-z0-9._-]+$/;
const BUNDLE_FILE = /^([A-Za-z0-9._-]+)\.tar\.gz$/;

export function isBundleName(name: string): boolean {
  return BUNDLE_NAME.test(name) && !name.startsWith(".");
}

/** `<name>` of a published bundle file; undefined for temporary, hidden and other files. */
export function bundleNameOf(file: string): string | undefined {
  if (file.startsWith(".") || file.includes(".tmp")) return undefined;
  const name = BUNDLE_FILE.exec(file)?.[1];
  return name !== undefined && isBundleName(name) ? name : undefined;
}

export type BundleListener = (name: string, bundle: Bundle | undefined) => void;

export interface BundleStore {
  get(name: string): Bundle | undefined;
  all(): readonly Bundle[];
  /** Called after a bundle is added, replaced or removed. Returns the unsubscribe function. */
  onChange(listener: BundleListener): () => void;
  /** Re-reads the folder now (also done on fs.watch events and every poll interval). */
  rescan(): Promise<void>;
  close(): void;
}

export interface BundleStoreOptions {
  readonly dir: string;
  readonly logger: Logger;
  /** The stat check's interval; 0 turns it off. Default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** The largest bundle file served. Default 128 MiB. */
  readonly maxBundleBytes?: number;
}

export const DEFAULT_MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

export async function openBundleStore(options: BundleStoreOptions): Promise<BundleStore> {
  const { dir, logger } = options;
  const maxBytes = options.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  await mkdir(dir, { recursive: true });
  /** Why each refused file was refused, by its stamp: logged once, not at every poll. */
  const refused = new Map<string, string>();
  const bundles = new Map<string, Bundle>();
  const listeners = new Set<BundleListener>();
  let scanning: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const publish = (name: string, bundle: Bundle | undefined) => {
    if (bundle) bundles.set(name, bundle);
    else bundles.delete(name);
    logger.log("info", bundle ? "bundle loaded" : "bundle removed", {
      bundle: name,
      ...(bundle && { etag: bundle.etag, revision: bundle.revision, bytes: bundle.bytes.length }),
    });
    for (const listener of listeners) listener(name, bundle);
  };

  const scanOnce = async () => {
    let files: string[];
    try {
      files = await readdir(dir);
    } catch (error) {
      logger.log("warn", "cannot read the bundles folder", { dir, error: errorMessage(error) });
      return;
    }
    const seen = new Set<string>();
    for (const file of files) {
      const name = bundleNameOf(file);
      if (name === undefined) continue;
      const previous = bundles.get(name);
      const read = await readBundle(join(dir, file), name, previous, maxBytes, logger);
      if (read.kind === "refused") {
        if (refused.get(file) !== read.stamp) {
          refused.set(file, read.stamp);
          logger.log("error", "bundle file refused", {
            path: join(dir, file),
            reason: read.reason,
          });
        }
        continue;
      }
      refused.delete(file);
      seen.add(name);
      const bundle = read.kind === "read" ? read.bundle : undefined;
      if (bundle === undefined || closed) continue;
      // Same bytes under a new mtime (touched, or rebuilt identically): nothing to announce.
      if (previous?.etag === bundle.etag) bundles.set(name, bundle);
      else publish(name, bundle);
    }
    for (const name of bundles.keys()) if (!seen.has(name) && !closed) publish(name, undefined);
  };

  // Scans never overlap; a request for a scan during one runs another right after it.
  const rescan = (): Promise<void> => {
    if (scanning) {
      again = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        again = false;
        await scanOnce();
      } while (again && !closed);
    })().finally(() => {
      scanning = undefined;
    });
    return scanning;
  };

  await rescan();

  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void rescan(), 30);
    });
    watcher.on("error", (error) =>
      logger.log("warn", "watching the bundles folder failed", { error: errorMessage(error) }),
    );
  } catch (error) {
    logger.log("warn", "cannot watch the bundles folder; polling only", {
      error: errorMessage(error),
    });
  }
  const interval = options.pollIntervalMs ?? 2000;
  const poll = interval > 0 ? setInterval(() => void rescan(), interval) : undefined;
  poll?.unref();

  return {
    get: (name) => bundles.get(name),
    all: () => [...bundles.values()],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    rescan,
    close() {
      closed = true;
      watcher?.close();
      clearTimeout(debounce);
      clearInterval(poll);
      listeners.clear();
    },
  };
}

type ReadOutcome =
  | { readonly kind: "read"; readonly bundle: Bundle }
  /** Unchanged since `previous`, or changing right now: keep what is served. */
  | { readonly kind: "unchanged" }
  /** Not a regular file within the size cap: not served. */
  | { readonly kind: "refused"; readonly reason: string; readonly stamp: string };

/** Reads the file when it changed since `previous`; refuses anything but a regular file. */
async function readBundle(
  path: string,
  name: string,
  previous: Bundle | undefined,
  maxBytes: number,
  logger: Logger,
): Promise<ReadOutcome> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const link = await lstat(path);
    const stamp = `${link.ino}:${link.size}:${link.mtimeMs}:${link.mode}`;
    if (!link.isFile()) return { kind: "refused", reason: "not a regular file", stamp };
    if (link.size > maxBytes) {
      return {
        kind: "refused",
        reason: `larger than ${maxBytes} bytes (--max-bundle-size)`,
        stamp,
      };
    }
    if (previous?.stamp === stamp) return { kind: "unchanged" };
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== link.ino) return { kind: "unchanged" };
    // Read at most one byte past the size seen: a file growing while read is not served.
    const bytes = Buffer.alloc(opened.size);
    let length = 0;
    while (length < bytes.length) {
      const { bytesRead } = await handle.read(bytes, length, bytes.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const extra = await handle.read(Buffer.alloc(1), 0, 1, length);
    const after = await lstat(path);
    // Written in place while we read: wait for the next event rather than serve a torn file.
    if (
      length !== opened.size ||
      extra.bytesRead !== 0 ||
      `${after.ino}:${after.size}:${after.mtimeMs}:${after.mode}` !== stamp
    ) {
      return { kind: "unchanged" };
    }
    const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
    if (previous?.etag === etag) return { kind: "read", bundle: { ...previous, stamp } };
    return {
      kind: "read",
      bundle: { name, bytes, etag, revision: bundleRevision(bytes, maxBytes), stamp },
    };
  } catch (error) {
    // Gone between readdir and read (renamed away), or replaced by a symlink (ELOOP): the
    // next scan settles it.
    logger.log("debug", "cannot read a bundle file", { path, error: errorMessage(error) });
    return { kind: "unchanged" };
  } finally {
    await handle?.close().catch(() => {});
  }
}
