/**
 * Reads Kubernetes objects from files, folders and stdin, as a stream: each file is cut into
 * documents as its bytes arrive, and each document is parsed, yielded and dropped before the
 * next, so 100,000 documents take the memory of one. Nothing a user can feed it makes it
 * throw: every bad input is one `problem` (file, line and column where known, one-line
 * message) and the scan goes on with the next document; a document that is not a Kubernetes
 * object is `skipped` with the reason.
 */
import { createReadStream } from "node:fs";
import type { Resource } from "../types.js";
import { DocumentSplitter, type RawDocument } from "./document-splitter.js";
import { describeFsError, fileFilter, listInput } from "./files.js";
import { readDocumentObjects } from "./kubernetes-object.js";
import { decodeText, positionOfByte } from "./utf8.js";
import { readDocuments } from "./yaml-documents.js";

/** 16 MiB, as Kubernetes' own request size limit is about 3 MiB and etcd's 1.5: generous. */
export const DEFAULT_MAX_DOCUMENT_SIZE = 16 * 1024 * 1024;

/** How stdin is named in sources and problems. */
export const STDIN_NAME = "<stdin>";

/**
 * A file whose first bytes hold a NUL is binary (as git decides): it is reported once, as a
 * problem, and not read further. A file a folder scan picked was meant to be a manifest; leave
 * it out with an exclude glob.
 */
const BINARY_SNIFF_BYTES = 8000;

const READ_CHUNK_BYTES = 64 * 1024;

export interface LoadOptions {
  /** Largest document read, in UTF-8 bytes (default 16 MiB). */
  readonly maxDocumentSize?: number;
  /** What `-` reads (default `process.stdin`). */
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * Globs a folder's files must match to be read, relative to that folder (picomatch; default
   * `**\/*.{yaml,yml,json}`, any case). Files named as inputs are always read.
   */
  readonly include?: readonly string[];
  /** Globs of files, or folders with all they hold, a folder scan leaves out. */
  readonly exclude?: readonly string[];
  /**
   * Documents to read, judged on their bytes before they are parsed: one it refuses (and one
   * over the size limit) gives no event at all. For a first pass that only wants some kinds.
   */
  readonly documentFilter?: (bytes: Uint8Array) => boolean;
}

export interface SkippedDocument {
  readonly source: { readonly file: string; readonly line: number };
  readonly reason: string;
  /** The Helm template the document was rendered from (its `# Source:` comment). */
  readonly helmSource?: string;
}

/** Input that could not be read; the CLI prints it as `file:line:column: error: message`. */
export interface LoadProblem {
  readonly file: string;
  /** Absent when nothing of the file could be read (it is missing, a folder is locked, …). */
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  /** The YAML parser's own words for it, when `message` puts them plainer. */
  readonly detail?: string;
  /** The Helm template the document was rendered from (its `# Source:` comment). */
  readonly helmSource?: string;
}

/** One thing the stream found, in input order. */
export type LoadEvent =
  | {
      readonly kind: "resource";
      readonly resource: Resource;
      /** The Helm template the object was rendered from (its `# Source:` comment). */
      readonly helmSource?: string;
    }
  | { readonly kind: "problem"; readonly problem: LoadProblem }
  | { readonly kind: "skipped"; readonly skipped: SkippedDocument };

export interface LoadResult {
  readonly resources: Resource[];
  readonly skipped: SkippedDocument[];
  readonly problems: LoadProblem[];
}

function problem(problem: LoadProblem): LoadEvent {
  return { kind: "problem", problem };
}

/**
 * A character YAML does not allow anywhere in a stream (its c-printable set): go-yaml, and so
 * kubectl, refuses the stream with "control characters are not allowed"; the `yaml` package
 * would read it. A JSON stream (kubectl's guess: its first non-space byte is `{`) is read by a
 * JSON decoder, which takes them raw in strings.
 */
const NOT_YAML_PRINTABLE = /[^\t\n\r\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The events of one document the splitter cut out. */
function* documentEvents(
  file: string,
  raw: RawDocument,
  maxDocumentSize: number,
  yamlStream: boolean,
) {
  const helm = raw.helmSource !== undefined ? { helmSource: raw.helmSource } : {};
  if (raw.bytes === undefined) {
    yield problem({
      file,
      line: raw.dataLine ?? raw.line,
      column: 1,
      message: `document is ${raw.size} bytes, over the ${maxDocumentSize}-byte limit; split it or raise --max-document-size`,
      ...helm,
    });
    return;
  }
  if (raw.refusal !== undefined) {
    yield problem({
      file,
      line: raw.dataLine ?? raw.line,
      column: 1,
      message: raw.refusal,
      ...helm,
    });
    return;
  }
  const decoded = decodeText(raw.bytes, raw.offset);
  if (!decoded.ok) {
    const at = positionOfByte(raw.bytes, decoded.offset);
    const line = raw.line + at.line - 1;
    yield problem({ file, line, column: at.column, message: decoded.reason, ...helm });
    return;
  }
  const unprintable = yamlStream ? NOT_YAML_PRINTABLE.exec(decoded.text) : null;
  if (unprintable !== null) {
    const before = decoded.text.slice(0, unprintable.index);
    const lineStart = before.lastIndexOf("\n") + 1;
    const code = (unprintable[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
    yield problem({
      file,
      line: raw.line + (before.match(/\n/g)?.length ?? 0),
      column: [...before.slice(lineStart)].length + 1,
      message: `contains the control character U+${code}, which YAML does not allow (kubectl refuses the stream); remove it, or write it as "\\u${code}" in a double-quoted string`,
      ...helm,
    });
    return;
  }
  for (const document of readDocuments(decoded.text, raw.line)) {
    const { line } = document;
    if (document.kind === "problem") {
      const { column, message, detail } = document;
      yield problem({
        file,
        line,
        ...(column !== undefined ? { column } : {}),
        message,
        ...(detail !== undefined ? { detail } : {}),
        ...helm,
      });
      continue;
    }
    if (document.kind === "empty") {
      yield {
        kind: "skipped",
        skipped: { source: { file, line }, reason: "empty document", ...helm },
      } satisfies LoadEvent;
      continue;
    }
    const reading = readDocumentObjects(document.value);
    if (reading.kind === "skip") {
      yield {
        kind: "skipped",
        skipped: { source: { file, line }, reason: reading.reason, ...helm },
      } satisfies LoadEvent;
      continue;
    }
    // An item is reported on its own line in the List (a nested List's items on its line).
    const lineOf = (item: number | undefined) =>
      item === undefined ? line : document.itemLines[item] || line;
    for (const { object, item } of reading.objects) {
      const source = { file, line: lineOf(item) };
      yield { kind: "resource", resource: { object, source }, ...helm } satisfies LoadEvent;
    }
    for (const { message, item } of reading.errors) {
      yield problem({ file, line: lineOf(item), column: 1, message, ...helm });
    }
  }
}

function cannotRead(file: string, error: unknown): LoadEvent {
  return problem({ file, message: `cannot read: ${describeFsError(error)}` });
}

/** The events of one file or of stdin, read chunk by chunk. */
async function* streamFile(
  file: string,
  open: () => NodeJS.ReadableStream,
  maxDocumentSize: number,
  documentFilter?: (bytes: Uint8Array) => boolean,
): AsyncGenerator<LoadEvent> {
  const wanted = (raw: RawDocument) =>
    documentFilter === undefined || (raw.bytes !== undefined && documentFilter(raw.bytes));
  const splitter = new DocumentSplitter(maxDocumentSize);
  let events = 0;
  let first = true;
  let yamlStream = true;
  try {
    for await (const chunk of open()) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Uint8Array);
      if (first) {
        first = false;
        // kubectl's GuessJSONStream: the stream is JSON when it starts with `{` after spaces.
        yamlStream = !/^\s*\{/.test(Buffer.from(bytes.subarray(0, 1024)).toString("utf8"));
        const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
        if (nul >= 0) {
          const at = positionOfByte(bytes, nul);
          yield problem({
            file,
            line: at.line,
            column: at.column,
            message: `contains a NUL byte at byte ${nul}: binary data, not YAML or JSON text`,
          });
          return; // leaving the loop closes the stream
        }
      }
      for (const raw of splitter.push(bytes)) {
        if (!wanted(raw)) continue;
        for (const event of documentEvents(file, raw, maxDocumentSize, yamlStream)) {
          events++;
          yield event;
        }
      }
    }
    for (const raw of splitter.end()) {
      if (!wanted(raw)) continue;
      for (const event of documentEvents(file, raw, maxDocumentSize, yamlStream)) {
        events++;
        yield event;
      }
    }
  } catch (error) {
    yield cannotRead(file, error);
    return;
  }
  if (events === 0) {
    yield {
      kind: "skipped",
      skipped: { source: { file, line: 1 }, reason: "empty file: no YAML document" },
    };
  }
}

/**
 * Streams every input in order: a file, a folder (its files matching `include` and not
 * `exclude`, recursively, sorted; dot-folders and node_modules skipped) or `-` for stdin.
 * Multi-document YAML, JSON, `List` kinds (one resource per item, on the item's line), Helm
 * and Kustomize output. Each resource's `source` is its file and the line its data starts on.
 */
export async function* streamResources(
  inputs: readonly string[],
  options: LoadOptions = {},
): AsyncGenerator<LoadEvent> {
  const maxDocumentSize = options.maxDocumentSize ?? DEFAULT_MAX_DOCUMENT_SIZE;
  const filter = fileFilter(options.include, options.exclude);
  for (const input of inputs) {
    if (input === "-") {
      yield* streamFile(
        STDIN_NAME,
        () => options.stdin ?? process.stdin,
        maxDocumentSize,
        options.documentFilter,
      );
      continue;
    }
    for await (const listed of listInput(input, filter)) {
      if (listed.kind === "unreadable") {
        yield cannotRead(listed.path, listed.error);
        continue;
      }
      if (listed.kind === "special") {
        const reason = `not read: ${listed.what}, and a folder scan reads regular files only (name it as an input to read it)`;
        yield { kind: "skipped", skipped: { source: { file: listed.path, line: 1 }, reason } };
        continue;
      }
      const open = () => createReadStream(listed.path, { highWaterMark: READ_CHUNK_BYTES });
      yield* streamFile(listed.path, open, maxDocumentSize, options.documentFilter);
    }
  }
}

/** Every event of `streamResources`, collected: for callers that need all resources at once. */
export async function loadResources(
  inputs: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const out: LoadResult = { resources: [], skipped: [], problems: [] };
  for await (const event of streamResources(inputs, options)) {
    if (event.kind === "resource") out.resources.push(event.resource);
    else if (event.kind === "skipped") out.skipped.push(event.skipped);
    else out.problems.push(event.problem);
  }
  return out;
}
