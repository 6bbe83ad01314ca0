/**
 * Scalars as kubectl reads them, on the yaml package's documents (the reference reader, whose
 * words explain what the fast reader refuses): every scalar gets go-yaml's value
 * (go-yaml-resolve.ts), and what kubectl refuses is found — null and collection keys, repeated
 * keys, merges after the keys they set, escapes go-yaml has not.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type ParsedNode,
  Scalar,
  visit,
  type YAMLMap,
} from "yaml";
import { badEscape, goFloat32Name, goScalar } from "./go-yaml-resolve.js";

/** The name sigs.k8s.io/yaml gives a key in JSON, or why it has none. */
function keyName(
  doc: Document.Parsed<ParsedNode>,
  node: unknown,
  uint64Keys: ReadonlySet<unknown>,
  floatKeys: ReadonlySet<unknown>,
): { name: string } | { error: string } {
  const key = isAlias(node) ? node.resolve(doc) : node; // `*k : v` is the anchored key
  if (key === null || key === undefined) return { error: "a mapping key is null" };
  if (!isScalar(key)) return { error: "a mapping key is a collection" };
  const value = key.value;
  if (value === null || value === undefined) return { error: "a mapping key is null" };
  if (typeof value === "number") {
    // sigs.k8s.io/yaml names these keys as go-yaml writes them.
    if (Number.isNaN(value)) return { name: ".nan" };
    if (!Number.isFinite(value)) return { name: value > 0 ? ".inf" : "-.inf" };
    if (uint64Keys.has(key)) return { error: "a mapping key is an integer beyond int64" };
    return { name: floatKeys.has(key) ? goFloat32Name(value) : String(value) };
  }
  return { name: String(value) };
}

export interface ScalarProblem {
  readonly offset: number;
  readonly message: string;
}

/**
 * Gives every scalar of the document the value kubectl reads, in place, and returns the first
 * thing kubectl refuses: a value it cannot read, `.inf`/`.nan`, a null or collection key, a key
 * repeated (Charter's refusal: kubectl keeps the last), a merge that would override a key set
 * before it (go-yaml lets it, YAML does not), an escape go-yaml has not. `text` is the text
 * the document's offsets point into.
 */
export function readScalarsAsKubectl(
  doc: Document.Parsed<ParsedNode>,
  text: string,
  lineOf: (offset: number) => number,
): ScalarProblem | undefined {
  let problem: ScalarProblem | undefined;
  const stop = (offset: number | undefined, message: string) => {
    problem = { offset: offset ?? 0, message };
    return visit.BREAK;
  };
  const uint64Keys = new Set<unknown>();
  const floatKeys = new Set<unknown>();
  visit(doc, {
    Scalar(key, node) {
      const offset = node.range?.[0];
      if (node.type === Scalar.QUOTE_DOUBLE && node.range) {
        const bad = badEscape(text.slice(node.range[0], node.range[1]));
        if (bad !== undefined) return stop(offset, `YAML does not parse for Kubernetes: ${bad}`);
      }
      const source = typeof node.source === "string" ? node.source : String(node.value ?? "");
      const read = goScalar(source, node.type === Scalar.PLAIN, node.tag);
      if ("error" in read) return stop(offset, `YAML does not parse for Kubernetes: ${read.error}`);
      if (key !== "key" && typeof read.value === "number" && !Number.isFinite(read.value))
        return stop(offset, "a value is .inf or .nan, which JSON (and so Kubernetes) cannot carry");
      node.value = read.value;
      if (key === "key" && read.uint64) uint64Keys.add(node);
      if (key === "key" && read.float) floatKeys.add(node);
      return undefined;
    },
  });
  if (problem !== undefined) return problem;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number | undefined>();
      // Keys set so far, by a pair or a merge: a later merge that sets one again wins in
      // go-yaml (it merges in order) and loses in YAML (explicit and earlier keys win).
      const set = new Set<string>();
      for (const pair of map.items) {
        const keyOffset = (pair.key as ParsedNode | null)?.range?.[0] ?? map.range?.[0];
        if (isScalar(pair.key) && pair.key.value === "<<" && pair.key.type === Scalar.PLAIN) {
          const merged = mergedKeys(doc, pair.value, uint64Keys, floatKeys);
          const overridden = merged.find((name) => set.has(name));
          if (overridden !== undefined)
            return stop(
              keyOffset,
              `the merge key << comes after ${JSON.stringify(overridden)} is set: Kubernetes takes the later value, YAML the earlier; put << first, once`,
            );
          for (const name of merged) set.add(name);
          continue;
        }
        const name = keyName(doc, pair.key, uint64Keys, floatKeys);
        if ("error" in name)
          return stop(keyOffset, `${name.error}, which Kubernetes cannot turn into JSON`);
        if (seen.has(name.name)) {
          const first = seen.get(name.name);
          const where = first === undefined ? "" : ` (first on line ${lineOf(first)})`;
          return stop(
            keyOffset,
            `duplicate key ${JSON.stringify(name.name)}${where}; keep one of them`,
          );
        }
        // The key's name in the data is sigs.k8s.io/yaml's (`.nan`, float32 digits), not JS's.
        if (isScalar(pair.key) && typeof pair.key.value !== "string") pair.key.value = name.name;
        seen.set(name.name, keyOffset);
        set.add(name.name);
      }
      return undefined;
    },
  });
  return problem;
}

/** The keys a merge value (`<<: *a`, `<<: [*a, *b]`, `<<: {…}`) sets. */
function mergedKeys(
  doc: Document.Parsed<ParsedNode>,
  value: unknown,
  uint64Keys: ReadonlySet<unknown>,
  floatKeys: ReadonlySet<unknown>,
): string[] {
  const resolveAlias = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const direct = resolveAlias(value);
  const maps: YAMLMap[] = isMap(direct)
    ? [direct]
    : isSeq(direct)
      ? direct.items.map(resolveAlias).filter((node): node is YAMLMap => isMap(node))
      : [];
  return maps.flatMap((map) =>
    map.items.flatMap((pair) => {
      const name = keyName(doc, pair.key, uint64Keys, floatKeys);
      return "name" in name ? [name.name] : [];
    }),
  );
}
