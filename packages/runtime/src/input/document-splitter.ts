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

type LineKind = "start" | "end" | "directive" | "blank" | "comment" | "data";

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

function classify(head: Uint8Array, from: number): LineKind {
  if (isMarker(head, from, DASH)) return "start";
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
    const bom = this.#firstLine && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    const from = bom ? 3 : 0;
    this.#firstLine = false;
    const kind = classify(head, from);
    if (kind === "start") {
      // Comments and directives alone before `---` belong to the document it starts.
      if (this.#hasDocument) yield* this.#flush();
      this.#hasDocument = true;
      const rest = firstNonSpace(head, from + 3);
      if (rest !== undefined && rest !== HASH) this.#dataLine ??= this.#line;
    } else if (kind === "data") {
      this.#hasDocument = true;
      this.#dataLine ??= this.#line;
    } else if (kind === "comment" && this.#dataLine === undefined) {
      this.#helmSource ??= HELM_SOURCE.exec(latin.decode(head.subarray(from)).trim())?.[1];
    }
    this.#append(head);
    if (lineEnded) this.#endLine();
    else this.#inTail = true;
    // After `...` a new document may begin without `---`.
    if (kind === "end") yield* this.#flush();
  }

  #endLine(): void {
    this.#line++;
    this.#inTail = false;
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
      };
    }
    this.#parts = [];
    this.#size = 0;
    this.#hasDocument = false;
    this.#dataLine = undefined;
    this.#helmSource = undefined;
  }
}
