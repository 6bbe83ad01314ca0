/**
 * Whether Kubernetes serves an object's `apiVersion` for its `kind`. An object of a version it
 * no longer serves (`extensions/v1beta1` DaemonSet) or never had (`apps/v2` Deployment) cannot
 * be applied to any supported cluster, so `charter check` reports it as an error instead of
 * judging it — no policy matches it, and a scan must never pass it in silence.
 *
 * Only built-in kinds are judged here: a group Kubernetes does not have (a CRD's, an aggregated
 * API's) is someone else's, whatever its kinds are called. The facts: known-kinds.gen.json
 * (every kind of every group/version k8s.io/api registers, scripts/gen-k8s-kinds.sh) and
 * removed-versions.ts (the deprecation guide). k8s.io/api keeps the types of some removed
 * versions for old clients; the removed table wins over it.
 */
import type { Json } from "@charter/ir";
import { isObject } from "../../value.js";
import knownKinds from "./known-kinds.gen.json" with { type: "json" };
import { REMOVED_VERSIONS, type RemovedVersion } from "./removed-versions.js";

interface GroupKinds {
  /** Each kind of the group and the versions that serve it. */
  readonly versionsOf: Map<string, string[]>;
}

const removedByKey = new Map<string, RemovedVersion>(
  REMOVED_VERSIONS.flatMap((removed) =>
    removed.kinds.map((kind) => [`${removed.apiVersion} ${kind}`, removed] as const),
  ),
);

function groupOf(apiVersion: string): { group: string; version: string } | undefined {
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: apiVersion };
  if (parts.length === 2) return { group: parts[0] as string, version: parts[1] as string };
  return undefined;
}

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first. */
function versionRank(version: string): [number, number, number] {
  const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
  if (!match) return [3, 0, 0];
  const stage = match[2] === undefined ? 0 : match[2] === "beta" ? 1 : 2;
  return [stage, -Number(match[1]), -Number(match[3] ?? 0)];
}

/** apiVersions of one group in Kubernetes' priority order. */
function byPriority(a: string, b: string): number {
  const [x, y] = [versionRank(a.split("/").pop() ?? a), versionRank(b.split("/").pop() ?? b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || (a < b ? -1 : a > b ? 1 : 0);
}

/** Groups by name ("" for core), built once from the generated table. */
const groups: ReadonlyMap<string, GroupKinds> = (() => {
  const out = new Map<string, GroupKinds>();
  const entry = (group: string) => {
    let found = out.get(group);
    if (found === undefined) {
      found = { versionsOf: new Map() };
      out.set(group, found);
    }
    return found;
  };
  for (const [apiVersion, kinds] of Object.entries(knownKinds as Record<string, string[]>)) {
    const at = groupOf(apiVersion);
    if (at === undefined) continue;
    const { versionsOf } = entry(at.group);
    for (const kind of kinds) {
      if (removedByKey.has(`${apiVersion} ${kind}`)) {
        if (!versionsOf.has(kind)) versionsOf.set(kind, []);
        continue;
      }
      versionsOf.set(kind, [...(versionsOf.get(kind) ?? []), apiVersion]);
    }
  }
  // A kind whose every version is gone (PodSecurityPolicy) is still a kind of its group.
  for (const removed of REMOVED_VERSIONS) {
    const at = groupOf(removed.apiVersion);
    if (at === undefined) continue;
    const { versionsOf } = entry(at.group);
    for (const kind of removed.kinds) if (!versionsOf.has(kind)) versionsOf.set(kind, []);
  }
  for (const group of out.values())
    for (const versions of group.versionsOf.values()) versions.sort(byPriority);
  return out;
})();

/**
 * Why Kubernetes would refuse this object's apiVersion for its kind, or undefined when it
 * serves it, or the group is not a built-in one, or the object is no object with string
 * `apiVersion` and `kind` (the loader has reported those already).
 */
export function unservedApiVersion(object: Json): string | undefined {
  if (!isObject(object)) return undefined;
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const removed = removedByKey.get(`${apiVersion} ${kind}`);
  if (removed !== undefined) {
    const instead =
      removed.replacement !== undefined
        ? `use apiVersion: ${removed.replacement}`
        : (removed.instead ?? "");
    return `${apiVersion} ${kind}: Kubernetes stopped serving this API version in ${removed.removedIn}; ${instead} (Kubernetes' deprecation guide)`;
  }
  const at = groupOf(apiVersion);
  if (at === undefined) return undefined;
  const served = groups.get(at.group)?.versionsOf.get(kind);
  if (served === undefined || served.includes(apiVersion)) return undefined;
  const known =
    served.length > 0
      ? `${kind} is served as ${served.join(", ")}`
      : `no Kubernetes release still serves ${kind}`;
  return `${apiVersion} ${kind}: Kubernetes has no such API version; ${known}`;
}
