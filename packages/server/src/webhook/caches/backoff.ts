/**
 * How long a broken watch waits before it lists again: doubling from `initialMs` up to
 * `maxMs`, with up to a fifth of jitter so that many webhook replicas do not relist at once
 * after an API server restart. `reset()` after a successful list.
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #nextMs: number;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 250;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#nextMs = this.#initialMs;
  }

  /** The next delay, and doubles the one after. */
  next(): number {
    const delay = this.#nextMs;
    this.#nextMs = Math.min(this.#nextMs * 2, this.#maxMs);
    return Math.round(delay * (1 - Math.random() * 0.2));
  }

  reset(): void {
    this.#nextMs = this.#initialMs;
  }
}
