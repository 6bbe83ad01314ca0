/**
 * What a project's policies were made from, recorded while they load: every file read (the
 * config, each policy module and the helpers it imports, as Node's and jiti's loaders read them,
 * the case files the DSL reads, anything a module reads itself), every folder listed, every path
 * probed for existence or read in vain, every environment variable read. A cached project is
 * reused only while each of these facts still holds (facts.ts), so no edit can leave it stale.
 *
 * The recording wraps `node:fs`'s reading functions and `process.env` for the duration of one
 * load; `syncBuiltinESMExports` makes modules that imported `{ readFileSync }` by name see the
 * wrappers too. A fact is taken when the read happens, from what was read, so an edit during the
 * load cannot be recorded as the state the load saw. What the recording cannot key — a file read
 * through a descriptor or a callback — makes the load
 * `uncacheable`, never cached.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Fact, fileFact, isPackageFile, listingHash, statStamp } from "./facts.js";

export interface Recording<T> {
  readonly value: T;
  readonly facts: readonly Fact[];
  /** Why this load must not be cached (what the recording could not key). */
  readonly uncacheable?: string;
}

type Reader = (this: unknown, ...args: unknown[]) => unknown;

let recording = false;

/**
 * Runs `load` while recording what it reads. One recording at a time: the wrappers are
 * process-wide.
 */
export async function recordInputs<T>(
  load: () => Promise<T>,
  { ignore = () => false }: { ignore?: (path: string) => boolean } = {},
): Promise<Recording<T>> {
  // A second load while one records is not recorded (its reads would land in the first
  // recording, which is only more facts for that one); it is simply not cached.
  if (recording)
    return { value: await load(), facts: [], uncacheable: "another load was recording" };
  recording = true;
  const facts = new Map<string, Fact>();
  let uncacheable: string | undefined;
  const refuse = (why: string) => {
    uncacheable ??= why;
  };
  const note = (key: string, fact: Fact) => {
    const earlier = facts.get(key);
    if (earlier === undefined) facts.set(key, fact);
    else if (JSON.stringify(earlier) !== JSON.stringify(fact))
      refuse(`${key.slice(key.indexOf(":") + 1)} changed while the policies loaded`);
  };
  const pathOf = (target: unknown, what: string): string | undefined => {
    if (typeof target === "string") return resolve(target);
    if (target instanceof URL && target.protocol === "file:") return fileURLToPath(target);
    if (Buffer.isBuffer(target)) return resolve(target.toString());
    refuse(
      `${what} of ${typeof target === "number" ? `file descriptor ${target}` : typeof target}`,
    );
    return undefined;
  };
  const readInVain = (path: string, error: unknown) => {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === "ENOENT" || code === "ENOTDIR") note(`exists:${path}`, absent(path));
    else refuse(`a read of ${path} that failed (${code ?? String(error)})`);
  };
  // readFileSync may open the file through fs.openSync itself: not a refused open.
  let inside = 0;

  const fsTable = fs as unknown as Record<string, Reader>;
  const promises = fs.promises as unknown as Record<string, Reader>;
  const restore: (() => void)[] = [];
  const replace = (owner: Record<string, Reader>, name: string, make: (o: Reader) => Reader) => {
    const original = owner[name] as Reader;
    owner[name] = make(original);
    restore.push(() => {
      owner[name] = original;
    });
  };

  replace(
    fsTable,
    "readFileSync",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const path = pathOf(args[0], "a read");
        const kept = path !== undefined && !ignore(path);
        // A package's file is keyed by its stamp, taken before the read: a change after it
        // makes the cache miss, never hit stale.
        const stamp = kept && isPackageFile(path) ? statStamp(path) : undefined;
        inside++;
        try {
          const content = original.apply(this, args);
          if (kept) note(`file:${path}`, fileFact(path, content, stamp));
          return content;
        } catch (error) {
          if (kept) readInVain(path, error);
          throw error;
        } finally {
          inside--;
        }
      },
  );
  replace(
    promises,
    "readFile",
    (original) =>
      async function (this: unknown, ...args: unknown[]) {
        const path = pathOf(args[0], "a read");
        const kept = path !== undefined && !ignore(path);
        const stamp = kept && isPackageFile(path) ? statStamp(path) : undefined;
        try {
          const content = await original.apply(this, args);
          if (kept) note(`file:${path}`, fileFact(path, content, stamp));
          return content;
        } catch (error) {
          if (kept) readInVain(path, error);
          throw error;
        }
      },
  );
  replace(
    fsTable,
    "readdirSync",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const path = pathOf(args[0], "a listing");
        inside++;
        try {
          const entries = original.apply(this, args) as readonly (string | fs.Dirent)[];
          if (path !== undefined && !ignore(path))
            note(`dir:${path}`, { kind: "dir", path, sha256: listingHash(entries) });
          return entries;
        } catch (error) {
          if (path !== undefined && !ignore(path)) readInVain(path, error);
          throw error;
        } finally {
          inside--;
        }
      },
  );
  replace(
    fsTable,
    "existsSync",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const exists = original.apply(this, args) === true;
        const path = pathOf(args[0], "a probe");
        if (path !== undefined && !ignore(path))
          note(`exists:${path}`, { kind: "exists", path, exists });
        return exists;
      },
  );
  for (const [owner, name] of [
    [fsTable, "readFile"],
    [fsTable, "openSync"],
    [fsTable, "open"],
    [fsTable, "readdir"],
    [promises, "open"],
    [promises, "readdir"],
  ] as const) {
    replace(
      owner,
      name,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          if (inside === 0) refuse(`fs.${name}`);
          return original.apply(this, args);
        },
    );
  }
  syncBuiltinESMExports();

  const realEnv = process.env;
  const noteEnv = (name: string | symbol) => {
    if (typeof name === "string")
      note(`env:${name}`, { kind: "env", name, value: realEnv[name] ?? null });
  };
  process.env = new Proxy(realEnv, {
    get(target, name, receiver) {
      noteEnv(name);
      return Reflect.get(target, name, receiver);
    },
    has(target, name) {
      noteEnv(name);
      return Reflect.has(target, name);
    },
    getOwnPropertyDescriptor(target, name) {
      noteEnv(name);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
    ownKeys(target) {
      // The names are the fact (a module that lists them, as the `debug` package jiti's Babel
      // bundles does); the values it then reads are facts of their own.
      note("env-names", { kind: "env-names", sha256: listingHash(Object.keys(realEnv)) });
      return Reflect.ownKeys(target);
    },
  });

  try {
    const value = await load();
    const recorded = [...facts.values()];
    return uncacheable === undefined
      ? { value, facts: recorded }
      : { value, facts: recorded, uncacheable };
  } finally {
    process.env = realEnv;
    for (const undo of restore.reverse()) undo();
    syncBuiltinESMExports();
    recording = false;
  }
}

function absent(path: string): Fact {
  return { kind: "exists", path, exists: false };
}
