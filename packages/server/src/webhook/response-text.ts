/**
 * Text the webhook hands the API server — denial messages, warnings, audit annotation values —
 * made safe for where it goes, and bounded.
 *
 * The API server drops a warning that holds a control character (k8s.io/apimachinery
 * util/net.NewWarningHeader refuses Go's unicode.IsControl: C0, DEL, C1) or is not valid UTF-8
 * (a lone surrogate, once Go decodes the JSON). Messages and annotations reach terminals and
 * audit logs: the same characters are replaced there too, each by one space.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Controls become spaces and lone surrogates U+FFFD (what Go reads them as). */
export function headerSafe(text: string): string {
  return text.replace(LONE_SURROGATE, "\ufffd").replace(CONTROL, " ");
}

const ELLIPSIS = "…";

/** At most `max` code points, the last of them `…` when cut (Go counts runes). */
export function truncateRunes(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, Math.max(0, max - 1)).join("")}${ELLIPSIS}`;
}

/** At most `max` UTF-8 bytes, cut on a code point, the last of them `…` when cut. */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const room = max - Buffer.byteLength(ELLIPSIS);
  let bytes = 0;
  let kept = "";
  for (const point of text) {
    const size = Buffer.byteLength(point);
    if (bytes + size > room) break;
    bytes += size;
    kept += point;
  }
  return `${kept}${ELLIPSIS}`;
}

/** The number of code points of a string. */
export function runeCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
