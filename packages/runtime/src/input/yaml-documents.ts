/**
 * Reads the YAML documents of a text (JSON is YAML; the loader passes one document at a time)
 * and converts each to plain JSON data, with the line it starts on. Every failure is a one-line
 * problem for that document alone.
 *
 * YAML flavour: Kubernetes reads manifests with sigs.k8s.io/yaml over go-yaml v2, where
 * `privileged: yes` is `true` and `mode: 0644` is octal. Reading them as YAML 1.2 would turn
 * `yes` into a string and silently pass a privileged container.
 *
 * Two readers. The fast one (yaml-events.ts) composes js-yaml's parser events with go-yaml's
 * rules and gives every value. The yaml package (readDocumentsWithYamlPackage: parsed as YAML
 * 1.1, merge keys on, timestamps and `!!binary`/`!!set`/`!!omap`/`!!pairs` not special, then
 * go-yaml-scalars.ts) explains a syntax error the fast reader found in plainer words; it is
 * the whole reader only when CHARTER_YAML_READER=yaml-package (to compare the two).
 */
import { explainYamlError, parserWords } from "@charter/ir";
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
import { readScalarsAsKubectl } from "./go-yaml-scalars.js";
import { composeDocuments, YamlRefusal } from "./yaml-events.js";

/** Alias expansions allowed per document, weighted by size (the yaml package's measure). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Deepest nesting of mappings and sequences read. Real manifests stay under 50 levels; the
 * limit keeps the recursive YAML composer and every engine after it far from the stack's end,
 * so 10,000 levels are one clear problem rather than a crash whose depth depends on the stack.
 */
export const MAX_NESTING_DEPTH = 512;

const TOO_DEEP = `YAML is nested more than ${MAX_NESTING_DEPTH} levels deep; the document was not read`;

const DROPPED_TAGS = new Set(
  ["binary", "omap", "pairs", "set", "timestamp"].map((t) => `tag:yaml.org,2002:${t}`),
);

const YAML_OPTIONS = {
  version: "1.1",
  // The yaml package finds a repeated key by comparing each key with all before it: 20,000
  // keys took 21 s. readScalarsAsKubectl (go-yaml-scalars.ts) does it in one pass.
  uniqueKeys: false,
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
      /** The YAML parser's own words, when `message` says it in plainer ones. */
      readonly detail?: string;
    };

/** The first line of a yaml error, without the code frame the package appends. */
const firstLine = parserWords;

function startOffset(doc: Document.Parsed<ParsedNode>): number {
  return doc.contents?.range[0] ?? doc.range[0];
}

function itemLinesOf(doc: Document.Parsed<ParsedNode>, lines: Lines): number[] {
  if (!isMap(doc.contents)) return [];
  const items = doc.contents.get("items", true);
  if (!isSeq(items)) return [];
  return items.items.map((item) => {
    const offset = (item as { range?: [number, number, number] }).range?.[0];
    return offset === undefined ? 0 : lines.linePos(offset).line;
  });
}

function outcomeOf(doc: Document.Parsed<ParsedNode>, text: string, lines: Lines): DocumentOutcome {
  const start = lines.linePos(startOffset(doc));
  const error = doc.errors[0];
  if (error !== undefined) {
    if (/call stack/i.test(error.message)) return problemAt(lines, error.pos[0], TOO_DEEP);
    // The line to change, in plain words; the parser's words as the detail.
    const explained = explainYamlError(
      { code: error.code, message: error.message, offset: error.pos[0] },
      text,
      (line) => `line ${lines.linePos(line.start).line}`,
    );
    const at = lines.linePos(explained.offset);
    return {
      kind: "problem",
      line: at.line,
      column: at.col,
      message: explained.message,
      ...(explained.message.endsWith(explained.detail) ? {} : { detail: explained.detail }),
    };
  }
  const refused = readScalarsAsKubectl(doc, text, (offset) => lines.linePos(offset).line);
  if (refused !== undefined) {
    const at = lines.linePos(refused.offset);
    return { kind: "problem", line: at.line, column: at.col, message: refused.message };
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

type Node = CST.Token | null | undefined;

/** Offsets to 1-based lines and columns, in the file the text was cut from. */
interface Lines {
  linePos(offset: number): { line: number; col: number };
}

/**
 * Where the collections of a CST node nest deeper than the limit, or `undefined`. Walks with
 * an explicit stack: the point is to look at nesting the recursive composer cannot survive.
 */
function tooDeepAt(root: Node): number | undefined {
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    if (!node) continue;
    if (node.type === "block-map" || node.type === "block-seq" || node.type === "flow-collection") {
      if (depth + 1 > MAX_NESTING_DEPTH) return node.offset;
      for (const item of node.items) {
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

function problemAt(lines: Lines, offset: number, message: string): DocumentOutcome {
  const at = lines.linePos(offset);
  return { kind: "problem", line: at.line, column: at.col, message };
}

/**
 * The documents of a text as the yaml package reads them (the reference reader), in order;
 * nothing in the text makes it throw. `startLine` is the line of the file the text starts on.
 */
export function readDocumentsWithYamlPackage(text: string, startLine = 1): DocumentOutcome[] {
  const counter = new LineCounter();
  const lines: Lines = {
    linePos(offset) {
      const at = counter.linePos(offset);
      return { line: at.line + startLine - 1, col: at.col };
    },
  };
  let tokens: CST.Token[];
  try {
    tokens = [...new Parser(counter.addNewLine).parse(text)];
  } catch (error) {
    // The yaml parser recurses on some nesting: thousands of levels exhaust the stack.
    const message =
      error instanceof RangeError
        ? TOO_DEEP
        : `YAML cannot be read: ${firstLine(error instanceof Error ? error.message : String(error))}`;
    return [problemAt(lines, 0, message)];
  }
  let composer = new Composer(YAML_OPTIONS);
  const outcomes: DocumentOutcome[] = [];
  const take = (docs: Iterable<Document.Parsed<ParsedNode>>) => {
    for (const doc of docs) outcomes.push(outcomeOf(doc, text, lines));
  };
  let afterSkipped = false;
  for (const token of tokens) {
    // The `...` closing a skipped document must not reach the composer, which would report it.
    if (afterSkipped && token.type === "doc-end") continue;
    if (token.type !== "space" && token.type !== "newline" && token.type !== "comment") {
      afterSkipped = false;
    }
    if (token.type === "document") {
      const deepAt = tooDeepAt(token.value);
      if (deepAt !== undefined) {
        take(composer.end()); // keep document order
        composer = new Composer(YAML_OPTIONS);
        outcomes.push(problemAt(lines, deepAt, TOO_DEEP));
        afterSkipped = true;
        continue;
      }
    }
    try {
      take(composer.next(token));
    } catch (error) {
      outcomes.push(
        problemAt(
          lines,
          token.offset,
          error instanceof RangeError
            ? TOO_DEEP
            : `YAML cannot be read: ${firstLine(error instanceof Error ? error.message : String(error))}`,
        ),
      );
      composer = new Composer(YAML_OPTIONS); // start afresh with the next document
    }
  }
  take(composer.end());
  // Errors outside any document (a stray `...`, a bad directive at the end) have no document
  // to carry them.
  for (const error of composer.streamInfo().errors) {
    outcomes.push(
      problemAt(lines, error.pos[0], `YAML does not parse: ${firstLine(error.message)}`),
    );
  }
  return outcomes;
}

/** Offsets to lines and columns through an index of the text's line starts, made on first use. */
function lineIndex(text: string, startLine: number): Lines {
  let starts: number[] | undefined;
  return {
    linePos(offset) {
      if (starts === undefined) {
        starts = [0];
        for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1))
          starts.push(at + 1);
      }
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if ((starts[middle] as number) <= offset) low = middle;
        else high = middle - 1;
      }
      return { line: low + startLine, col: offset - (starts[low] as number) + 1 };
    },
  };
}

/** The line a document without data is told on: its `---`, else its first line of text. */
function emptyDocumentOffset(text: string): number {
  const marker = /^---/m.exec(text);
  if (marker !== null) return marker.index;
  const content = /^[^\s#%]/m.exec(text);
  return content === null ? 0 : content.index;
}

/** Why js-yaml's parser stopped, and where. */
function syntaxError(error: unknown): { offset: number; reason: string } {
  const { reason, mark } = error as { reason?: unknown; mark?: { position?: unknown } };
  return {
    offset: typeof mark?.position === "number" ? mark.position : 0,
    reason: typeof reason === "string" ? reason : String(error),
  };
}

/** The fast reader (yaml-events.ts), with the yaml package's words for a syntax error. */
function readDocumentsFast(original: string, startLine: number): DocumentOutcome[] {
  // kubectl's line reader (k8s.io/apimachinery's LineReader, bufio ReadLine) ends every line
  // with "\n" in place of a "\r\n": `one\r\r\n` reaches go-yaml as `one\r\n`, one line break.
  // Only line ends change, so every line and column stays where it was.
  const text = original.includes("\r") ? original.replaceAll("\r\n", "\n") : original;
  const lines = lineIndex(text, startLine);
  try {
    // js-yaml refuses a depth equal to its maxDepth; the limit is the deepest allowed.
    return composeDocuments(
      text,
      MAX_NESTING_DEPTH + 1,
      (offset) => lines.linePos(offset).line,
    ).map((document): DocumentOutcome => {
      if (document.value === null || document.value === undefined) {
        const at = document.offset >= 0 ? document.offset : emptyDocumentOffset(text);
        return { kind: "empty", line: lines.linePos(at).line };
      }
      return {
        kind: "value",
        line: lines.linePos(Math.max(document.offset, 0)).line,
        value: document.value,
        itemLines: document.itemOffsets.map((offset) =>
          offset < 0 ? 0 : lines.linePos(offset).line,
        ),
      };
    });
  } catch (error) {
    if (error instanceof YamlRefusal)
      return [problemAt(lines, Math.max(error.offset, 0), error.message)];
    const { offset, reason } = syntaxError(error);
    // The reference reader only words the error (and places it: js-yaml's position of a flow
    // collection too deep is one past its bracket); its data, if it has any, is never used.
    const explained = readDocumentsWithYamlPackage(original, startLine).filter(
      (outcome) => outcome.kind === "problem",
    );
    if (explained.length > 0) return explained;
    if (/maxDepth/.test(reason) || error instanceof RangeError)
      return [problemAt(lines, offset, TOO_DEEP)];
    return [problemAt(lines, offset, `YAML does not parse: ${reason}`)];
  }
}

/**
 * Which reader gives the data: `fast` (yaml-events.ts) unless CHARTER_YAML_READER=yaml-package
 * (read once, at load), for comparing the two. The loader differential asserts `fast`.
 */
export const YAML_READER: "fast" | "yaml-package" =
  process.env.CHARTER_YAML_READER === "yaml-package" ? "yaml-package" : "fast";

/**
 * The documents of a text in order; nothing in the text makes it throw. `startLine` is the
 * line of the file the text starts on.
 */
export function readDocuments(text: string, startLine = 1): DocumentOutcome[] {
  return YAML_READER === "yaml-package"
    ? readDocumentsWithYamlPackage(text, startLine)
    : readDocumentsFast(text, startLine);
}
