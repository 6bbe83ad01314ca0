/**
 * What decoding uploads (POST /logs, /status) may hold in memory at once: at most
 * `maxDecoders` bodies are decoded together, and together they hold at most `maxBytes` of
 * decoded text and re-encoded lines. A request that finds every slot taken waits in a short
 * queue (at most `maxDecoders × WAITERS_PER_DECODER` requests, each at most `maxWaitMs`; its
 * body is not read meanwhile, so it costs no more than an idle connection). One that finds the
 * queue full, waits too long, or whose next chunk does not fit the budget is answered 503 with
 * Retry-After (OPA retries), so memory has a fixed ceiling however many uploads arrive.
 */

export const DEFAULT_MAX_DECODERS = 4;
export const DEFAULT_DECODE_BUDGET_BYTES = 64 * 1024 * 1024;
export const WAITERS_PER_DECODER = 8;
export const DEFAULT_MAX_WAIT_MS = 5_000;

/**
 * The largest single event (or status report): a sixteenth of the budget (4 MiB by default;
 * OPA uploads in gzipped chunks of `upload_size_limit_bytes`, 32 KiB by default). One event is parsed at a time, and parsing and re-encoding it takes up to ~8
 * times its size on the V8 heap (UTF-16 text, the parsed value, the re-encoded line), so this
 * bounds the heap to about half the budget as the budget bounds the buffers.
 */
export function maxEventBytes(budget: DecodeBudget): number {
  return Math.max(1, Math.floor(budget.maxBytes / 16));
}

export interface DecodeBudget {
  /**
   * A decoder slot, once one is free; undefined when the queue is full, the wait runs out or
   * `gone` aborts (the client left).
   */
  enter(gone?: AbortSignal): Promise<Decoder | undefined>;
  /** Requests waiting for a slot. */
  waiting(): number;
  /** Slots in use. */
  busy(): number;
  /** Bytes reserved now. */
  used(): number;
  readonly maxDecoders: number;
  readonly maxBytes: number;
}

export interface Decoder {
  /** Takes `bytes` more from the budget; false (and nothing taken) when they do not fit. */
  reserve(bytes: number): boolean;
  release(bytes: number): void;
  /** Gives back the slot and whatever is still reserved. Safe to call more than once. */
  leave(): void;
}

export function createDecodeBudget(limits: {
  readonly maxDecoders?: number;
  readonly maxBytes?: number;
  readonly maxWaitMs?: number;
}): DecodeBudget {
  const maxDecoders = limits.maxDecoders ?? DEFAULT_MAX_DECODERS;
  const maxBytes = limits.maxBytes ?? DEFAULT_DECODE_BUDGET_BYTES;
  const maxWaitMs = limits.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  let busy = 0;
  let used = 0;
  /** Waiters, first come first served; each takes a slot handed over by `leave`. */
  const queue = new Set<(decoder: Decoder | undefined) => void>();

  const slot = (): Decoder => {
    let held = 0;
    let left = false;
    return {
      reserve(bytes) {
        if (left || used + bytes > maxBytes) return false;
        used += bytes;
        held += bytes;
        return true;
      },
      release(bytes) {
        const given = Math.min(bytes, held);
        held -= given;
        used -= given;
      },
      leave() {
        if (left) return;
        left = true;
        used -= held;
        held = 0;
        const [next] = queue;
        // The slot passes straight to the first waiter, so `busy` stays the same.
        if (next) next(slot());
        else busy -= 1;
      },
    };
  };

  return {
    maxDecoders,
    maxBytes,
    busy: () => busy,
    used: () => used,
    waiting: () => queue.size,
    enter(gone) {
      if (busy < maxDecoders) {
        busy += 1;
        return Promise.resolve(slot());
      }
      if (queue.size >= maxDecoders * WAITERS_PER_DECODER || gone?.aborted) {
        return Promise.resolve(undefined);
      }
      return new Promise((resolve) => {
        const settle = (decoder: Decoder | undefined) => {
          queue.delete(settle);
          clearTimeout(timer);
          gone?.removeEventListener("abort", onGone);
          resolve(decoder);
        };
        const onGone = () => settle(undefined);
        const timer = setTimeout(onGone, maxWaitMs);
        queue.add(settle);
        gone?.addEventListener("abort", onGone);
      });
    },
  };
}
