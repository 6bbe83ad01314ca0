/**
 * Splits a text into YAML documents (JSON is YAML) and converts each to plain JSON data, with
 * the line each starts on. Every failure is a one-line problem for that document alone; the
 * other documents of the file are still read.
 *
 * YAML flavour: Kubernetes reads manifests with go-yaml v2 (YAML 1.1), where `privileged: yes`
 * is `true` and `mode: 0644` is octal. Reading them as YAML 1.2 would turn `yes` into a string
 * and silently pass a privileged container, so we read YAML 1.1 — minus what go-yaml does not
 * do when decoding into plain data: timestamps stay strings, `1:20` is not a base-60 number,
 * and `!!binary`, `!!set`, `!!omap`, `!!pairs` are not special.
 */
import {
  Composer,
  type CST,
  type Document,
  isMap,
  isSeq,
  LineCounter,
  type ParsedNode,
  Parser,
  type Tags,
} from "yaml";

/** Alias expansions allowed per document, weighted by size (the yaml package's measure). */
export const MAX_ALIAS_COUNT = 100;

const DROPPED_TAGS = new Set(
  ["binary", "omap", "pairs", "set", "timestamp"].map((t) => `tag:yaml.org,2002:${t}`),
);

const YAML_OPTIONS = {
  version: "1.1",
  customTags: (tags: Tags) =>
    tags.filter((tag) => {
      const { format, tag: name } = tag as { format?: string; tag: string };
      return format !== "TIME" && !DROPPED_TAGS.has(name);
    }),
} as const;

export type DocumentOutcome =
  | {
      readonly kind: "value";
      readonly line: number;
      readonly value: unknown;
      /** 1-based start lines of the elements of a top-level `items` list, when there is one. */
      readonly itemLines: readonly number[];
    }
  | { readonly kind: "empty"; readonly line: number }
  | {
      readonly kind: "problem";
      readonly line: number;
      readonly column?: number;
      readonly message: string;
    };

/** The first line of a yaml error, without the code frame the package appends. */
function firstLine(message: string): string {
  const head = message.split("\n", 1)[0] ?? message;
  return head.replace(/ at line \d+, column \d+:?$/, "").trim();
}

function startOffset(doc: Document.Parsed<ParsedNode>): number {
  return doc.contents?.range[0] ?? doc.range[0];
}

function itemLinesOf(doc: Document.Parsed<ParsedNode>, lines: LineCounter): number[] {
  if (!isMap(doc.contents)) return [];
  const items = doc.contents.get("items", true);
  if (!isSeq(items)) return [];
  return items.items.map((item) => {
    const offset = (item as { range?: [number, number, number] }).range?.[0];
    return offset === undefined ? 0 : lines.linePos(offset).line;
  });
}

function outcomeOf(doc: Document.Parsed<ParsedNode>, lines: LineCounter): DocumentOutcome {
  const start = lines.linePos(startOffset(doc));
  const error = doc.errors[0];
  if (error !== undefined) {
    const at = lines.linePos(error.pos[0]);
    return {
      kind: "problem",
      line: at.line,
      column: at.col,
      message: /call stack/i.test(error.message)
        ? "YAML is nested too deeply to read (thousands of levels); the document was not read"
        : `YAML does not parse: ${firstLine(error.message)}`,
    };
  }
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    // Nothing after `---`, only comments, or `~`: a document with no data in it.
    if (value === null || value === undefined) {
      return { kind: "empty", line: lines.linePos(doc.range[0]).line };
    }
    return { kind: "value", line: start.line, value, itemLines: itemLinesOf(doc, lines) };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const message = /alias/i.test(text)
      ? `YAML aliases expand too much (limit ${MAX_ALIAS_COUNT}, a "billion laughs" bomb?); the document was not read`
      : `YAML cannot be converted to data: ${firstLine(text)}`;
    return { kind: "problem", line: start.line, column: start.col, message };
  }
}

function tooDeep(error: unknown, what: "file" | "document"): string {
  if (error instanceof RangeError) {
    return `YAML is nested too deeply to read (thousands of levels); the ${what} was not read`;
  }
  return `YAML cannot be read: ${firstLine(error instanceof Error ? error.message : String(error))}`;
}

/** UTF-8 size of text[from, to), computed exactly only when it could matter. */
function overLimit(text: string, from: number, to: number, limit: number): number | undefined {
  const units = to - from;
  if (units * 3 <= limit) return undefined; // a UTF-16 unit is at most 3 UTF-8 bytes
  const bytes = Buffer.byteLength(text.slice(from, to), "utf8");
  return bytes > limit ? bytes : undefined;
}

/**
 * The documents of a text in order. A document over `maxDocumentSize` bytes is reported and
 * never composed, so its size costs no more than tokenising it.
 */
export function readDocuments(text: string, maxDocumentSize: number): DocumentOutcome[] {
  const lines = new LineCounter();
  let tokens: CST.Token[];
  try {
    tokens = [...new Parser(lines.addNewLine).parse(text)];
  } catch (error) {
    // The yaml parser recurses per nesting level: thousands of levels exhaust the stack.
    return [{ kind: "problem", line: 1, message: tooDeep(error, "file") }];
  }
  let composer = new Composer(YAML_OPTIONS);
  const outcomes: DocumentOutcome[] = [];
  const take = (docs: Iterable<Document.Parsed<ParsedNode>>) => {
    for (const doc of docs) outcomes.push(outcomeOf(doc, lines));
  };
  let afterSkipped = false;
  tokens.forEach((token, index) => {
    // The `...` closing a skipped document must not reach the composer, which would report it.
    const closesSkipped = afterSkipped && token.type === "doc-end";
    if (token.type !== "space" && token.type !== "newline" && token.type !== "comment") {
      afterSkipped = false;
    }
    if (closesSkipped) return;
    if (token.type === "document") {
      const end = tokens[index + 1]?.offset ?? text.length;
      const bytes = overLimit(text, token.offset, end, maxDocumentSize);
      if (bytes !== undefined) {
        take(composer.end()); // flush what came before, keeping document order
        const at = lines.linePos(token.value?.offset ?? token.offset); // where its data starts
        outcomes.push({
          kind: "problem",
          line: at.line,
          column: at.col,
          message: `document is ${bytes} bytes, over the ${maxDocumentSize}-byte limit; split it or raise --max-document-size`,
        });
        afterSkipped = true;
        return;
      }
    }
    try {
      take(composer.next(token));
    } catch (error) {
      const at = lines.linePos(token.offset);
      outcomes.push({
        kind: "problem",
        line: at.line,
        column: at.col,
        message: tooDeep(error, "document"),
      });
      composer = new Composer(YAML_OPTIONS); // start afresh with the next document
    }
  });
  take(composer.end());
  // Errors outside any document (a stray `...`, a bad directive at the end) have no document
  // to carry them.
  for (const error of composer.streamInfo().errors) {
    const at = lines.linePos(error.pos[0]);
    outcomes.push({
      kind: "problem",
      line: at.line,
      column: at.col,
      message: `YAML does not parse: ${firstLine(error.message)}`,
    });
  }
  return outcomes;
}
