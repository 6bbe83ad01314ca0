/**
 * The compiled policy-set cache: what loading a project produced (its config, its policies with
 * their parameters set, its exceptions — plain JSON, the IR), kept between runs with every fact
 * it was made from (record-inputs.ts, facts.ts). A run whose facts all still hold takes the
 * project from the cache instead of transpiling and running the policy modules, which is most of
 * a `charter check`'s start-up; anything else loads afresh and replaces the entry.
 *
 * An entry is found by what names the load (the working folder, --config, --policies, whether
 * parameters are set) and by Charter's own build (build-identity.ts): a new Charter or Node
 * never reads an old entry. Only an entry the current user owns and no one else can write is
 * read. `CHARTER_CACHE=off` turns the cache off, `CHARTER_CACHE_DIR` moves it, and
 * `CHARTER_CACHE_LOG=1` says on stderr why each run did or did not use it.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { type CharterBuild, charterBuild } from "./build-identity.js";
import { changedFact, type Fact } from "./facts.js";
import { installFacts } from "./install-facts.js";
import { recordInputs } from "./record-inputs.js";

/** Bumped when the entry's layout changes. */
const ENTRY_FORMAT = 1;

interface Entry<T> {
  readonly format: number;
  readonly key: unknown;
  readonly facts: readonly Fact[];
  readonly value: T;
}

export interface CacheUse {
  /** What names the load besides Charter's build: the same name, the same entry. */
  readonly key: Record<string, unknown>;
  /** The folder to keep entries in, unless CHARTER_CACHE_DIR says otherwise. */
  readonly near: string;
  /** Paths whose reads are not facts (a transpiler's own cache of what it derived from them). */
  readonly ignore?: (path: string) => boolean;
  /** Where CHARTER_CACHE_LOG lines go. */
  readonly log: (line: string) => void;
  /** The Charter that loads (build-identity.ts); given by tests of the key only. */
  readonly build?: CharterBuild;
}

/**
 * The value `load` gives, from the cache when every fact it was made from still holds. `load`'s
 * value must be plain JSON (the IR is): the entry stores it as JSON.
 */
export async function cached<T>(use: CacheUse, load: () => Promise<T>): Promise<T> {
  const build = use.build ?? charterBuild();
  const log = process.env.CHARTER_CACHE_LOG ? use.log : () => {};
  if (process.env.CHARTER_CACHE === "off" || build === undefined) {
    log(
      `charter cache: off (${build === undefined ? "Charter runs from source" : "CHARTER_CACHE=off"})`,
    );
    return load();
  }
  const key = { build, ...use.key };
  const dir = cacheDir(use.near);
  const file = join(dir, `${sha256(JSON.stringify(key))}.json`);
  const entry = readEntry<T>(file, key);
  const changed = entry === undefined ? "no entry" : changedFact(entry.facts);
  if (entry !== undefined && changed === undefined) {
    log(`charter cache: hit ${file}`);
    return entry.value;
  }
  log(`charter cache: miss (${changed})`);
  const ignore = (path: string) => path.startsWith(dir + sep) || (use.ignore?.(path) ?? false);
  // Taken before the load: an install during it makes the entry miss, never hit stale.
  const installed = installFacts(use.near);
  const recorded = await recordInputs(load, { ignore });
  if (recorded.uncacheable !== undefined) {
    log(`charter cache: not stored: ${recorded.uncacheable}`);
    return recorded.value;
  }
  const stored: Entry<T> = {
    format: ENTRY_FORMAT,
    key,
    facts: [...installed, ...recorded.facts],
    value: recorded.value,
  };
  if (writeEntry(dir, file, stored)) log(`charter cache: stored ${file}`);
  // The caller gets what a hit would give: the value as the entry holds it.
  return JSON.parse(JSON.stringify(recorded.value)) as T;
}

/** CHARTER_CACHE_DIR; else the project's node_modules/.cache/charter; else a private temp dir. */
function cacheDir(near: string): string {
  const chosen = process.env.CHARTER_CACHE_DIR;
  if (chosen) return chosen;
  const modules = join(near, "node_modules");
  if (isDir(modules)) return join(modules, ".cache", "charter");
  return join(tmpdir(), `charter-cache-${process.getuid?.() ?? "user"}`);
}

function readEntry<T>(file: string, key: unknown): Entry<T> | undefined {
  if (!isPrivate(dirname(file)) || !isPrivate(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as Entry<T>;
    return entry.format === ENTRY_FORMAT && JSON.stringify(entry.key) === JSON.stringify(key)
      ? entry
      : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all; a cache that cannot be written is only a slower start. */
function writeEntry(dir: string, file: string, entry: Entry<unknown>): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temporary, file);
    return true;
  } catch {
    rmSync(temporary, { force: true });
    return false;
  }
}

/**
 * Owned by this user and writable by no one else: an entry decides which policies judge, so
 * one another user could have written is never read.
 */
function isPrivate(path: string): boolean {
  try {
    const stats = statSync(path);
    const uid = process.getuid?.();
    return (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
