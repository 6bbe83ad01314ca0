/** What one watch cache reports, for `/metrics` and for the messages of unsynced reviews. */
export interface KindCacheState {
  /** `v1/Namespace`, `networking.k8s.io/v1/NetworkPolicy`: as the policies name the kind. */
  readonly kind: string;
  /** Where it is watched (`resource` of the served version), once discovery found it. */
  readonly watched?: { readonly apiVersion: string; readonly resource: string };
  /**
   * True once the first full list is in: from then on the cache answers, also while the
   * watch is broken (it serves the last state; `connected` says so).
   */
  readonly synced: boolean;
  /** True while a list or watch connection is up; false from a break until the next relist. */
  readonly connected: boolean;
  /** Objects held. */
  readonly objects: number;
  /** Milliseconds since the last list or watch event (undefined before the first). */
  readonly lastEventAgeMs?: number;
  /** How many times the watch was restarted (a relist after a break). */
  readonly restarts: number;
  /** Why the last attempt failed, while it has not recovered. */
  readonly lastError?: string;
}
