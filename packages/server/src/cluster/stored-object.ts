/**
 * An object as Charter judges it when it comes from a cluster (a list item or a watch event):
 * with the `apiVersion` and `kind` a List leaves out of its items, and without
 * `metadata.managedFields` — bookkeeping of field owners that no policy reads, that kubectl
 * hides too, and that is often most of an object's size. `charter check --cluster` and the
 * webhook's watch caches both read objects through this, so they judge the same objects.
 */
import type { Json } from "@charter/ir";
import type { ServedKind } from "./discovery.js";

/** The object as a scan judges it: with its apiVersion and kind, without managedFields. */
export function asStored(kind: ServedKind, item: Record<string, unknown>): Json {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = item;
  const object: Record<string, unknown> = { apiVersion: kind.apiVersion, kind: kind.kind };
  if (metadata !== null && typeof metadata === "object" && !Array.isArray(metadata)) {
    const { managedFields: _m, ...kept } = metadata as Record<string, unknown>;
    object.metadata = kept;
  } else if (metadata !== undefined) {
    object.metadata = metadata;
  }
  return Object.assign(object, rest) as Json;
}
