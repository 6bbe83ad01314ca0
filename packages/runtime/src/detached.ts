/**
 * A copy sharing no string with the parsed document. V8 keeps a substring as a slice of its
 * parent string, so a name cut from a document's text keeps the whole text alive for as long
 * as the name lives; what a streaming scan keeps past a document (waiting projections, the
 * inventory) must be detached, or memory grows with the documents after all. JSON.parse makes
 * strings of their own.
 */
export function detached<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
