/**
 * The Kubernetes types, read from the generated table (scripts/gen-k8s-types.mjs; `pnpm gen`
 * rewrites it from the pinned kubernetes-models). Types are built lazily, once per name.
 */
import { type KindRef, POD_CONTROLLERS, POD_KIND } from "@charter/ir";
import table from "./k8s-types.gen.json" with { type: "json" };
import { ANY, listOf, mapOf, objectType, type Scalar, scalar, type Ty, unionOf } from "./types.js";

/** A field's type as the table writes it. */
export type CompactType =
  | Scalar
  | "any"
  | { readonly list: CompactType }
  | { readonly map: CompactType }
  | { readonly ref: string }
  | { readonly fields: Readonly<Record<string, CompactType>> };

export interface K8sTypeTable {
  /** The package the table was generated from, e.g. `kubernetes-models@5.1.0`. */
  readonly source: string;
  /** `group/Kind` (core group "", so `/Pod`) → the type name of that kind's objects. */
  readonly kinds: Readonly<Record<string, string>>;
  /** Type name (`core.v1.Container`) → its fields. */
  readonly types: Readonly<Record<string, Readonly<Record<string, CompactType>>>>;
}

/** The generated table; tsc copies it into dist beside this module. */
export const K8S_TYPES: K8sTypeTable = table as unknown as K8sTypeTable;

const named = new Map<string, Ty>();

/** The type called `name` in the table (`core.v1.PodSpec`), or undefined. */
export function k8sType(name: string): Ty | undefined {
  const cached = named.get(name);
  if (cached) return cached;
  const fields = Object.hasOwn(K8S_TYPES.types, name) ? K8S_TYPES.types[name] : undefined;
  if (!fields) return undefined;
  const type = objectType(displayName(name), () => fieldTypes(fields));
  named.set(name, type);
  return type;
}

/** `core.v1.Container` → `Container`: what users call it. */
export function displayName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf(".") + 1);
}

function fieldTypes(fields: Readonly<Record<string, CompactType>>): Record<string, Ty> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, type]) => [name, fromCompact(type)]),
  );
}

export function fromCompact(type: CompactType): Ty {
  if (type === "any") return ANY;
  if (typeof type === "string") return scalar(type);
  if ("list" in type) return listOf(fromCompact(type.list));
  if ("map" in type) return mapOf(fromCompact(type.map));
  if ("ref" in type) return k8sType(type.ref) ?? ANY;
  return objectType("object", () => fieldTypes(type.fields));
}

/** The type of a kind's objects; undefined for kinds the table lacks (custom resources). */
export function kindType(kind: KindRef): Ty | undefined {
  const name = K8S_TYPES.kinds[`${kind.group}/${kind.kind}`];
  return name === undefined ? undefined : k8sType(name);
}

function requiredType(name: string): Ty {
  const type = k8sType(name);
  if (!type) throw new Error(`the Kubernetes type table lacks ${name}; run \`pnpm gen\``);
  return type;
}

/** The `object` root of a policy matching `pod`: a Pod, or (with controllers) any of them. */
export function podSubjectType(controllers: boolean): Ty {
  const kinds = controllers ? [POD_KIND, ...POD_CONTROLLERS] : [POD_KIND];
  return unionOf(kinds.map((kind) => kindType(kind) ?? ANY));
}

/** The `namespace` root (`namespaceObject`): the core v1 Namespace. */
export function namespaceType(): Ty {
  return kindType({ group: "", kind: "Namespace" }) ?? requiredType("core.v1.Namespace");
}

/** The `pod` root: a pod view `{metadata, spec}`. */
export function podViewType(): Ty {
  return objectType("pod", () => ({
    metadata: requiredType("meta.v1.ObjectMeta"),
    spec: requiredType("core.v1.PodSpec"),
  }));
}

/**
 * An element of the `containers` root. The three lists it concatenates hold Containers and
 * EphemeralContainers, so it has the fields of both (an ephemeral one adds
 * `targetContainerName`); it is shown as `Container`.
 */
export function containerType(): Ty {
  const container = requiredType("core.v1.Container");
  const ephemeral = requiredType("core.v1.EphemeralContainer");
  return objectType("Container", () => {
    const fields: Record<string, Ty> = {};
    for (const type of [ephemeral, container]) {
      if (type.kind !== "object") continue;
      for (const name of type.fieldNames()) fields[name] = type.field(name) ?? ANY;
    }
    return fields;
  });
}

/** The `containers` root: a list of containers (the lists in @charter/ir CONTAINER_LISTS). */
export function containersType(): Ty {
  return listOf(containerType());
}
