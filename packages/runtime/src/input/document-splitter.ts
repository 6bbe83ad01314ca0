/**
 * Cuts a byte stream into YAML documents without parsing it, so a file of 100,000 documents is
 * read one document at a time. YAML forbids `---` and `...` at the start of a line inside a
 * document's content (they are always markers there, even in quoted and block scalars), so
 * cutting at those lines gives the same documents the YAML parser would find.
 *
 * Each piece holds at most one document: the comments and `%` directives before a `---` travel
 * with the document they precede, and a document after `...` may start without `---`.
 * A document over the size limit is counted but not kept, so memory stays bounded by the limit
 * however large the input is; a line is only buffered up to its first `HEAD_SIZE` bytes.
 */

/** One document's bytes and where it is in its file. */
export interface RawDocument {
  /** The bytes (markers and comments included); `undefined` when over the size limit. */
  readonly bytes: Uint8Array | undefined;
  /** Its size in bytes, counted even when not kept. */
  readonly size: number;
  /** 1-based line of its first byte. */
  readonly line: number;
  /** 0-based offset of its first byte in the file. */
  readonly offset: number;
  /** 1-based line where its data starts (past `---`, comments and directives), if any. */
  readonly dataLine?: number;
  /** The template Helm rendered it from: its `# Source: chart/templates/x.yaml` comment. */
  readonly helmSource?: string;
  /** Why Kubernetes would not read this document as YAML says it is: an error, not parsed. */
  readonly refusal?: string;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const DASH = 0x2d;
const DOT = 0x2e;
const HASH = 0x23;
const PERCENT = 0x25;

/** How much of a line is kept to classify it; the rest streams through untouched. */
const HEAD_SIZE = 4096;

const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/;
const latin = new TextDecoder("utf-8");

type LineKind = "start" | "bad-start" | "end" | "directive" | "blank" | "comment" | "data";

function isSpace(byte: number | undefined): boolean {
  return byte === SPACE || byte === TAB;
}

/** After `---` or `...`: the line must end or go on with white space to be a marker. */
function isMarker(head: Uint8Array, from: number, char: number): boolean {
  if (head[from] !== char || head[from + 1] !== char || head[from + 2] !== char) return false;
  const next = head[from + 3];
  return next === undefined || isSpace(next) || next === CR || next === NEWLINE;
}

/** The first byte that is not a space or tab from `from`, or `undefined` at the line's end. */
function firstNonSpace(head: Uint8Array, from: number): number | undefined {
  let i = from;
  while (isSpace(head[i])) i++;
  const byte = head[i];
  return byte === undefined || byte === CR || byte === NEWLINE ? undefined : byte;
}

/** Go's strings.TrimSpace, on the ASCII white space a line can hold. */
function isGoSpace(byte: number | undefined): boolean {
  return (
    byte === SPACE ||
    byte === TAB ||
    byte === CR ||
    byte === NEWLINE ||
    byte === 0x0b ||
    byte === 0x0c
  );
}

/**
 * kubectl's document separator (apimachinery's YAMLReader): a line that starts with `---`
 * and holds nothing after it but white space or a comment (`---#x` too, which YAML would not
 * call a marker). Anything else after a leading `---` (`--- {a: 1}`, `----`) makes kubectl
 * refuse the stream: "invalid Yaml document separator".
 */
function separator(head: Uint8Array): "start" | "bad-start" | undefined {
  if (head[0] !== DASH || head[1] !== DASH || head[2] !== DASH) return undefined;
  let i = 3;
  while (isGoSpace(head[i])) i++;
  return head[i] === undefined || head[i] === HASH ? "start" : "bad-start";
}

function classify(head: Uint8Array, from: number): LineKind {
  const marker = separator(head.subarray(from));
  if (marker !== undefined) return marker;
  if (isMarker(head, from, DOT)) return "end";
  if (head[from] === PERCENT) return "directive"; // `%` cannot start plain data at column 0
  const first = firstNonSpace(head, from);
  if (first === undefined) return "blank";
  return first === HASH ? "comment" : "data";
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return Buffer.concat(parts, size);
}

export class DocumentSplitter {
  readonly #maxSize: number;
  /** Line and byte offset of the next byte. */
  #line = 1;
  #offset = 0;
  /** The head of the current line, while it is shorter than HEAD_SIZE and has not ended. */
  #head: Uint8Array[] = [];
  #headSize = 0;
  /** The current line was classified; its remaining bytes go straight into the document. */
  #inTail = false;
  #firstLine = true;

  // The document being gathered.
  #parts: Uint8Array[] = [];
  #size = 0;
  #start = { line: 1, offset: 0 };
  #hasDocument = false;
  #dataLine: number | undefined;
  #helmSource: string | undefined;
  #refusal: string | undefined;
  /** A `...` ended the last document and no `---` has come since. */
  #afterEnd = false;

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
  }

  /** The documents that end within this chunk. */
  *push(chunk: Uint8Array): Generator<RawDocument> {
    let pos = 0;
    while (pos < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, pos);
      if (this.#inTail) {
        const end = newline < 0 ? chunk.length : newline + 1;
        this.#append(chunk.subarray(pos, end));
        pos = end;
        if (newline >= 0) this.#endLine();
        continue;
      }
      const room = HEAD_SIZE - this.#headSize;
      if (newline >= 0 && newline + 1 - pos <= room) {
        this.#head.push(chunk.subarray(pos, newline + 1));
        this.#headSize += newline + 1 - pos;
        pos = newline + 1;
        yield* this.#takeHead(true);
      } else if (newline < 0 && chunk.length - pos < room) {
        this.#head.push(chunk.subarray(pos));
        this.#headSize += chunk.length - pos;
        pos = chunk.length;
      } else {
        this.#head.push(chunk.subarray(pos, pos + room));
        this.#headSize += room;
        pos += room;
        yield* this.#takeHead(false);
      }
    }
  }

  /** The last documents, once the input has ended. */
  *end(): Generator<RawDocument> {
    if (this.#headSize > 0) yield* this.#takeHead(true);
    yield* this.#flush();
  }

  /** Classifies the line whose head is buffered, then files the head into a document. */
  *#takeHead(lineEnded: boolean): Generator<RawDocument> {
    const head = concat(this.#head, this.#headSize);
    this.#head = [];
    this.#headSize = 0;
    // A byte-order mark where a document's data can start (the file's first line, or a line
    // before any data of this document: after `---`, `...` or comments) is dropped, as
    // kubectl drops the file's. go-yaml keeps one that starts a later document as part of
    // its first key (`\uFEFFapiVersion`), which hides a Pod from a reader that keeps it too.
    const bom =
      (this.#firstLine || this.#dataLine === undefined) &&
      head[0] === 0xef &&
      head[1] === 0xbb &&
      head[2] === 0xbf;
    this.#firstLine = false;
    const line = bom ? head.subarray(3) : head;
    if (bom) this.#skip(3);
    const kind = classify(line, 0);
    if (kind === "directive" && this.#dataLine !== undefined) yield* this.#flush();
    if (kind === "start" || kind === "bad-start") {
      // Comments and directives alone before `---` belong to the document it starts.
      if (this.#hasDocument) yield* this.#flush();
      this.#hasDocument = true;
      this.#afterEnd = false;
      if (kind === "bad-start") {
        this.#refusal ??=
          "a line starting with --- must be a document separator (nothing after it but a comment); Kubernetes refuses this stream";
        this.#dataLine ??= this.#line;
      }
    } else if (kind === "data") {
      this.#hasDocument = true;
      this.#dataLine ??= this.#line;
      if (this.#afterEnd)
        this.#refusal ??=
          "a document after `...` must start with ---: Kubernetes ignores what follows `...` up to the next ---";
    } else if (kind === "directive") {
      this.#refusal ??=
        "a YAML directive (%YAML, %TAG): Kubernetes cuts documents at --- before it parses them, so it cannot read one";
    } else if (kind === "comment" && this.#dataLine === undefined) {
      this.#helmSource ??= HELM_SOURCE.exec(latin.decode(line).trim())?.[1];
    }
    if (kind === "start" && !isMarker(line, 0, DASH)) {
      // `---#x`: a separator to kubectl, not a marker to YAML; YAML reads it as plain `---`.
      const ending =
        line[line.length - 2] === CR ? "\r\n" : line[line.length - 1] === NEWLINE ? "\n" : "";
      const marker = Buffer.from(`---${ending}`);
      this.#skip(line.length - marker.length);
      this.#append(marker);
    } else {
      this.#append(line);
    }
    if (lineEnded) this.#endLine();
    else this.#inTail = true;
    if (kind === "end") {
      yield* this.#flush();
      this.#afterEnd = true;
    }
  }

  #endLine(): void {
    this.#line++;
    this.#inTail = false;
  }

  /** Bytes of the input that are dropped: counted in offsets, kept in no document. */
  #skip(count: number): void {
    this.#offset += count;
  }

  #append(bytes: Uint8Array): void {
    if (this.#size === 0) this.#start = { line: this.#line, offset: this.#offset };
    this.#size += bytes.length;
    this.#offset += bytes.length;
    if (this.#size <= this.#maxSize) this.#parts.push(bytes);
    else this.#parts = []; // over the limit: only counted from now on
  }

  *#flush(): Generator<RawDocument> {
    if (this.#size > 0) {
      yield {
        bytes: this.#size <= this.#maxSize ? concat(this.#parts, this.#size) : undefined,
        size: this.#size,
        line: this.#start.line,
        offset: this.#start.offset,
        ...(this.#dataLine !== undefined ? { dataLine: this.#dataLine } : {}),
        ...(this.#helmSource !== undefined ? { helmSource: this.#helmSource } : {}),
        ...(this.#refusal !== undefined ? { refusal: this.#refusal } : {}),
      };
    }
    this.#parts = [];
    this.#size = 0;
    this.#hasDocument = false;
    this.#dataLine = undefined;
    this.#helmSource = undefined;
    this.#refusal = undefined;
  }
}
