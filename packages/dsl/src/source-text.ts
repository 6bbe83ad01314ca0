/** The author's source files, read to place errors exactly: text, offsets and positions. */
import { readFileSync } from "node:fs";

const sources = new Map<string, string | undefined>();

/** The text of a source file (line ends as `\n`), or undefined when it cannot be read. Cached. */
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

/** The offset of a 1-based line and column in a text. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + column - 1;
}

/** The text of a 1-based line, without its line end; undefined past the end. */
export function lineText(text: string, line: number): string | undefined {
  return line >= 1 ? text.split("\n")[line - 1] : undefined;
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
