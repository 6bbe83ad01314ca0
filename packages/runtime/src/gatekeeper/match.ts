/**
 * A Constraint's `spec.match`, read the way Gatekeeper reads it, for the parts Charter emits:
 * `kinds` (an entry matches when its apiGroups and kinds both list the object's, or "*"),
 * `namespaces` and `excludedNamespaces` (names, or prefix/suffix globs such as `kube-*`). A
 * core Namespace is read by its own name (Gatekeeper's `namespacesMatch` on a Namespace object;
 * gator.test.ts shows it); any other object without a namespace passes both lists, as
 * cluster-scoped objects do in Gatekeeper. `labelSelector` is a Kubernetes LabelSelector on the object's own labels, read
 * here independently of the IR (labels that are not a map are none; a label holds only a
 * string value, but `Exists` is presence of the key with a non-null value, as the IR says).
 * The engine checks this against `policyApplies`, so the emitted Constraint is proven to
 * select what the policy means.
 */
import { groupOf, type Json } from "@charter/ir";
import { isObject } from "../value.js";

function strings(value: Json | undefined): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

/** Gatekeeper's namespace glob: a `*` at the start and/or the end, nothing else special. */
export function namespaceGlobMatches(pattern: string, namespace: string): boolean {
  const prefix = pattern.startsWith("*");
  const suffix = pattern.length > 1 && pattern.endsWith("*");
  const core = pattern.slice(prefix ? 1 : 0, suffix ? -1 : undefined);
  if (prefix && suffix) return namespace.includes(core);
  if (prefix) return namespace.endsWith(core);
  if (suffix) return namespace.startsWith(core);
  return namespace === pattern;
}

function labelSelectorMatches(selector: Json | undefined, object: Json): boolean {
  if (!isObject(selector) || !isObject(object)) return true;
  const found = isObject(object.metadata) ? object.metadata.labels : undefined;
  const labels = isObject(found) ? found : {};
  const value = (key: string) => (Object.hasOwn(labels, key) ? (labels[key] ?? null) : null);
  const isIn = (key: string, values: readonly string[]) => {
    const v = value(key);
    return typeof v === "string" && values.includes(v);
  };
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(matchLabels).every(([key, v]) => typeof v === "string" && isIn(key, [v]))) {
    return false;
  }
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return expressions.every((requirement) => {
    if (!isObject(requirement) || typeof requirement.key !== "string") return false;
    const values = strings(requirement.values) ?? [];
    switch (requirement.operator) {
      case "In":
        return isIn(requirement.key, values);
      case "NotIn":
        return !isIn(requirement.key, values);
      case "Exists":
        return value(requirement.key) !== null;
      case "DoesNotExist":
        return value(requirement.key) === null;
      default:
        return false;
    }
  });
}

export function constraintMatches(match: Json | undefined, object: Json): boolean {
  if (!isObject(object)) return false;
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return false;
  if (!isObject(match)) return true;
  const group = groupOf(apiVersion);
  const kinds = Array.isArray(match.kinds) ? match.kinds : undefined;
  if (kinds !== undefined) {
    const listed = kinds.some((entry) => {
      if (!isObject(entry)) return false;
      const groups = strings(entry.apiGroups) ?? [];
      const names = strings(entry.kinds) ?? [];
      return (
        (groups.includes(group) || groups.includes("*")) &&
        (names.includes(kind) || names.includes("*"))
      );
    });
    if (!listed) return false;
  }
  if (!labelSelectorMatches(match.labelSelector, object)) return false;
  const metadata = isObject(object.metadata) ? object.metadata : undefined;
  const isNamespace = group === "" && kind === "Namespace";
  const namespace = isNamespace ? metadata?.name : metadata?.namespace;
  if (typeof namespace !== "string" || namespace === "") return true;
  const include = strings(match.namespaces);
  if (
    include !== undefined &&
    include.length > 0 &&
    !include.some((p) => namespaceGlobMatches(p, namespace))
  ) {
    return false;
  }
  const exclude = strings(match.excludedNamespaces) ?? [];
  return !exclude.some((p) => namespaceGlobMatches(p, namespace));
}
