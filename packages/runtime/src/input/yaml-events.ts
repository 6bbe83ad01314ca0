/**
 * The fast YAML reader: js-yaml's parser turns a document's text into a flat list of events
 * (offsets into the text, no objects), and this composes them into the data kubectl reads — the
 * rules of go-yaml v2 under sigs.k8s.io/yaml, not js-yaml's: every scalar resolved as go-yaml
 * resolves it (go-yaml-resolve.ts), tags on collections ignored, `<<` merged in go-yaml's order,
 * aliases shared (never copied) and limited by go-yaml's own aliasing ratio, and what kubectl
 * cannot turn into JSON refused — null and collection keys, `.inf`, escapes go-yaml has not —
 * as well as what Charter refuses on purpose (a key given twice, a merge after a key it sets).
 *
 * It is the only reader of values: the yaml package (yaml-documents.ts) is asked only for the
 * words of a syntax error, never for data, so the loader differential against kubectl's decoder
 * (test/k8s-decoder-differential.test.ts) judges this composer alone.
 */
import {
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  type ScalarEvent,
} from "js-yaml";
import { badEscape, goFloat32Name, goScalar, MERGE, TAG } from "./go-yaml-resolve.js";

const NONE = -1;

/** A composed node: its value and what its parent needs to know of it. */
interface Node {
  readonly value: unknown;
  readonly collection: boolean;
  /** Nodes go-yaml decodes for it, aliases expanded: what its aliasing limit counts. */
  readonly size: number;
  /** go-yaml's reading of a scalar, for when it is a key. */
  readonly uint64: boolean;
  readonly float: boolean;
  /** A plain, untagged `<<` (or `!!merge`): a merge when it is a key. */
  readonly merge: boolean;
  /** Written as an alias (`*name`): go-yaml merges an alias only of a mapping. */
  readonly alias: boolean;
}

/** Something in the document kubectl cannot read, or Charter refuses to guess about. */
export class YamlRefusal extends Error {
  override readonly name = "YamlRefusal";
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** A key read, waiting for its value. */
type PendingKey =
  | { readonly kind: "name"; readonly name: string; readonly offset: number }
  | { readonly kind: "merge"; readonly offset: number }
  | { readonly kind: "refused"; readonly message: string; readonly offset: number };

interface MapFrame {
  readonly kind: "map";
  readonly offset: number;
  readonly value: Record<string, unknown>;
  size: number;
  readonly anchor: string | undefined;
  /** Keys written in this mapping, with where: a second one is refused. */
  readonly seen: Map<string, number>;
  /** Keys set so far by a pair or a merge: a later merge may not set them again. */
  readonly set: Set<string>;
  key: PendingKey | undefined;
  /** The document's top-level mapping: its `items` list's item offsets are kept. */
  readonly top: boolean;
}

interface SeqFrame {
  readonly kind: "seq";
  readonly offset: number;
  readonly value: unknown[];
  size: number;
  readonly anchor: string | undefined;
  /** The offsets of the items, when this is the top-level `items` list. */
  readonly itemOffsets: number[] | undefined;
}

type Frame = MapFrame | SeqFrame;

/** One document read: its data (undefined when it has none) and where things are. */
export interface ComposedDocument {
  readonly value: unknown;
  /** Offset of the root node, or of the document when it is empty. */
  readonly offset: number;
  /** Offsets of the items of a top-level `items` list (NONE where an item has no text). */
  readonly itemOffsets: readonly number[];
}

/** go-yaml v2's allowedAliasRatio: how much of a document may come from aliases. */
function allowedAliasRatio(decodeCount: number): number {
  const low = 400_000;
  const high = 4_000_000;
  if (decodeCount <= low) return 0.99;
  if (decodeCount >= high) return 0.1;
  return 0.99 - (0.89 * (decodeCount - low)) / (high - low);
}

/** Sets a key as data: `__proto__` becomes an own property, never the object's prototype. */
function setKey(object: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") {
    Object.defineProperty(object, name, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else object[name] = value;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The full name of a tag as written (`!!int`, `!local`, `!<verbatim>`, `!h!x` after %TAG). */
function fullTag(raw: string, handles: ReadonlyMap<string, string>): string {
  if (raw.startsWith("!<") && raw.endsWith(">")) return decodeTag(raw.slice(2, -1));
  const end = raw.indexOf("!", 1);
  const handle = end === -1 ? "!" : raw.slice(0, end + 1);
  const prefix = handles.get(handle) ?? (handle === "!!" ? TAG : handle);
  return prefix + decodeTag(raw.slice(handle.length));
}

function decodeTag(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Where an event's node starts in the text: the first of its anchor, its tag and its value. */
function positionOf(event: Event): number {
  if (event.type === EVENT_ID.ALIAS) return event.anchorStart - 1;
  if (
    event.type !== EVENT_ID.SCALAR &&
    event.type !== EVENT_ID.MAPPING &&
    event.type !== EVENT_ID.SEQUENCE
  )
    return NONE;
  // A quoted scalar's value starts after its quote.
  const quoted =
    event.type === EVENT_ID.SCALAR &&
    (event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED);
  const value = event.type === EVENT_ID.SCALAR ? event.valueStart - (quoted ? 1 : 0) : event.start;
  let start = value;
  const earlier = (offset: number) => {
    if (offset !== NONE && (start === NONE || offset < start)) start = offset;
  };
  earlier(event.tagStart);
  if (event.anchorStart !== NONE) earlier(event.anchorStart - 1);
  return start;
}

/**
 * go-yaml's scanner wants a blank, a line break or (in a flow collection) a comma after a tag:
 * `{a: !!str}` does not parse for kubectl, though YAML reads it.
 */
function refuseTagEnd(text: string, event: { tagStart: number; tagEnd: number }): void {
  if (event.tagStart === NONE) return;
  const next = text.charCodeAt(event.tagEnd);
  if (Number.isNaN(next) || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d)
    return;
  if (next === 0x2c) return;
  throw new YamlRefusal(
    event.tagStart,
    "YAML does not parse for Kubernetes: a tag must be followed by a space or a line break",
  );
}

/** The name sigs.k8s.io/yaml gives a key in JSON, or why it has none. */
function keyOf(node: Node, offset: number): PendingKey {
  const refused = (why: string): PendingKey => ({
    kind: "refused",
    message: `${why}, which Kubernetes cannot turn into JSON`,
    offset,
  });
  if (node.merge) return { kind: "merge", offset };
  if (node.collection) return refused("a mapping key is a collection");
  const value = node.value;
  if (value === null || value === undefined) return refused("a mapping key is null");
  if (typeof value === "number") {
    // sigs.k8s.io/yaml names these keys as go-yaml writes them.
    if (Number.isNaN(value)) return { kind: "name", name: ".nan", offset };
    if (!Number.isFinite(value))
      return { kind: "name", name: value > 0 ? ".inf" : "-.inf", offset };
    if (node.uint64) return refused("a mapping key is an integer beyond int64");
    return { kind: "name", name: node.float ? goFloat32Name(value) : String(value), offset };
  }
  return { kind: "name", name: String(value), offset };
}

/**
 * Composes the documents of a text from js-yaml's events. Throws js-yaml's YAMLException on a
 * syntax error (the caller asks the reference reader for its words) and YamlRefusal on what
 * kubectl, or Charter, refuses. `lineOf` turns an offset into a 1-based line, for messages.
 */
export function composeDocuments(
  text: string,
  maxDepth: number,
  lineOf: (offset: number) => number,
): ComposedDocument[] {
  const events = parseEvents(text, { maxDepth });
  const documents: ComposedDocument[] = [];
  let handles = new Map<string, string>();
  let anchors = new Map<string, Node | "in progress">();
  const frames: Frame[] = [];
  let root: Node | undefined;
  let rootOffset = NONE;
  let itemOffsets: number[] = [];
  // go-yaml's counters for its aliasing limit (decode.go: decodeCount, aliasCount).
  let decodeCount = 0;
  let aliasCount = 0;

  /** Hands a finished node to the collection (or document) it is in. */
  const add = (node: Node, offset: number) => {
    const frame = frames[frames.length - 1];
    if (frame === undefined) {
      refuseNonFinite(node, offset);
      root = node;
      return;
    }
    frame.size += node.size;
    if (frame.kind === "seq") {
      refuseNonFinite(node, offset);
      frame.value.push(node.value);
      return;
    }
    const key = frame.key;
    if (key === undefined) {
      frame.key = keyOf(node, offset);
      return;
    }
    frame.key = undefined;
    if (key.kind === "refused") throw new YamlRefusal(key.offset, key.message);
    if (key.kind === "merge") {
      merge(frame, node, key.offset);
      return;
    }
    refuseNonFinite(node, offset);
    const first = frame.seen.get(key.name);
    if (first !== undefined) {
      throw new YamlRefusal(
        key.offset,
        `duplicate key ${JSON.stringify(key.name)} (first on line ${lineOf(first)}); keep one of them`,
      );
    }
    frame.seen.set(key.name, key.offset);
    frame.set.add(key.name);
    setKey(frame.value, key.name, node.value);
  };

  const refuseNonFinite = (node: Node, offset: number) => {
    if (typeof node.value === "number" && !Number.isFinite(node.value))
      throw new YamlRefusal(
        offset,
        "a value is .inf or .nan, which JSON (and so Kubernetes) cannot carry",
      );
  };

  /**
   * `<<: map`, `<<: *map` or `<<: [maps or aliases of maps]` (not an alias of a list): go-yaml
   * merges in order, the first of a list winning.
   */
  const merge = (frame: MapFrame, node: Node, offset: number) => {
    const sources = Array.isArray(node.value) ? node.value : [node.value];
    if (!sources.every(isMapping) || (node.alias && Array.isArray(node.value)))
      throw new YamlRefusal(
        offset,
        "YAML does not parse for Kubernetes: map merge requires map or sequence of maps as the value",
      );
    const merged = new Map<string, unknown>();
    for (const source of sources as Record<string, unknown>[])
      for (const name of Object.keys(source)) if (!merged.has(name)) merged.set(name, source[name]);
    for (const name of merged.keys())
      if (frame.set.has(name))
        throw new YamlRefusal(
          offset,
          `the merge key << comes after ${JSON.stringify(name)} is set: Kubernetes takes the later value, YAML the earlier; put << first, once`,
        );
    for (const [name, value] of merged) {
      setKey(frame.value, name, value);
      frame.set.add(name);
    }
  };

  const scalar = (event: ScalarEvent): Node => {
    refuseTagEnd(text, event);
    const source = getScalarValue(text, event);
    const plain = event.style === SCALAR_STYLE.PLAIN;
    const tag =
      event.tagStart === NONE
        ? undefined
        : fullTag(text.slice(event.tagStart, event.tagEnd), handles);
    if (event.style === SCALAR_STYLE.DOUBLE_QUOTED) {
      const raw = text.slice(event.valueStart, event.valueEnd);
      const bad = raw.includes("\\") ? badEscape(raw) : undefined;
      if (bad !== undefined)
        throw new YamlRefusal(positionOf(event), `YAML does not parse for Kubernetes: ${bad}`);
    }
    const read = goScalar(source, plain, tag);
    if ("error" in read)
      throw new YamlRefusal(positionOf(event), `YAML does not parse for Kubernetes: ${read.error}`);
    const merge = source === "<<" && ((plain && tag === undefined) || tag === MERGE);
    return {
      value: read.value,
      collection: false,
      size: 1,
      uint64: read.uint64 === true,
      float: read.float === true,
      merge,
      alias: false,
    };
  };

  const anchorOf = (event: { anchorStart: number; anchorEnd: number }) =>
    event.anchorStart === NONE ? undefined : text.slice(event.anchorStart, event.anchorEnd);

  /** The item offsets to keep for a sequence starting here, if it is the top-level `items`. */
  const itemsList = (): number[] | undefined => {
    const frame = frames[frames.length - 1];
    return frame?.kind === "map" &&
      frame.top &&
      frame.key?.kind === "name" &&
      frame.key.name === "items"
      ? []
      : undefined;
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        handles = new Map();
        for (const directive of event.directives)
          if (directive.kind === "tag") handles.set(directive.handle, directive.prefix);
        anchors = new Map();
        root = undefined;
        rootOffset = NONE;
        itemOffsets = [];
        decodeCount = 1; // the document node
        aliasCount = 0;
        break;
      case EVENT_ID.SCALAR: {
        const offset = positionOf(event);
        if (frames.length === 0) rootOffset = offset;
        noteItem(frames, offset);
        const node = scalar(event);
        if (!node.merge) decodeCount++;
        const anchor = anchorOf(event);
        if (anchor !== undefined) anchors.set(anchor, node);
        add(node, offset);
        break;
      }
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const offset = positionOf(event);
        if (frames.length === 0) rootOffset = offset;
        noteItem(frames, offset);
        refuseTagEnd(text, event);
        decodeCount++;
        const anchor = anchorOf(event);
        if (anchor !== undefined) anchors.set(anchor, "in progress");
        frames.push(
          event.type === EVENT_ID.MAPPING
            ? {
                kind: "map",
                offset,
                value: {},
                size: 1,
                anchor,
                seen: new Map(),
                set: new Set(),
                key: undefined,
                top: frames.length === 0,
              }
            : { kind: "seq", offset, value: [], size: 1, anchor, itemOffsets: itemsList() },
        );
        break;
      }
      case EVENT_ID.ALIAS: {
        const offset = positionOf(event);
        if (frames.length === 0) rootOffset = offset;
        noteItem(frames, offset);
        const name = text.slice(event.anchorStart, event.anchorEnd);
        const target = anchors.get(name);
        if (target === undefined)
          throw new YamlRefusal(
            offset,
            `YAML does not parse for Kubernetes: unknown anchor '${name}' referenced`,
          );
        if (target === "in progress")
          throw new YamlRefusal(
            offset,
            `YAML does not parse for Kubernetes: anchor '${name}' value contains itself`,
          );
        decodeCount += 1 + target.size;
        aliasCount += target.size;
        if (
          aliasCount > 100 &&
          decodeCount > 1000 &&
          aliasCount / decodeCount > allowedAliasRatio(decodeCount)
        )
          throw new YamlRefusal(
            offset,
            `YAML aliases expand too much (kubectl's limit: most of a document may not come from aliases; a "billion laughs" bomb?); the document was not read`,
          );
        add({ ...target, size: 1 + target.size, merge: false, alias: true }, offset);
        break;
      }
      case EVENT_ID.POP: {
        const frame = frames.pop();
        if (frame === undefined) {
          documents.push({ value: root?.value, offset: rootOffset, itemOffsets });
          break;
        }
        if (frame.kind === "map" && frame.key !== undefined)
          throw new YamlRefusal(frame.key.offset, "a mapping key has no value");
        if (frame.kind === "seq" && frame.itemOffsets !== undefined)
          itemOffsets = frame.itemOffsets;
        const node: Node = {
          value: frame.value,
          collection: true,
          size: frame.size,
          uint64: false,
          float: false,
          merge: false,
          alias: false,
        };
        if (frame.anchor !== undefined) anchors.set(frame.anchor, node);
        add(node, frame.offset);
        break;
      }
    }
  }
  return documents;
}

/** Keeps an item's offset when the sequence being filled is the top-level `items` list. */
function noteItem(frames: readonly Frame[], offset: number): void {
  const frame = frames[frames.length - 1];
  if (frame?.kind === "seq" && frame.itemOffsets !== undefined) frame.itemOffsets.push(offset);
}
