/**
 * Where the author's code called the DSL: the first stack frame outside this package's own
 * modules (test files excepted, so the package's tests see their own positions). Policy files
 * are loaded by jiti or vitest, which install source maps; with them enabled V8 reports the
 * original .ts positions.
 */
import { readFileSync } from "node:fs";
import { dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";

process.setSourceMapsEnabled?.(true);

export interface CallSite {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

const OWN_DIR = dirname(fileURLToPath(import.meta.url)) + sep;
const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/;

function isOwnModule(file: string): boolean {
  return file.startsWith(OWN_DIR) && !/\.test\.[cm]?[jt]s$/.test(file);
}

export function callSite(): CallSite | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    const match = FRAME.exec(line.trim());
    if (!match) continue;
    const [, raw = "", lineText = "", columnText = ""] = match;
    if (raw.startsWith("node:") || raw.startsWith("internal/")) continue;
    const file = raw.startsWith("file://") ? fileURLToPath(raw) : raw;
    if (isOwnModule(file)) continue;
    return { file, line: Number(lineText), column: Number(columnText) };
  }
  return undefined;
}

const sources = new Map<string, string | undefined>();

/** The text of a source file, or undefined when it cannot be read. Cached. */
export function sourceText(file: string): string | undefined {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(file, "utf8").replace(/\r\n?/g, "\n"));
    } catch {
      sources.set(file, undefined);
    }
  }
  return sources.get(file);
}

/** 1-based line and column of an offset in a text. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + column - 1;
}

/**
 * Skips a JavaScript expression inside `${…}` starting at `i`; returns the offset of its
 * closing `}`, or -1. Knows strings, nested templates and comments, enough to balance braces.
 */
function skipInterpolation(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "`") {
      i = skipTemplate(text, i + 1);
      if (i < 0) return -1;
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      i = text.indexOf("\n", i);
      if (i < 0) return -1;
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2);
      if (i < 0) return -1;
      i += 2;
    } else if (c === "{") {
      depth++;
      i++;
    } else if (c === "}") {
      if (depth === 0) return i;
      depth--;
      i++;
    } else {
      i++;
    }
  }
  return -1;
}

/** Skips template text from `i` (after a backtick) to its closing backtick; -1 if none. */
function skipTemplate(text: string, i: number): number {
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === "`") return i;
    else if (c === "$" && text[i + 1] === "{") {
      i = skipInterpolation(text, i + 2);
      if (i < 0) return -1;
      i++;
    } else i++;
  }
  return -1;
}

/**
 * Where each raw part of a tagged template starts in its source file (1-based line and
 * column of the part's first character). Read from the file at the call site; when the file
 * cannot be read or does not hold this template there, the parts are placed approximately
 * (interpolations counted as `${}`), which keeps lines right for single-line interpolations.
 */
export function templatePartStarts(
  site: CallSite,
  raw: readonly string[],
): { line: number; column: number }[] {
  const text = sourceText(site.file);
  if (text !== undefined) {
    const exact = locateParts(text, offsetOf(text, site.line, site.column), raw);
    if (exact) return exact.map((offset) => positionOf(text, offset));
  }
  const starts: { line: number; column: number }[] = [];
  let line = site.line;
  let column = site.column + 1;
  for (const part of raw) {
    starts.push({ line, column });
    const lines = part.split("\n");
    if (lines.length > 1) {
      line += lines.length - 1;
      column = 1;
    }
    column += (lines.at(-1) as string).length + 3;
  }
  return starts;
}

function locateParts(text: string, from: number, raw: readonly string[]): number[] | undefined {
  // The frame points at the tag or at the backtick, depending on the transform in between.
  const backtick = text.indexOf("`", from);
  if (backtick < 0 || backtick - from > 200) return undefined;
  const starts: number[] = [];
  let i = backtick + 1;
  for (const [index, part] of raw.entries()) {
    if (text.slice(i, i + part.length) !== part) return undefined;
    starts.push(i);
    i += part.length;
    if (index < raw.length - 1) {
      if (text[i] !== "$" || text[i + 1] !== "{") return undefined;
      const close = skipInterpolation(text, i + 2);
      if (close < 0) return undefined;
      i = close + 1;
    } else if (text[i] !== "`") return undefined;
  }
  return starts;
}

/**
 * Finds `needle` in a source file at or after a line, for text handed over as a plain string
 * (a message template). Returns its 1-based position, or undefined.
 */
export function findInSource(
  file: string,
  fromLine: number,
  needle: string,
): { line: number; column: number } | undefined {
  const text = sourceText(file);
  if (text === undefined) return undefined;
  const at = text.indexOf(needle, offsetOf(text, fromLine, 1));
  return at < 0 ? undefined : positionOf(text, at);
}
