/**
 * Which of the kinds the policies need a cluster serves, and where: the API's discovery
 * documents (`/api/v1`, `/apis`, `/apis/<group>/<version>`), each kind at its group's preferred
 * version when that version serves it, else at the first version of the group (in the
 * server's order) that does. Policies match on group and kind, never on version
 * (packages/runtime/src/match.ts), so any served version judges the same.
 */
import type { KindRef } from "@charter/ir";
import type { ClusterClient } from "./cluster-client.js";

export interface ServedKind {
  readonly group: string;
  readonly version: string;
  /** `group/version`, or `v1` for the core group. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The resource's plural name in URLs (`deployments`). */
  readonly resource: string;
  readonly namespaced: boolean;
}

export interface Discovery {
  /** `group/Kind` → where the cluster serves it (a kind it serves but cannot list is left out). */
  readonly served: ReadonlyMap<string, ServedKind>;
  /** The kinds asked for that the cluster does not serve (no such group, or no such kind). */
  readonly unserved: readonly KindRef[];
}

export const kindKey = (ref: KindRef): string => `${ref.group}/${ref.kind}`;

interface ResourceList {
  readonly resources?: readonly {
    name?: string;
    kind?: string;
    namespaced?: boolean;
    verbs?: readonly string[];
  }[];
}

interface GroupList {
  readonly groups?: readonly {
    name?: string;
    preferredVersion?: { version?: string };
    versions?: readonly { version?: string }[];
  }[];
}

export async function discover(
  client: ClusterClient,
  wanted: readonly KindRef[],
): Promise<Discovery> {
  const byGroup = new Map<string, Set<string>>();
  for (const ref of wanted) {
    const kinds = byGroup.get(ref.group) ?? new Set<string>();
    kinds.add(ref.kind);
    byGroup.set(ref.group, kinds);
  }
  const versionsOf = new Map<string, string[]>();
  if (byGroup.has("")) versionsOf.set("", ["v1"]);
  if ([...byGroup.keys()].some((group) => group !== "")) {
    const list = (await client.getJson("/apis")) as GroupList;
    for (const group of list.groups ?? []) {
      if (typeof group.name !== "string" || !byGroup.has(group.name)) continue;
      const preferred = group.preferredVersion?.version;
      const all = (group.versions ?? []).flatMap((v) =>
        typeof v.version === "string" ? [v.version] : [],
      );
      versionsOf.set(group.name, [
        ...(preferred ? [preferred] : []),
        ...all.filter((v) => v !== preferred),
      ]);
    }
  }

  const served = new Map<string, ServedKind>();
  for (const [group, kinds] of byGroup) {
    const missing = new Set(kinds);
    for (const version of versionsOf.get(group) ?? []) {
      if (missing.size === 0) break;
      const apiVersion = group === "" ? version : `${group}/${version}`;
      const path = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
      const list = (await client.getJson(path)) as ResourceList;
      for (const resource of list.resources ?? []) {
        const { name, kind } = resource;
        if (typeof name !== "string" || typeof kind !== "string" || name.includes("/")) continue;
        if (!missing.has(kind) || !(resource.verbs ?? []).includes("list")) continue;
        missing.delete(kind);
        served.set(kindKey({ group, kind }), {
          group,
          version,
          apiVersion,
          kind,
          resource: name,
          namespaced: resource.namespaced === true,
        });
      }
    }
  }
  return { served, unserved: wanted.filter((ref) => !served.has(kindKey(ref))) };
}
