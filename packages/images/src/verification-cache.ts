/**
 * What verified, kept for a bounded time (IR README item 18, "Caching"): per (digest, attestor,
 * kind) — a signature, or the attestations of one predicate type. Never a failure, never a
 * tag's digest: a tag is resolved on every verification, and what did not verify is looked for
 * again. The attestor is keyed by what it is (its key or identity and trusted root), not by its
 * name, so two policies that call different keys `ci` do not share entries.
 */
import type { Attestor, Json } from "@charter/ir";

export interface CachedAttestation {
  readonly predicateType: string;
  readonly predicate: Json;
}

export interface VerificationCacheOptions {
  /** How long an entry lives (default 5 minutes). */
  readonly ttlMs?: number;
  /** At most this many entries (default 10,000); the oldest go first. */
  readonly maxEntries?: number;
  /** The clock, in ms (default `Date.now`); tests pass their own. */
  readonly now?: () => number;
}

type Entry =
  | { readonly kind: "signature"; readonly expires: number }
  | {
      readonly kind: "attestations";
      readonly expires: number;
      readonly list: readonly CachedAttestation[];
    };

export class VerificationCache {
  readonly #ttl: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: VerificationCacheOptions = {}) {
    this.#ttl = options.ttlMs ?? 5 * 60_000;
    this.#max = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  hasSignature(digest: string, attestor: Attestor, context: string): boolean {
    return this.#get(key(digest, attestor, context, "signature"))?.kind === "signature";
  }

  addSignature(digest: string, attestor: Attestor, context: string): void {
    this.#set(key(digest, attestor, context, "signature"), {
      kind: "signature",
      expires: this.#now() + this.#ttl,
    });
  }

  attestations(
    digest: string,
    attestor: Attestor,
    context: string,
    predicateType: string,
  ): readonly CachedAttestation[] | undefined {
    const entry = this.#get(key(digest, attestor, context, `attestation ${predicateType}`));
    return entry?.kind === "attestations" ? entry.list : undefined;
  }

  /** Only a non-empty list is kept: none verified is a failure. */
  addAttestations(
    digest: string,
    attestor: Attestor,
    context: string,
    predicateType: string,
    list: readonly CachedAttestation[],
  ): void {
    if (list.length === 0) return;
    this.#set(key(digest, attestor, context, `attestation ${predicateType}`), {
      kind: "attestations",
      expires: this.#now() + this.#ttl,
      list,
    });
  }

  clear(): void {
    this.#entries.clear();
  }

  #get(k: string): Entry | undefined {
    const entry = this.#entries.get(k);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(k);
      return undefined;
    }
    return entry;
  }

  #set(k: string, entry: Entry): void {
    this.#entries.delete(k);
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(k, entry);
  }
}

/** The attestor by what it is (name left out); `context`: the default trusted root, if used. */
function key(digest: string, attestor: Attestor, context: string, kind: string): string {
  const { name: _name, ...what } = attestor;
  return JSON.stringify([digest, what, context, kind]);
}
