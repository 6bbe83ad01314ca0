/**
 * The objects cross-resource policies look at: offline, the scanned set. Only the kinds the
 * policies read are kept (Namespaces, NetworkPolicies, PeerAuthentications…), so an index over
 * a large scan stays small. It answers the IR's `namespace` root and `inventory(…)` node, and
 * gives the real-OPA engines the same objects in Gatekeeper's `data.inventory` layout.
 */

import {
  compareCodePoints,
  groupOf,
  type InventoryKind,
  type Json,
  type JsonObject,
} from "@charter/ir";
import { detached } from "../detached.js";
import { isObject } from "../value.js";

function stringAt(object: JsonObject, ...path: string[]): string | undefined {
  let value: Json | undefined = object;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `group/Kind` — the key of a kind whatever version it was written in. */
function kindKey(apiVersion: string, kind: string): string {
  return `${groupOf(apiVersion)}/${kind}`;
}

const CLUSTER = "";

export class InventoryIndex {
  /** kind key → namespace ("" when cluster-scoped) → name → object. */
  readonly #objects = new Map<string, Map<string, Map<string, JsonObject>>>();
  /** Sorted lists, built on first read after a change. */
  readonly #sorted = new Map<string, readonly JsonObject[]>();
  /** kind key → how the policies read it: namespaced or not, and at which versions. */
  readonly #wanted = new Map<string, { namespaced: boolean; apiVersions: string[] }>();

  /** An index keeping the given kinds (every version of each). */
  constructor(readonly kinds: readonly InventoryKind[]) {
    for (const kind of kinds) {
      const key = kindKey(kind.apiVersion, kind.kind);
      const wanted = this.#wanted.get(key);
      if (wanted === undefined) {
        this.#wanted.set(key, { namespaced: kind.namespaced, apiVersions: [kind.apiVersion] });
      } else if (!wanted.apiVersions.includes(kind.apiVersion)) {
        wanted.apiVersions.push(kind.apiVersion);
      }
    }
  }

  /** An index of `objects` (in reading order: a later object replaces an earlier twin). */
  static of(kinds: readonly InventoryKind[], objects: Iterable<Json>): InventoryIndex {
    const index = new InventoryIndex(kinds);
    for (const object of objects) index.add(object);
    return index;
  }

  /** Records the object when it is of a wanted kind and has a name; ignores anything else. */
  add(parsed: Json): void {
    // Kept past its document: a copy of its own (detached.ts), made only for a wanted kind.
    if (this.#placeOf(parsed) !== undefined) this.#put(detached(parsed as JsonObject));
  }

  /**
   * `add` without the copy, for an owner that hands the object over: parsed by JSON.parse on
   * its own (so it holds no slice of a larger string) and never changed afterwards — a watch
   * cache's objects, which would otherwise be kept twice.
   */
  adopt(object: Json): void {
    if (this.#placeOf(object) !== undefined) this.#put(object as JsonObject);
  }

  /** Forgets the object of this kind, namespace and name, if known (a watch's delete). */
  remove(object: Json): void {
    const place = this.#placeOf(object);
    if (place === undefined) return;
    const byNamespace = this.#objects.get(place.key);
    const byName = byNamespace?.get(place.namespace);
    if (byName === undefined || !byName.delete(place.name)) return;
    if (byName.size === 0) byNamespace?.delete(place.namespace);
    this.#sorted.delete(`${place.key}\u0000${place.namespace}`);
  }

  /** Forgets every object of the kind (a watch cache's relist replaces them all). */
  clear(apiVersion: string, kind: string): void {
    const key = kindKey(apiVersion, kind);
    const byNamespace = this.#objects.get(key);
    if (byNamespace === undefined) return;
    for (const namespace of byNamespace.keys()) this.#sorted.delete(`${key}\u0000${namespace}`);
    this.#objects.delete(key);
  }

  /** How many objects of the kind are known, in every namespace. */
  count(apiVersion: string, kind: string): number {
    let total = 0;
    for (const byName of this.#objects.get(kindKey(apiVersion, kind))?.values() ?? []) {
      total += byName.size;
    }
    return total;
  }

  /** Where a wanted object goes (kind key, namespace, name), or undefined when it is not kept. */
  #placeOf(object: Json): { key: string; namespace: string; name: string } | undefined {
    if (!isObject(object)) return undefined;
    const apiVersion = stringAt(object, "apiVersion");
    const kind = stringAt(object, "kind");
    const name = stringAt(object, "metadata", "name");
    if (apiVersion === undefined || kind === undefined || name === undefined) return undefined;
    const key = kindKey(apiVersion, kind);
    const wanted = this.#wanted.get(key);
    if (wanted === undefined) return undefined;
    const namespace = wanted.namespaced ? stringAt(object, "metadata", "namespace") : CLUSTER;
    return namespace === undefined ? undefined : { key, namespace, name };
  }

  #put(object: JsonObject): void {
    const place = this.#placeOf(object);
    if (place === undefined) return;
    const byNamespace = this.#objects.get(place.key) ?? new Map<string, Map<string, JsonObject>>();
    this.#objects.set(place.key, byNamespace);
    const byName = byNamespace.get(place.namespace) ?? new Map<string, JsonObject>();
    byNamespace.set(place.namespace, byName);
    byName.set(place.name, object);
    this.#sorted.delete(`${place.key}\u0000${place.namespace}`);
  }

  /**
   * The objects of a kind (in a namespace, for namespaced kinds), sorted by name. A kind the
   * index does not keep is a bug in the caller: the engine built the index from the policies.
   */
  list(apiVersion: string, kind: string, namespace: string = CLUSTER): readonly JsonObject[] {
    const key = kindKey(apiVersion, kind);
    if (!this.#wanted.has(key)) {
      throw new Error(`the inventory does not keep ${key}; this is a bug in charter`);
    }
    const cacheKey = `${key}\u0000${namespace}`;
    let sorted = this.#sorted.get(cacheKey);
    if (sorted === undefined) {
      const byName = this.#objects.get(key)?.get(namespace) ?? new Map<string, JsonObject>();
      sorted = [...byName.entries()]
        .sort(([a], [b]) => compareCodePoints(a, b))
        .map(([, object]) => object);
      this.#sorted.set(cacheKey, sorted);
    }
    return sorted;
  }

  /** The Namespace object called `name`, when known. */
  namespace(name: string): JsonObject | undefined {
    return this.#objects.get(kindKey("v1", "Namespace"))?.get(CLUSTER)?.get(name);
  }

  /**
   * Gatekeeper's `data.inventory` layout, each kind under every version the policies read it
   * at: `{cluster: {gv: {Kind: {name: obj}}}, namespace: {ns: {gv: {Kind: {name: obj}}}}}`.
   * (A cluster serves a kind at each of its versions; the API server converts between them.)
   */
  toGatekeeperData(): JsonObject {
    type ByKind = Record<string, Record<string, JsonObject>>;
    const cluster: Record<string, ByKind> = {};
    const namespaced: Record<string, Record<string, ByKind>> = {};
    for (const [key, byNamespace] of this.#objects) {
      const kind = key.slice(key.indexOf("/") + 1);
      const { apiVersions } = this.#wanted.get(key) as { apiVersions: string[] };
      for (const [namespace, byName] of byNamespace) {
        const objects = Object.fromEntries(byName);
        if (namespace !== CLUSTER) namespaced[namespace] ??= {};
        const byVersion =
          namespace === CLUSTER ? cluster : (namespaced[namespace] as Record<string, ByKind>);
        for (const apiVersion of apiVersions) {
          byVersion[apiVersion] = { ...byVersion[apiVersion], [kind]: objects };
        }
      }
    }
    return { cluster, namespace: namespaced } as JsonObject;
  }
}
