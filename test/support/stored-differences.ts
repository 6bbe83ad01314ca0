/**
 * What an API server did to an object between the request and its storage: every field sent must
 * come back with the same value. A field missing was pruned (by the structural schema of the
 * request's version, or of the storage version on the way through it); a value that differs was
 * changed (a type the schema coerces, a YAML 1.1 reading the sender did not mean). Fields the
 * server added (defaults, metadata, status) are listed apart: they are the cluster's, not errors.
 */

export interface StoredDifference {
  /** `.spec.rules[0].validate`, `.metadata.annotations["a.io/b"]`. */
  readonly path: string;
  readonly problem: "pruned" | "changed";
  readonly sent: unknown;
  readonly stored: unknown;
}

export interface StoredComparison {
  readonly differences: readonly StoredDifference[];
  /** Paths present only in the stored object, list indexes written `[]` (one entry per shape). */
  readonly added: readonly string[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const keyPath = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

export function compareStored(sent: unknown, stored: unknown): StoredComparison {
  const differences: StoredDifference[] = [];
  const added = new Set<string>();
  const walk = (a: unknown, b: unknown, path: string, shape: string): void => {
    if (isObject(a) && isObject(b)) {
      for (const [key, value] of Object.entries(a)) {
        if (!(key in b)) {
          differences.push({
            path: keyPath(path, key),
            problem: "pruned",
            sent: value,
            stored: undefined,
          });
        } else walk(value, b[key], keyPath(path, key), keyPath(shape, key));
      }
      for (const key of Object.keys(b)) if (!(key in a)) added.add(keyPath(shape, key));
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((value, index) => {
        walk(value, b[index], `${path}[${index}]`, `${shape}[]`);
      });
      return;
    }
    if (!sameJson(a, b)) differences.push({ path, problem: "changed", sent: a, stored: b });
  };
  walk(sent, stored, "", "");
  return { differences, added: [...added].sort() };
}

function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b)) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return a === b;
}
