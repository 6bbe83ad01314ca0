/**
 * Where the cluster serves a kind the caches watch: at the apiVersion the policies name it at
 * when that version serves it (what Gatekeeper's sync reads), else where discovery finds the
 * group and kind (cluster/discovery.ts: the preferred version first). Any version gives the
 * same objects: the index keys them by group and kind. A kind must allow `list` and `watch`.
 */
import { groupOf, type InventoryKind } from "@charter/ir";
import { type ClusterClient, ClusterRequestError } from "../../cluster/cluster-client.js";
import { discover, type ServedKind } from "../../cluster/discovery.js";
import { kindLabel } from "./cached-kinds.js";

interface ResourceList {
  readonly resources?: readonly {
    name?: string;
    kind?: string;
    namespaced?: boolean;
    verbs?: readonly string[];
  }[];
}

/** The cluster does not serve the kind (no such group, version or kind), or not for watching. */
export class UnservedKind extends Error {}

function versionPath(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

async function servedAt(
  client: ClusterClient,
  apiVersion: string,
  kind: string,
): Promise<ServedKind | undefined> {
  let list: ResourceList;
  try {
    list = (await client.getJson(versionPath(apiVersion))) as ResourceList;
  } catch (error) {
    if (error instanceof ClusterRequestError && error.status === 404) return undefined;
    throw error;
  }
  const resource = (list.resources ?? []).find(
    (r) =>
      r.kind === kind &&
      typeof r.name === "string" &&
      !r.name.includes("/") &&
      (r.verbs ?? []).includes("list") &&
      (r.verbs ?? []).includes("watch"),
  );
  if (resource === undefined) return undefined;
  const group = groupOf(apiVersion);
  return {
    group,
    version: apiVersion.slice(apiVersion.indexOf("/") + 1),
    apiVersion,
    kind,
    resource: resource.name as string,
    namespaced: resource.namespaced === true,
  };
}

export async function resolveCachedKind(
  client: ClusterClient,
  kind: InventoryKind,
): Promise<ServedKind> {
  const named = await servedAt(client, kind.apiVersion, kind.kind);
  if (named !== undefined) return named;
  const group = groupOf(kind.apiVersion);
  const found = (await discover(client, [{ group, kind: kind.kind }])).served.get(
    `${group}/${kind.kind}`,
  );
  if (found !== undefined) {
    // Discovery asks for `list` only; a watch needs `watch` too.
    const watchable = await servedAt(client, found.apiVersion, found.kind);
    if (watchable !== undefined) return watchable;
  }
  throw new UnservedKind(
    `the cluster does not serve ${kindLabel(kind)} for listing and watching (in any version of ${group || "the core group"})`,
  );
}
