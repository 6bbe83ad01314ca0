/**
 * One watch cache: an informer (@kubernetes/client-node's ListWatch) over one kind, in every
 * namespace, feeding the shared InventoryIndex the IR engine reads — the index the offline
 * scan builds, so a review is judged as `charter check` judges the same objects.
 *
 * ListWatch alone does not stay in step with a cluster: after a failed list or watch it
 * reports an error and stops for good, and started again it would watch on from its last
 * resourceVersion without listing. So each connection is a new ListWatch, started after a
 * backoff; its list (ours: paged, raw JSON through ClusterClient, objects as check --cluster
 * keeps them) replaces the kind's objects in the index wholesale, which also drops what was
 * deleted while the watch was down. Until that list is in, the cache serves its last state
 * and says so (`connected: false`). The informer hands the index the very objects it keeps,
 * so each object is held once.
 */
import type { InventoryKind, Json } from "@charter/ir";
import type { InventoryIndex } from "@charter/runtime";
import {
  ADD,
  DELETE,
  ERROR,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  UPDATE,
} from "@kubernetes/client-node";
import type { ClusterClient } from "../../cluster/cluster-client.js";
import { collectionPath, PAGE_SIZE } from "../../cluster/cluster-resources.js";
import type { ServedKind } from "../../cluster/discovery.js";
import { asStored } from "../../cluster/stored-object.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import type { KindCacheState } from "./cache-state.js";
import { kindLabel } from "./cached-kinds.js";
import { resolveCachedKind } from "./resolve-cached-kind.js";
import { StoredObjectWatch } from "./stored-object-watch.js";

export interface KindCacheOptions {
  readonly client: ClusterClient;
  readonly kubeConfig: KubeConfig;
  /** The index shared by every cache of the set; this cache owns its kind's part of it. */
  readonly index: InventoryIndex;
  readonly backoff?: BackoffOptions;
  /** Objects per list request (default kubectl's 500). */
  readonly pageSize?: number;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

export class KindCache {
  readonly #options: KindCacheOptions;
  readonly #backoff: Backoff;
  #served: ServedKind | undefined;
  #informer: ListWatch<KubernetesObject> | undefined;
  #synced = false;
  #connected = false;
  #sessions = 0;
  #lastEventAt: number | undefined;
  #lastError: string | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  readonly #syncedWaiters: (() => void)[] = [];

  constructor(
    readonly kind: InventoryKind,
    options: KindCacheOptions,
  ) {
    this.#options = options;
    this.#backoff = new Backoff(options.backoff);
  }

  /** Starts listing and watching; returns at once (see whenSynced). */
  start(): void {
    void this.#run();
  }

  /** True once the first list is in (and from then on, also while disconnected). */
  get synced(): boolean {
    return this.#synced;
  }

  /** Resolves when the first list is in. */
  whenSynced(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncedWaiters.push(resolve));
  }

  state(now = Date.now()): KindCacheState {
    const served = this.#served;
    return {
      kind: kindLabel(this.kind),
      ...(served ? { watched: { apiVersion: served.apiVersion, resource: served.resource } } : {}),
      synced: this.#synced,
      connected: this.#connected,
      objects: this.#options.index.count(this.kind.apiVersion, this.kind.kind),
      ...(this.#lastEventAt !== undefined ? { lastEventAgeMs: now - this.#lastEventAt } : {}),
      restarts: Math.max(0, this.#sessions - 1),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#informer?.stop();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const broken = await this.#session();
      this.#connected = false;
      if (this.#stopped) return;
      this.#lastError = describe(broken);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#backoff.next());
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One connection: resolves with the error that ended it. */
  async #session(): Promise<unknown> {
    this.#sessions++;
    try {
      this.#served ??= await resolveCachedKind(this.#options.client, this.kind);
    } catch (error) {
      return error;
    }
    // ListWatch.start() would undo a stop() made before it: never start one after stop().
    if (this.#stopped) return new Error("stopped");
    const served = this.#served;
    const { index, kubeConfig } = this.#options;
    return new Promise<unknown>((resolve) => {
      const informer = new ListWatch<KubernetesObject>(
        collectionPath(served, undefined),
        new StoredObjectWatch(kubeConfig, served),
        () => this.#list(served),
        false,
      );
      this.#informer = informer;
      const put = (object: KubernetesObject) => {
        index.adopt(object as Json);
        this.#lastEventAt = Date.now();
      };
      informer.on(ADD, put);
      informer.on(UPDATE, put);
      informer.on(DELETE, (object) => {
        index.remove(object as Json);
        this.#lastEventAt = Date.now();
      });
      informer.on(ERROR, (error) => {
        void informer.stop();
        resolve(error ?? new Error("the watch ended with an error"));
      });
      informer.start().catch(resolve);
    });
  }

  /**
   * The whole kind, page by page (a consistent snapshot: continued pages are served at the
   * first page's resourceVersion), put in the index in place of what it held.
   */
  async #list(served: ServedKind): Promise<KubernetesListObject<KubernetesObject>> {
    const { client, index } = this.#options;
    const path = collectionPath(served, undefined);
    const items: KubernetesObject[] = [];
    let resourceVersion = "";
    let next: string | undefined;
    do {
      const query: Record<string, string> = { limit: String(this.#options.pageSize ?? PAGE_SIZE) };
      if (next) query.continue = next;
      const page = (await client.getJson(path, query)) as {
        items?: unknown;
        metadata?: { continue?: unknown; resourceVersion?: unknown };
      };
      for (const item of Array.isArray(page.items) ? page.items : []) {
        if (typeof item === "object" && item !== null && !Array.isArray(item)) {
          items.push(asStored(served, item as Record<string, unknown>) as KubernetesObject);
        }
      }
      const token = page.metadata?.continue;
      next = typeof token === "string" && token !== "" ? token : undefined;
      if (typeof page.metadata?.resourceVersion === "string") {
        resourceVersion = page.metadata.resourceVersion;
      }
    } while (next !== undefined);
    // ListWatch opens its watch after the list without looking whether it was stopped
    // meanwhile; an error here ends it instead of leaving an open watch behind.
    if (this.#stopped) throw new Error("stopped");
    // Replaced in one step (no await between): a review never sees half a relist.
    index.clear(this.kind.apiVersion, this.kind.kind);
    for (const item of items) index.adopt(item as Json);
    this.#lastEventAt = Date.now();
    this.#lastError = undefined;
    this.#connected = true;
    this.#backoff.reset();
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncedWaiters.splice(0)) resolve();
    }
    return {
      apiVersion: "v1",
      kind: "List",
      metadata: { resourceVersion },
      items,
    } as KubernetesListObject<KubernetesObject>;
  }
}
