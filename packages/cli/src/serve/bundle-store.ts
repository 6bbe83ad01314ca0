/**
 * The bundles of one folder, held in memory. Each `<name>.tar.gz` is read whole and its entry
 * replaced in one assignment, so a request sees the old bundle or the new one, never a mix;
 * publishers write a temporary file and rename it into place (temporary and hidden files are
 * ignored). fs.watch on the folder triggers a rescan; a periodic stat check catches what
 * fs.watch misses (editors, renames over the folder, network file systems).
 */
import { createHash } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
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
}

export async function openBundleStore(options: BundleStoreOptions): Promise<BundleStore> {
  const { dir, logger } = options;
  await mkdir(dir, { recursive: true });
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
      seen.add(name);
      const previous = bundles.get(name);
      const bundle = await readBundle(join(dir, file), name, previous, logger);
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

/** Reads the file when it changed since `previous`; undefined when unchanged or unreadable. */
async function readBundle(
  path: string,
  name: string,
  previous: Bundle | undefined,
  logger: Logger,
): Promise<Bundle | undefined> {
  try {
    const before = await stat(path);
    const stamp = `${before.ino}:${before.size}:${before.mtimeMs}`;
    if (previous?.stamp === stamp) return undefined;
    const bytes = await readFile(path);
    const after = await stat(path);
    // Written in place while we read: wait for the next event rather than serve a torn file.
    if (`${after.ino}:${after.size}:${after.mtimeMs}` !== stamp || bytes.length !== after.size) {
      return undefined;
    }
    const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
    if (previous?.etag === etag) return { ...previous, stamp };
    return { name, bytes, etag, revision: bundleRevision(bytes), stamp };
  } catch (error) {
    // Gone between readdir and read (renamed away): the next scan settles it.
    logger.log("debug", "cannot read a bundle file", { path, error: errorMessage(error) });
    return undefined;
  }
}
