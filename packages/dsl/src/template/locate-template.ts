/**
 * Where a tagged template's raw parts start in the author's file. The stack frame of the tag
 * call gives only an approximate place: depending on the transform in between (jiti, vitest,
 * plain Node) it points at the tag, at the backtick or somewhere inside the template. So the
 * file is searched for the template's exact text, and of the places that hold it the one
 * nearest the frame is taken (the same condition may be written twice in a file).
 */
import type { CallSite } from "../callsite.js";
import { offsetOf, positionOf, sourceText } from "../source-text.js";

type Start = { line: number; column: number };

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

/** The parts' offsets and the closing backtick's, when the template at `backtick` is `raw`. */
function matchAt(
  text: string,
  backtick: number,
  raw: readonly string[],
): { starts: number[]; end: number } | undefined {
  const starts: number[] = [];
  let i = backtick + 1;
  for (const [index, part] of raw.entries()) {
    if (!text.startsWith(part, i)) return undefined;
    starts.push(i);
    i += part.length;
    if (index < raw.length - 1) {
      if (!text.startsWith("${", i)) return undefined;
      const close = skipInterpolation(text, i + 2);
      if (close < 0) return undefined;
      i = close + 1;
    } else if (text[i] !== "`") return undefined;
  }
  return { starts, end: i };
}

/** The offsets of the parts of the template holding `raw` nearest to offset `near`. */
export function locateParts(
  text: string,
  near: number,
  raw: readonly string[],
): number[] | undefined {
  let best: { starts: number[]; distance: number } | undefined;
  for (
    let backtick = text.indexOf("`");
    backtick >= 0;
    backtick = text.indexOf("`", backtick + 1)
  ) {
    const found = matchAt(text, backtick, raw);
    if (!found) continue;
    const distance = near < backtick ? backtick - near : near > found.end ? near - found.end : 0;
    if (!best || distance < best.distance) best = { starts: found.starts, distance };
  }
  return best?.starts;
}

/**
 * Where each raw part of a tagged template starts in its source file (1-based line and
 * column of the part's first character). When the file cannot be read or does not hold the
 * template, the parts are placed from the frame (interpolations counted as `${}`), which
 * keeps lines right but may shift columns on the template's first line.
 */
export function templatePartStarts(site: CallSite, raw: readonly string[]): Start[] {
  const text = sourceText(site.file);
  if (text !== undefined) {
    const exact = locateParts(text, offsetOf(text, site.line, site.column), raw);
    if (exact) return exact.map((offset) => positionOf(text, offset));
  }
  const starts: Start[] = [];
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
