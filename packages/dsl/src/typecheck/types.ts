/**
 * What the type checker knows about a value: the types of the Kubernetes table, of the
 * parameter schema and of literals, in one shape. `any` accepts everything below it.
 */
export type Scalar = "string" | "integer" | "number" | "boolean" | "int-or-string";

export type Ty =
  | { readonly kind: "any" }
  | { readonly kind: "scalar"; readonly scalar: Scalar }
  | { readonly kind: "list"; readonly element: Ty }
  | { readonly kind: "map"; readonly value: Ty }
  | {
      readonly kind: "object";
      /** Shown to users: `Container`, `pod`, `params`. */
      readonly name: string;
      readonly fieldNames: () => readonly string[];
      readonly field: (name: string) => Ty | undefined;
    }
  /** One of several types (e.g. every kind a policy matches); never nested, never with any. */
  | { readonly kind: "union"; readonly members: readonly Ty[] };

export const ANY: Ty = { kind: "any" };

export function scalar(name: Scalar): Ty {
  return { kind: "scalar", scalar: name };
}

export function listOf(element: Ty): Ty {
  return { kind: "list", element };
}

export function mapOf(value: Ty): Ty {
  return { kind: "map", value };
}

/** An object with a fixed set of fields, computed lazily (types may be recursive). */
export function objectType(name: string, fields: () => Readonly<Record<string, Ty>>): Ty {
  let cache: Readonly<Record<string, Ty>> | undefined;
  const get = () => {
    cache ??= fields();
    return cache;
  };
  return {
    kind: "object",
    name,
    fieldNames: () => Object.keys(get()),
    field: (field) => (Object.hasOwn(get(), field) ? get()[field] : undefined),
  };
}

/** The union of some types: `any` absorbs the rest, nested unions flatten, repeats go. */
export function unionOf(types: readonly Ty[]): Ty {
  const members: Ty[] = [];
  for (const type of types.flatMap((t) => (t.kind === "union" ? t.members : [t]))) {
    if (type.kind === "any") return ANY;
    if (!members.some((member) => sameType(member, type))) members.push(type);
  }
  if (members.length === 0) return ANY;
  if (members.length === 1) return members[0] as Ty;
  return { kind: "union", members };
}

function sameType(a: Ty, b: Ty): boolean {
  if (a === b) return true;
  if (a.kind === "scalar" && b.kind === "scalar") return a.scalar === b.scalar;
  if (a.kind === "list" && b.kind === "list") return sameType(a.element, b.element);
  if (a.kind === "map" && b.kind === "map") return sameType(a.value, b.value);
  return false;
}

/** The JSON kinds a value of this type can have at run time; undefined means any. */
export type JsonKind = "string" | "number" | "boolean" | "list" | "object";

export function jsonKinds(type: Ty): ReadonlySet<JsonKind> | undefined {
  switch (type.kind) {
    case "any":
      return undefined;
    case "scalar":
      if (type.scalar === "int-or-string") return new Set(["number", "string"]);
      if (type.scalar === "integer" || type.scalar === "number") return new Set(["number"]);
      return new Set([type.scalar]);
    case "list":
      return new Set(["list"]);
    case "map":
    case "object":
      return new Set(["object"]);
    case "union": {
      const kinds = new Set<JsonKind>();
      for (const member of type.members) {
        const memberKinds = jsonKinds(member);
        if (!memberKinds) return undefined;
        for (const kind of memberKinds) kinds.add(kind);
      }
      return kinds;
    }
  }
}

/** True when a value of this type may be of the given JSON kind. */
export function admits(type: Ty, kind: JsonKind): boolean {
  return jsonKinds(type)?.has(kind) ?? true;
}

/** "a boolean", "an integer", "a list", "a Container", "a Pod or a Deployment". */
export function describeType(type: Ty): string {
  switch (type.kind) {
    case "any":
      return "anything";
    case "scalar":
      return type.scalar === "integer" || type.scalar === "int-or-string"
        ? `an ${type.scalar}`
        : `a ${type.scalar}`;
    case "list":
      return "a list";
    case "map":
      return "a map";
    case "object":
      return `${/^[AEIOU]/.test(type.name) ? "an" : "a"} ${type.name}`;
    case "union":
      return type.members.map(describeType).join(" or ");
  }
}
