/**
 * Where each segment of a builder path string (`at("metadata.lables")`) was written, so an
 * unknown field is reported at the misspelt segment, as it is in a template. The call site's
 * column is only approximate (transforms move it), so the quoted path is looked for on the
 * call's line and the two after it, nearest the frame first; when it is not there (an escaped
 * or computed string), the segments have no place of their own.
 */
import type { ErrorLocation, Segment } from "@charter/ir";
import { offsetOf, positionOf, sourceText } from "./source-text.js";

const LINES_AFTER = 2;

export function pathStringPlaces(
  site: ErrorLocation,
  path: string,
  segments: readonly Segment[],
): (ErrorLocation | undefined)[] | undefined {
  const { file, line, column } = site;
  if (file === undefined || line === undefined) return undefined;
  const text = sourceText(file);
  if (text === undefined) return undefined;
  const from = offsetOf(text, line, 1);
  const to = offsetOf(text, line + LINES_AFTER + 1, 1);
  const near = offsetOf(text, line, column ?? 1);
  let literal: number | undefined;
  for (const quote of ['"', "'", "`"]) {
    const needle = `${quote}${path}${quote}`;
    for (
      let at = text.indexOf(needle, from);
      at >= 0 && at < to;
      at = text.indexOf(needle, at + 1)
    ) {
      if (literal === undefined || Math.abs(at - near) < Math.abs(literal - near)) literal = at;
    }
  }
  if (literal === undefined) return undefined;
  const start = literal + 1;
  let cursor = 0;
  return segments.map((segment) => {
    const written = typeof segment === "number" ? `[${segment}]` : segment;
    const index = path.indexOf(written, cursor);
    if (index < 0) return undefined;
    cursor = index + written.length;
    const offset = start + index + (typeof segment === "number" ? 1 : 0);
    return { file, ...positionOf(text, offset) };
  });
}
