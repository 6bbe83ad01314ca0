/**
 * OPA long polling (`Prefer: wait=N`): a request whose If-None-Match is the current ETag waits
 * here until that bundle changes or N seconds pass. Shutdown releases every waiter at once.
 */
import type { Bundle, BundleStore } from "./bundle-store.js";

export type WaitOutcome =
  | { readonly kind: "changed"; readonly bundle: Bundle }
  | { readonly kind: "removed" }
  | { readonly kind: "timeout" }
  /** Shutdown, or the client went away. */
  | { readonly kind: "released" };

export interface LongPolls {
  wait(name: string, etag: string, ms: number, gone: AbortSignal): Promise<WaitOutcome>;
  /** How many requests are held now. */
  held(): number;
  releaseAll(): void;
}

/** The longest wait honoured, whatever the client asks. */
export const MAX_WAIT_SECONDS = 3600;

/** The N of `Prefer: wait=N` (RFC 7240), capped; undefined without one. */
export function preferredWait(prefer: string | undefined): number | undefined {
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d+)"?/i.exec(prefer ?? "");
  if (!match) return undefined;
  return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
}

export function createLongPolls(store: BundleStore): LongPolls {
  const waiters = new Set<(outcome: WaitOutcome) => void>();
  return {
    wait(name, etag, ms, gone) {
      return new Promise<WaitOutcome>((resolve) => {
        const finish = (outcome: WaitOutcome) => {
          if (!waiters.delete(finish)) return;
          clearTimeout(timer);
          unsubscribe();
          gone.removeEventListener("abort", onGone);
          resolve(outcome);
        };
        const onGone = () => finish({ kind: "released" });
        const timer = setTimeout(() => finish({ kind: "timeout" }), ms);
        const unsubscribe = store.onChange((changed, bundle) => {
          if (changed !== name) return;
          if (bundle === undefined) finish({ kind: "removed" });
          else if (bundle.etag !== etag) finish({ kind: "changed", bundle });
        });
        waiters.add(finish);
        gone.addEventListener("abort", onGone);
        if (gone.aborted) onGone();
      });
    },
    held: () => waiters.size,
    releaseAll() {
      for (const finish of [...waiters]) finish({ kind: "released" });
    },
  };
}
