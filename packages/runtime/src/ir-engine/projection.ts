/**
 * What a scan keeps of a resource whose judgement waits for the end of the scan: only the
 * parts its rules read. Every read of the resource is a `ref` from the `object`, `pod` or
 * `containers` root with a fixed path, so keeping the whole value under each such path keeps
 * everything the rules can see — a default-deny check that reads only the namespace keeps
 * a few bytes of a 10 KiB Deployment.
 */
import {
  CONTAINER_LISTS,
  type Expr,
  type Json,
  type Policy,
  type Segment,
  walkExpr,
} from "@charter/ir";
import { isObject } from "../value.js";

/** The paths kept: a tree of segments whose leaves keep everything below them. */
type Keep = "all" | Map<Segment, Keep>;

function keepPath(tree: Map<Segment, Keep>, path: readonly Segment[]): Keep {
  if (path.length === 0) return "all";
  const [head, ...rest] = path as [Segment, ...Segment[]];
  const below = tree.get(head);
  if (below === "all") return tree;
  tree.set(head, keepPath(below ?? new Map(), rest));
  return tree;
}

/** The parts of the resource and of its pod view a policy's rules read. */
export interface Projection {
  readonly object: Keep;
  readonly pod: Keep;
}

/** The paths every report row needs whatever the rules read: who the resource is. */
const IDENTITY_PATHS: readonly (readonly Segment[])[] = [
  ["apiVersion"],
  ["kind"],
  ["metadata", "name"],
  ["metadata", "generateName"],
  ["metadata", "namespace"],
];

export function projectionOf(policy: Policy): Projection {
  let object: Keep = new Map();
  let pod: Keep = new Map();
  const visit = (node: Expr) => {
    if (node.kind !== "ref") return;
    const root = node.root.kind;
    if (root === "object" && object !== "all") object = keepPath(object, node.path);
    if (root === "pod" && pod !== "all") pod = keepPath(pod, node.path);
    if (root === "containers") {
      for (const list of CONTAINER_LISTS) if (pod !== "all") pod = keepPath(pod, ["spec", list]);
    }
  };
  for (const rule of policy.rules) {
    walkExpr(rule.condition, visit);
    for (const part of rule.message.parts) if (part.kind === "hole") walkExpr(part.expr, visit);
  }
  // Image rules read every container's name and image (packages/ir README, item 18).
  if (policy.images) {
    for (const list of CONTAINER_LISTS) if (pod !== "all") pod = keepPath(pod, ["spec", list]);
  }
  for (const path of IDENTITY_PATHS) if (object !== "all") object = keepPath(object, path);
  return { object, pod };
}

/**
 * The value with only the kept paths. A list keeps its length (indices stay true) with null
 * — which reads as missing — where nothing is kept.
 */
export function project(value: Json | undefined, keep: Keep): Json | undefined {
  if (keep === "all" || value === undefined) return value;
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      const below = keep.get(index);
      return below === undefined ? null : (project(item, below) ?? null);
    });
  }
  if (!isObject(value)) return value;
  const kept: Record<string, Json> = {};
  for (const [segment, below] of keep) {
    if (typeof segment === "string" && Object.hasOwn(value, segment)) {
      kept[segment] = project(value[segment], below) as Json;
    }
  }
  return kept;
}
