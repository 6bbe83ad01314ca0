/** Parses the path strings of the builder's `at("a.b[0]")`: names, `[i]` and `["key"]`. */
import type { Segment } from "@charter/ir";

const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

/** The segments of `path`; throws an Error saying what is wrong. */
export function parsePathString(path: string): Segment[] {
  const segments: Segment[] = [];
  let rest = path;
  let first = true;
  while (rest.length > 0) {
    if (rest.startsWith("[")) {
      const index = /^\[(0|[1-9][0-9]*)\]/.exec(rest);
      const key = /^\[("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        rest = rest.slice(index[0].length);
      } else if (key) {
        const quoted = key[1] as string;
        const inner = quoted.slice(1, -1);
        segments.push(quoted.startsWith("'") ? inner.replace(/\\(.)/g, "$1") : JSON.parse(quoted));
        rest = rest.slice(key[0].length);
      } else {
        throw new Error(`bad segment at "${rest}": write [0] for an index or ["key"] for a key`);
      }
    } else {
      if (!first) {
        if (!rest.startsWith(".")) throw new Error(`expected "." or "[" at "${rest}"`);
        rest = rest.slice(1);
      }
      const name = NAME.exec(rest);
      if (!name) throw new Error(`expected a field name at "${rest || "the end"}"`);
      segments.push(name[0]);
      rest = rest.slice(name[0].length);
    }
    first = false;
  }
  return segments;
}
