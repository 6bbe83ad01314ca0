/**
 * `charter serve --watch`: when a policy source changes, rebuild the bundle (the CLI's rebuild
 * command runs `charter bundle` in a child process: ES modules cannot be reloaded in place, and a
 * child also isolates a crashing policy file).
 * Changes are debounced; rebuilds never overlap, and a change during one queues one more.
 * A failed rebuild is logged and the last good bundle stays published.
 */
import { type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { errorMessage, type Logger } from "./log.js";

export interface RebuildResult {
  readonly ok: boolean;
  /** What the build printed on stderr (the error, when it failed). */
  readonly stderr: string;
}

/** Builds the bundle; `cancel` aborts it (shutdown). */
export type RebuildCommand = (cancel: AbortSignal) => Promise<RebuildResult>;

export interface SourceWatcher {
  /** Rebuilds now (queued behind a running rebuild); resolves once that rebuild is done. */
  rebuild(): Promise<RebuildResult>;
  close(): Promise<void>;
}

export function watchSources(options: {
  /** Files or folders; folders are watched recursively. */
  readonly sources: readonly string[];
  readonly rebuild: RebuildCommand;
  readonly logger: Logger;
  /** Called after a successful rebuild (e.g. rescan the bundles folder). */
  readonly onRebuilt?: () => Promise<void> | void;
  /** Called after each rebuild with its outcome (metrics). */
  readonly onResult?: (ok: boolean) => void;
  readonly debounceMs?: number;
}): SourceWatcher {
  const { logger } = options;
  const debounceMs = options.debounceMs ?? 300;
  let running: Promise<RebuildResult> | undefined;
  let queued: Promise<RebuildResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const cancel = new AbortController();

  const runOnce = async (): Promise<RebuildResult> => {
    const started = performance.now();
    logger.log("info", "rebuilding the bundle");
    const result = await options.rebuild(cancel.signal);
    if (closed) return result;
    const duration_ms = Math.round(performance.now() - started);
    if (result.ok) {
      await options.onRebuilt?.();
      logger.log("info", "rebuilt the bundle", { duration_ms });
    } else {
      logger.log("error", "rebuild failed; still serving the last good bundle", {
        duration_ms,
        error: result.stderr,
      });
    }
    options.onResult?.(result.ok);
    return result;
  };

  const rebuild = (): Promise<RebuildResult> => {
    if (!running) {
      running = runOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    // One rebuild after the running one covers every change made meanwhile.
    queued ??= running.then(() => {
      queued = undefined;
      return closed ? { ok: false, stderr: "stopped" } : rebuild();
    });
    return queued;
  };

  const changed = (path: string) => {
    if (closed) return;
    logger.log("debug", "policy source changed", { path });
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), debounceMs);
  };

  const watchers: Closable[] = [];
  for (const source of options.sources) {
    try {
      watchers.push(watchOne(source, changed));
    } catch (error) {
      logger.log("warn", "cannot watch a policy source", {
        path: source,
        error: errorMessage(error),
      });
    }
  }

  return {
    rebuild,
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      cancel.abort();
      await queued;
      await running;
    },
  };
}

/** Editor scratch files: swap files, backups, hidden temporaries. */
const SCRATCH = /(^\.|~$|\.swp$|\.swx$|\.tmp)/;

/** What watchOne returns: one folder watcher or several, closed together. */
interface Closable {
  close(): void;
}

function watchOne(source: string, changed: (path: string) => void): Closable {
  let isFolder = false;
  try {
    isFolder = statSync(source).isDirectory();
  } catch {}
  if (isFolder) return watchTree(source, changed);
  // A file is watched through its folder: editors replace files by rename, which would leave
  // a watcher on the file itself watching the old inode.
  const folder = dirname(source);
  const only = basename(source);
  return watchFolder(folder, (file) => {
    if (file === undefined || file === only) changed(source);
  });
}

function watchFolder(folder: string, onEvent: (file: string | undefined) => void): FSWatcher {
  const watcher = watch(folder, { persistent: false }, (_event, name) => {
    const file = name === null ? undefined : String(name);
    if (file !== undefined && SCRATCH.test(file)) return;
    onEvent(file);
  });
  watcher.on("error", () => {});
  return watcher;
}

/**
 * A folder and every folder below it, each watched on its own. Node 20's `recursive: true` on
 * Linux loses a file once an editor has replaced it by rename; a watcher per folder sees every
 * entry of its folder, old or new. Folders created later are watched as they appear.
 */
function watchTree(root: string, changed: (path: string) => void): Closable {
  const watchers = new Map<string, FSWatcher>();
  const add = (folder: string) => {
    if (watchers.has(folder)) return;
    try {
      watchers.set(
        folder,
        watchFolder(folder, (file) => {
          const path = file === undefined ? folder : resolve(folder, file);
          if (file !== undefined && isDirectory(path)) add(path);
          changed(path);
        }),
      );
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name) && !SCRATCH.test(entry.name)) {
          add(join(folder, entry.name));
        }
      }
    } catch {
      // Gone already, or unreadable: nothing to watch.
    }
  };
  add(root);
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close();
    },
  };
}

const SKIPPED_FOLDERS = new Set(["node_modules", "dist"]);

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
