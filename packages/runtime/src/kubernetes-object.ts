/** What counts as a Kubernetes object, and the `List` wrappers that hold several. */
import { isObject } from "./value.js";

function nonEmptyString(value: unknown): boolean {
  return typeof value === "string" && value !== "";
}

/**
 * Files that Kubernetes components read from disk and the API never serves: they carry
 * apiVersion and kind but no metadata, and are still scanned (identified by their kind).
 */
const CONFIG_FILE_KINDS = new Set(["apiserver.config.k8s.io/v1/EncryptionConfiguration"]);

/** Why a value is not a Kubernetes object, or `undefined` when it is one. */
export function notAnObjectBecause(value: unknown): string | undefined {
  if (!isObject(value)) {
    const what = Array.isArray(value) ? "a list" : value === null ? "null" : `a ${typeof value}`;
    return `not a Kubernetes object: the document is ${what}, not a mapping`;
  }
  if (!nonEmptyString(value.apiVersion)) return "not a Kubernetes object: no string apiVersion";
  if (!nonEmptyString(value.kind)) return "not a Kubernetes object: no string kind";
  if (CONFIG_FILE_KINDS.has(`${value.apiVersion}/${value.kind}`)) return undefined;
  const metadata = value.metadata;
  const named =
    isObject(metadata) && (nonEmptyString(metadata.name) || nonEmptyString(metadata.generateName));
  if (!named) return "not a Kubernetes object: no metadata.name or metadata.generateName";
  return undefined;
}

/**
 * The items of a `List` (`kind: List`, or any `…List` such as `PodList`, as `kubectl get -o
 * yaml` writes them) — `undefined` for anything else. A `…List` without an `items` list is
 * judged as an ordinary object (some CRDs end their kind in "List").
 */
export function listItems(value: unknown): readonly unknown[] | undefined {
  if (!isObject(value)) return undefined;
  const { kind, items } = value;
  if (typeof kind !== "string" || !kind.endsWith("List") || !Array.isArray(items)) return undefined;
  return items;
}
