/**
 * Which documents a scan's first pass must parse to index the kinds cross-resource policies
 * read (Namespaces…), judged on the bytes alone: a document holding such an object names its
 * kind in its text — as `kind: Namespace`, through an alias of an anchor written in the same
 * document, or as a `NamespaceList` whose items take their kind from it. Only an escape
 * (`"Name\u0073pace"`, a `\` line continuation) can spell it otherwise, so a document with a
 * backslash is always parsed. Everything else is left unparsed: the pass costs a byte search
 * per document, not a YAML parse.
 */
import type { InventoryKind } from "@charter/ir";

export function firstPassFilter(kinds: readonly InventoryKind[]): (bytes: Uint8Array) => boolean {
  const names = [...new Set(kinds.map((kind) => kind.kind))].map((name) => Buffer.from(name));
  const backslash = 0x5c;
  return (bytes) => {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return buffer.includes(backslash) || names.some((name) => buffer.includes(name));
  };
}
