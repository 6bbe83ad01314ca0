/**
 * What a document read from a manifest is: Kubernetes objects to judge, a skip, or an error.
 * The rule (docs/cli.md, "What `check` reads") follows what kubectl reads — cli-runtime's
 * resource.Builder over unstructured objects with FlattenListVisitor — and fails closed:
 *
 * 1. A document that is not a mapping, or a mapping with neither an `apiVersion` nor a `kind`
 *    key (a Chart.yaml, a kustomization.yaml, a values file, a kubeconfig), is not meant for
 *    Kubernetes: it is skipped, with the reason.
 * 2. Anything else was meant to be an object, and is read or is an error — never skipped:
 *    `apiVersion` and `kind` must be non-empty strings and `metadata` must have the types of
 *    ObjectMeta (kubectl refuses `labels: {a: 1}` the same way).
 * 3. A mapping with an `items` key (any kind, even `items: null`, as kubectl's unstructured
 *    decoder decides) is a List: it is not judged itself, its items are. `items` must be a
 *    sequence of mappings; an item with neither `apiVersion` nor `kind` takes the List's
 *    `apiVersion` and its kind without the `List` suffix (a `PodList`'s items are Pods), and an
 *    item that is a List is flattened in turn, to MAX_LIST_NESTING levels, in kubectl's order
 *    (the items of a List, then the items of its Lists).
 * 4. An object without a name is read (kubectl reads it too): a nameless privileged Pod is
 *    judged, not skipped.
 */
import type { JsonObject } from "@charter/ir";
import { isObject } from "../value.js";

/** Lists inside Lists are flattened this deep; deeper is an error, never a skip. */
export const MAX_LIST_NESTING = 32;

/** One object a document holds, and which top-level item of its List it came from. */
export interface ReadObject {
  readonly object: JsonObject;
  /** Index in the document's `items` of the item it is or came from; absent for a plain object. */
  readonly item?: number;
}

export type DocumentReading =
  | { readonly kind: "skip"; readonly reason: string }
  | {
      readonly kind: "read";
      readonly objects: readonly ReadObject[];
      /** Items that could not be read as objects: each an error (the others are still read). */
      readonly errors: readonly { readonly message: string; readonly item?: number }[];
    };

const CANNOT_READ = "cannot be read as a Kubernetes object";

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a sequence";
  if (value === null) return "null";
  return isObject(value) ? "a mapping" : `a ${typeof value}`;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

const has = (object: JsonObject, key: string): boolean => Object.hasOwn(object, key);

// ObjectMeta's fields by JSON type, as kubectl decodes `metadata` before it reads a document.
const STRING_FIELDS = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion"];
const INTEGER_FIELDS = ["generation", "deletionGracePeriodSeconds"];
const TIME_FIELDS = ["creationTimestamp", "deletionTimestamp"];
const STRING_MAP_FIELDS = ["labels", "annotations"];
/** RFC 3339 as Go's time.Parse reads it for metav1.Time. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isInt64(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 2 ** 63;
}

/** Why `metadata` is not an ObjectMeta, or undefined. `null` fields are allowed (zero values). */
function metadataProblem(metadata: unknown): string | undefined {
  if (metadata === null || metadata === undefined) return undefined;
  if (!isObject(metadata)) return `metadata is ${describe(metadata)}, not a mapping`;
  const bad = (field: string, what: string) =>
    `metadata.${field} is ${describe(metadata[field])}, not ${what}`;
  for (const field of STRING_FIELDS) {
    const value = metadata[field];
    if (value !== null && value !== undefined && typeof value !== "string")
      return bad(field, "a string");
  }
  for (const field of INTEGER_FIELDS) {
    const value = metadata[field];
    if (value !== null && value !== undefined && !isInt64(value)) return bad(field, "an integer");
  }
  for (const field of TIME_FIELDS) {
    const value = metadata[field];
    if (
      value !== null &&
      value !== undefined &&
      !(typeof value === "string" && RFC3339.test(value))
    )
      return bad(field, "an RFC 3339 time");
  }
  for (const field of STRING_MAP_FIELDS) {
    const value = metadata[field];
    if (value === null || value === undefined) continue;
    if (!isObject(value)) return bad(field, "a mapping of strings");
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== null && typeof entry !== "string")
        return `metadata.${field}[${JSON.stringify(key)}] is ${describe(entry)}, not a string`;
    }
  }
  const finalizers = metadata.finalizers;
  if (finalizers !== null && finalizers !== undefined) {
    if (!Array.isArray(finalizers)) return bad("finalizers", "a sequence of strings");
    if (finalizers.some((f) => f !== null && typeof f !== "string"))
      return "metadata.finalizers holds something that is not a string";
  }
  for (const field of ["ownerReferences", "managedFields"]) {
    const value = metadata[field];
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value) || value.some((entry) => entry !== null && !isObject(entry)))
      return bad(field, "a sequence of mappings");
  }
  return undefined;
}

/** Why a mapping meant for Kubernetes cannot be read as an object, or undefined. */
function objectProblem(object: JsonObject): string | undefined {
  if (!nonEmptyString(object.apiVersion))
    return `${CANNOT_READ}: apiVersion is ${has(object, "apiVersion") ? describe(object.apiVersion) : "missing"}, not a non-empty string`;
  if (!nonEmptyString(object.kind))
    return `${CANNOT_READ}: kind is ${has(object, "kind") ? describe(object.kind) : "missing"}, not a non-empty string`;
  const metadata = metadataProblem(object.metadata);
  return metadata === undefined ? undefined : `${CANNOT_READ}: ${metadata}`;
}

/** Whether kubectl reads this mapping as a List: it has an `items` key, whatever its value. */
function isList(object: JsonObject): boolean {
  return has(object, "items");
}

/**
 * The items of a List, with the List's apiVersion and item kind filled in where both are
 * absent; an item that is not a mapping is its problem. `problem` when `items` is no sequence.
 */
function itemsOf(list: JsonObject): {
  items: readonly (JsonObject | string)[];
  problem?: string;
} {
  const { items } = list;
  if (items === null) return { items: [] };
  if (!Array.isArray(items))
    return { items: [], problem: `its items are ${describe(items)}, not a sequence` };
  const kind = typeof list.kind === "string" ? list.kind.replace(/List$/, "") : "";
  return {
    items: items.map((item) => {
      if (!isObject(item)) return `${CANNOT_READ}: it is ${describe(item)}, not a mapping`;
      // kubectl's test (unstructured decodeToList): neither is a non-empty string.
      const inherits = !nonEmptyString(item.apiVersion) && !nonEmptyString(item.kind);
      return inherits ? { ...item, apiVersion: list.apiVersion ?? "", kind } : item;
    }),
  };
}

/** What one document holds: see the rule at the top of this file. Never throws. */
export function readDocumentObjects(value: unknown): DocumentReading {
  if (!isObject(value))
    return { kind: "skip", reason: `not a Kubernetes object: the document is ${describe(value)}` };
  if (!has(value, "apiVersion") && !has(value, "kind"))
    return { kind: "skip", reason: "not a Kubernetes object: it has neither apiVersion nor kind" };
  const problem = objectProblem(value);
  if (problem !== undefined) return { kind: "read", objects: [], errors: [{ message: problem }] };
  if (!isList(value)) return { kind: "read", objects: [{ object: value }], errors: [] };

  const objects: ReadObject[] = [];
  const errors: { message: string; item?: number }[] = [];
  const top = itemsOf(value);
  if (top.problem !== undefined)
    errors.push({ message: `${CANNOT_READ}: a List (it has an items key), but ${top.problem}` });
  // Breadth first, as FlattenListVisitor walks: a List's plain items before its Lists' items.
  let level = top.items.map((entry, item) => ({ entry, item }));
  for (let depth = 1; level.length > 0; depth++) {
    const next: typeof level = [];
    for (const { entry, item } of level) {
      const itemProblem = typeof entry === "string" ? entry : objectProblem(entry);
      if (itemProblem !== undefined || typeof entry === "string") {
        errors.push({ message: `List item ${item}: ${itemProblem}`, item });
      } else if (!isList(entry) || !Array.isArray(entry.items)) {
        objects.push({ object: entry, item });
      } else if (depth >= MAX_LIST_NESTING) {
        errors.push({
          message: `List item ${item}: Lists are nested more than ${MAX_LIST_NESTING} deep; the rest was not read`,
          item,
        });
      } else {
        next.push(...itemsOf(entry).items.map((inner) => ({ entry: inner, item })));
      }
    }
    level = next;
  }
  return { kind: "read", objects, errors };
}
