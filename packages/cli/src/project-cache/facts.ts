/**
 * The facts a cached project rests on, and the check that each still holds. A file of the
 * project is keyed by the SHA-256 of its bytes; a file inside `node_modules` (hundreds of them,
 * rewritten only by a package manager) by its size, modification time and inode, which any
 * install or patch changes — that keeps a warm start's check to a few milliseconds.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";

export type Fact =
  /** A file's bytes; `stamp` instead for a package's file (isPackageFile). */
  | { readonly kind: "file"; readonly path: string; readonly sha256: string }
  | { readonly kind: "stamp"; readonly path: string; readonly stamp: string }
  /** A folder's listing. */
  | { readonly kind: "dir"; readonly path: string; readonly sha256: string }
  /** Whether a path exists. */
  | { readonly kind: "exists"; readonly path: string; readonly exists: boolean }
  /** An environment variable's value, absent as null. */
  | { readonly kind: "env"; readonly name: string; readonly value: string | null }
  /** The names of all environment variables (when a module listed them). */
  | { readonly kind: "env-names"; readonly sha256: string };

/** A file a package manager owns. */
export function isPackageFile(path: string): boolean {
  return path.includes("/node_modules/") || path.includes("\\node_modules\\");
}

/** Size, modification time (ns) and inode; undefined for a path that cannot be stat'ed. */
export function statStamp(path: string): string | undefined {
  try {
    const stats = statSync(path, { bigint: true });
    return `${stats.size}:${stats.mtimeNs}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

/** The fact of a file just read: its stamp when taken (a package's file), else its content. */
export function fileFact(path: string, content: unknown, stamp: string | undefined): Fact {
  if (stamp !== undefined) return { kind: "stamp", path, stamp };
  return { kind: "file", path, sha256: sha256(bytesOf(content)) };
}

export function listingHash(entries: readonly (string | { readonly name: string })[]): string {
  const names = entries.map((entry) => (typeof entry === "string" ? entry : entry.name));
  return sha256(Buffer.from([...names].sort().join("\0")));
}

/** The first fact that no longer holds, said in a few words; undefined when all hold. */
export function changedFact(facts: readonly Fact[]): string | undefined {
  for (const fact of facts) {
    const changed = changeOf(fact);
    if (changed !== undefined) return changed;
  }
  return undefined;
}

function changeOf(fact: Fact): string | undefined {
  switch (fact.kind) {
    case "file":
      return contentHash(fact.path) === fact.sha256 ? undefined : `${fact.path} changed`;
    case "stamp":
      return statStamp(fact.path) === fact.stamp ? undefined : `${fact.path} changed`;
    case "dir":
      return listing(fact.path) === fact.sha256 ? undefined : `the files in ${fact.path} changed`;
    case "exists":
      return existsSync(fact.path) === fact.exists
        ? undefined
        : `${fact.path} ${fact.exists ? "is gone" : "appeared"}`;
    case "env":
      return (process.env[fact.name] ?? null) === fact.value
        ? undefined
        : `the environment variable ${fact.name} changed`;
    case "env-names":
      return listingHash(Object.keys(process.env)) === fact.sha256
        ? undefined
        : "the names of the environment variables changed";
  }
}

function contentHash(path: string): string | undefined {
  try {
    return sha256(readFileSync(path));
  } catch {
    return undefined;
  }
}

function listing(path: string): string | undefined {
  try {
    return listingHash(readdirSync(path));
  } catch {
    return undefined;
  }
}

function bytesOf(content: unknown): Buffer {
  if (Buffer.isBuffer(content)) return content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  // A text read: its UTF-8 bytes, which are the file's unless it held invalid UTF-8 (then the
  // check never matches and the cache is never used, the safe way round).
  return Buffer.from(String(content), "utf8");
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
