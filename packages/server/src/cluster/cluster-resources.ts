/**
 * A live cluster as the input of a scan: every object of the kinds the policies match, listed
 * page by page (`limit` / `continue`) and handed to the scan one object at a time, so memory
 * holds one page (and the next, fetched while this one is judged), never the cluster. The
 * kinds cross-resource policies read beyond the resource (Namespaces, NetworkPolicies…) are
 * listed too; those no policy matches are given to the scan as `context` (indexed, not judged).
 *
 * Scope: `--all-namespaces` lists every namespace and the cluster-scoped kinds; `--namespace X`
 * lists the namespaced kinds in X only (cluster-scoped objects are not judged), with the
 * Namespace X and the namespaced context kinds of the whole cluster where the user may list
 * them (else of X alone) for the cross-resource reads.
 *
 * Objects are judged as the server stores them (its defaults applied): list items get back the
 * `apiVersion` and `kind` a List leaves out of them, and lose `metadata.managedFields`
 * (bookkeeping of field owners that no policy reads, and that kubectl hides too).
 */
import {
  groupOf,
  type Json,
  type KindRef,
  POD_CONTROLLERS,
  POD_KIND,
  type Policy,
} from "@charter/ir";
import { inventoryKindsOf, type ScanEvent } from "@charter/runtime";
import { type ClusterClient, ClusterRequestError, requestError } from "./cluster-client.js";
import { type Discovery, discover, kindKey, type ServedKind } from "./discovery.js";
import { asStored } from "./stored-object.js";

/** Objects per list request: kubectl's chunk size. */
export const PAGE_SIZE = 500;

export type ClusterScope = { readonly allNamespaces: true } | { readonly namespace: string };

/** What a cluster scan lists. */
export interface ClusterScanPlan {
  /** Kinds listed and judged, in listing order. */
  readonly judged: readonly ServedKind[];
  /** Kinds listed for cross-resource reads only. */
  readonly context: readonly ServedKind[];
  /** Kinds the policies match or read that the cluster does not serve. */
  readonly unserved: readonly KindRef[];
  readonly scope: ClusterScope;
}

/** A kind (in a namespace, or everywhere) that could not be listed: the scan goes on. */
export interface ClusterListError {
  readonly kind: ServedKind;
  /** The namespace listed, absent when listed across the cluster. */
  readonly namespace?: string;
  readonly error: ClusterRequestError;
  /** What was being read it for: judging, or a cross-resource policy's context. */
  readonly purpose: "judged" | "context";
}

/** The kinds the policies apply to: each kind they match, Pods and the pod controllers. */
export function matchedKinds(policies: readonly Policy[]): KindRef[] {
  const kinds = new Map<string, KindRef>();
  const add = (ref: KindRef) => kinds.set(kindKey(ref), { group: ref.group, kind: ref.kind });
  for (const policy of policies) {
    const { match } = policy;
    if (match.subject === "pod") {
      add(POD_KIND);
      if (match.controllers) for (const controller of POD_CONTROLLERS) add(controller);
    } else {
      for (const ref of match.kinds) add(ref);
    }
  }
  return [...kinds.values()];
}

/** The kinds cross-resource policies read beyond the resource. */
function contextKinds(policies: readonly Policy[]): KindRef[] {
  return inventoryKindsOf(policies).map((kind) => ({
    group: groupOf(kind.apiVersion),
    kind: kind.kind,
  }));
}

const NAMESPACE_KEY = "/Namespace";

/** Namespaces first (the order manifests are written in), then by group and kind. */
function listingOrder(a: ServedKind, b: ServedKind): number {
  const rank = (k: ServedKind) => (kindKey(k) === NAMESPACE_KEY ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
    (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)
  );
}

export async function planClusterScan(
  client: ClusterClient,
  policies: readonly Policy[],
  scope: ClusterScope,
): Promise<ClusterScanPlan> {
  const matched = matchedKinds(policies);
  const read = contextKinds(policies);
  const discovery: Discovery = await discover(client, [
    ...matched,
    ...read.filter((ref) => !matched.some((m) => kindKey(m) === kindKey(ref))),
  ]);
  const servedOf = (refs: readonly KindRef[]) =>
    refs.flatMap((ref) => {
      const served = discovery.served.get(kindKey(ref));
      return served ? [served] : [];
    });
  const all = "allNamespaces" in scope;
  // In one namespace, cluster-scoped objects are not judged; a cluster-scoped kind a
  // cross-resource policy reads (the Namespace) is still read as context.
  const judged = servedOf(matched).filter((kind) => all || kind.namespaced);
  const judgedKeys = new Set(judged.map(kindKey));
  const context = servedOf(read).filter((kind) => !judgedKeys.has(kindKey(kind)));
  return {
    judged: judged.sort(listingOrder),
    context: context.sort(listingOrder),
    unserved: discovery.unserved,
    scope,
  };
}

/** The URL path listing (or watching) a kind, in one namespace or in all. */
export function collectionPath(kind: ServedKind, namespace: string | undefined): string {
  const base = kind.group === "" ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  return namespace !== undefined && kind.namespaced
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${kind.resource}`
    : `${base}/${kind.resource}`;
}

interface Page {
  readonly items: readonly Record<string, unknown>[];
  readonly next: string | undefined;
}

async function fetchPage(
  client: ClusterClient,
  path: string,
  continueToken: string | undefined,
  pageSize: number,
): Promise<Page> {
  const query: Record<string, string> = { limit: String(pageSize) };
  if (continueToken) query.continue = continueToken;
  const list = (await client.getJson(path, query)) as {
    items?: unknown;
    metadata?: { continue?: unknown };
  };
  const items = Array.isArray(list.items) ? (list.items as Record<string, unknown>[]) : [];
  const next = list.metadata?.continue;
  return { items, next: typeof next === "string" && next !== "" ? next : undefined };
}

/**
 * Every object of a collection, page by page; the next page is requested before the objects
 * of this one are handed on, so the network and the scan overlap.
 */
async function* listCollection(
  client: ClusterClient,
  kind: ServedKind,
  namespace: string | undefined,
  pageSize: number,
): AsyncGenerator<Json> {
  const path = collectionPath(kind, namespace);
  let page = await fetchPage(client, path, undefined, pageSize);
  for (;;) {
    const next = page.next === undefined ? undefined : fetchPage(client, path, page.next, pageSize);
    // A failed prefetch is awaited (and thrown) below, after this page is handed on.
    next?.catch(() => {});
    for (const item of page.items) yield asStored(kind, item);
    if (next === undefined) return;
    page = await next;
  }
}

/** Reads one collection to the scan, or tells why it could not; true when read. */
async function* readCollection(
  client: ClusterClient,
  kind: ServedKind,
  namespace: string | undefined,
  purpose: "judged" | "context",
  onError: (error: ClusterListError) => void,
  pageSize: number,
  quietly = false,
): AsyncGenerator<ScanEvent, boolean> {
  try {
    for await (const object of listCollection(client, kind, namespace, pageSize)) {
      yield purpose === "judged"
        ? { kind: "resource", resource: { object } }
        : { kind: "context", object };
    }
    return true;
  } catch (error) {
    if (!(error instanceof ClusterRequestError)) throw error;
    if (!quietly) {
      onError({ kind, ...(namespace !== undefined ? { namespace } : {}), error, purpose });
    }
    return false;
  }
}

/** The plan's objects as scan events: judged kinds first, then the context kinds. */
export async function* clusterScanEvents(
  client: ClusterClient,
  plan: ClusterScanPlan,
  onError: (error: ClusterListError) => void,
  options: { readonly pageSize?: number } = {},
): AsyncGenerator<ScanEvent> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const namespace = "namespace" in plan.scope ? plan.scope.namespace : undefined;
  for (const kind of plan.judged) {
    yield* readCollection(client, kind, namespace, "judged", onError, pageSize);
  }
  for (const kind of plan.context) {
    if (namespace === undefined) {
      yield* readCollection(client, kind, undefined, "context", onError, pageSize);
    } else if (!kind.namespaced) {
      // In one namespace, the only cluster-scoped object a policy reads is its Namespace.
      if (kindKey(kind) !== NAMESPACE_KEY) continue;
      const path = `${collectionPath(kind, undefined)}/${encodeURIComponent(namespace)}`;
      const response = await client.request("GET", path);
      if (response.status === 200) {
        yield { kind: "context", object: asStored(kind, JSON.parse(response.text)) };
      } else if (response.status !== 404) {
        onError({ kind, namespace, error: requestError(response), purpose: "context" });
      }
    } else {
      // The whole cluster where the user may list it (a policy may read another namespace's
      // objects, as the mesh's root namespace), else this namespace's.
      const whole = yield* readCollection(
        client,
        kind,
        undefined,
        "context",
        onError,
        pageSize,
        true,
      );
      if (!whole) yield* readCollection(client, kind, namespace, "context", onError, pageSize);
    }
  }
}
