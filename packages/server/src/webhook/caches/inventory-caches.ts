/**
 * The watch caches of Charter's admission webhook: what Gatekeeper's sync does, without a sync
 * configuration — the loaded policies say what to cache (cached-kinds.ts). One informer per
 * kind (kind-cache.ts), all feeding one InventoryIndex: the object the IR engine reads the
 * `namespace` root and `inventory(…)` from, exactly as an offline scan's index.
 *
 * The cluster is found as `charter check --cluster` finds it (cluster/kubeconfig.ts):
 * `--kubeconfig`/`--context`, KUBECONFIG, ~/.kube/config, else the pod's service account.
 */
import type { InventoryKind, Policy } from "@charter/ir";
import { InventoryIndex } from "@charter/runtime";
import type { KubeConfig } from "@kubernetes/client-node";
import { type ClusterClient, clusterClient } from "../../cluster/cluster-client.js";
import { type ClusterConnectionOptions, chosenKubeConfig } from "../../cluster/kubeconfig.js";
import type { BackoffOptions } from "./backoff.js";
import type { KindCacheState } from "./cache-state.js";
import { cachedKindKey, cachedKindsOf, indexedKindsOf } from "./cached-kinds.js";
import { KindCache } from "./kind-cache.js";
import { refusePoliciesReadingManagedFields } from "./managed-fields.js";

export interface InventoryCachesOptions {
  /** The policies the webhook judges with. */
  readonly policies: readonly Policy[];
  /** Which cluster (default: as kubectl finds it, else in-cluster). */
  readonly connection?: ClusterConnectionOptions;
  /** A kubeconfig already chosen (tests); wins over `connection`. */
  readonly kubeConfig?: KubeConfig;
  readonly backoff?: BackoffOptions;
  readonly pageSize?: number;
}

export class InventoryCaches {
  /** What the IR engine reads: every cached object, as an offline scan would index it. */
  readonly index: InventoryIndex;
  readonly #caches: ReadonlyMap<string, KindCache>;

  private constructor(index: InventoryIndex, caches: ReadonlyMap<string, KindCache>) {
    this.index = index;
    this.#caches = caches;
  }

  /**
   * Starts one watch per kind the policies read (none: nothing to watch, always synced).
   * Throws (CharterError) for a policy reading a field the caches drop, or an unusable
   * kubeconfig; the watches themselves never throw — they retry and report in `state()`.
   */
  static start(options: InventoryCachesOptions): InventoryCaches {
    refusePoliciesReadingManagedFields(options.policies);
    const index = new InventoryIndex(indexedKindsOf(options.policies));
    const kinds = cachedKindsOf(options.policies);
    const caches = new Map<string, KindCache>();
    if (kinds.length > 0) {
      const kubeConfig = options.kubeConfig ?? chosenKubeConfig(options.connection);
      const client: ClusterClient = clusterClient(kubeConfig);
      for (const kind of kinds) {
        caches.set(
          cachedKindKey(kind),
          new KindCache(kind, {
            client,
            kubeConfig,
            index,
            ...(options.backoff ? { backoff: options.backoff } : {}),
            ...(options.pageSize ? { pageSize: options.pageSize } : {}),
          }),
        );
      }
    }
    for (const cache of caches.values()) cache.start();
    return new InventoryCaches(index, caches);
  }

  /** The kinds cached, in order of first use by the policies. */
  get kinds(): readonly InventoryKind[] {
    return [...this.#caches.values()].map((cache) => cache.kind);
  }

  /** Whether the kind (any version of its group and kind) is cached and its first list is in. */
  isSynced(kind: Pick<InventoryKind, "apiVersion" | "kind">): boolean {
    return this.#caches.get(cachedKindKey(kind))?.synced === true;
  }

  /** True when every cache has had its first list. */
  synced(): boolean {
    return [...this.#caches.values()].every((cache) => cache.synced);
  }

  /** Resolves when every cache is synced, or rejects after `timeoutMs` naming those that are not. */
  async whenSynced(timeoutMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const waiting = this.state().filter((s) => !s.synced);
        reject(
          new Error(
            `Charter's caches of ${waiting.map((s) => `${s.kind}${s.lastError ? ` (${s.lastError})` : ""}`).join(", ")} did not sync within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([
        Promise.all([...this.#caches.values()].map((cache) => cache.whenSynced())),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Per kind: synced, connected, objects, last event age, restarts (for /metrics). */
  state(now = Date.now()): KindCacheState[] {
    return [...this.#caches.values()].map((cache) => cache.state(now));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#caches.values()].map((cache) => cache.stop()));
  }
}
