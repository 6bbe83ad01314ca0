/**
 * Escaping for the XML we write (JUnit): every string becomes character data that any XML 1.0
 * parser reads back as the same text, so a message holding `<`, `&` or `]]>` cannot end an
 * element or open markup. Nothing is wrapped in CDATA, which cannot hold `]]>` at all.
 *
 * XML 1.0 allows only these characters (https://www.w3.org/TR/xml/#charsets):
 * `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`. Others — C0 control
 * characters, lone surrogates, U+FFFE/U+FFFF — are not even allowed as character references,
 * so they are written as the visible text `\u0001` (a lone surrogate as U+FFFD) instead.
 */

// Characters outside XML 1.0's Char production; with the `u` flag a well-formed surrogate
// pair is one astral character and does not match, a lone surrogate does.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function visible(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0xd800 && code <= 0xdfff) return "\uFFFD";
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Text content: `&` and `<` always, `>` too so that `]]>` never appears. */
export function xmlText(text: string): string {
  return text
    .replace(NOT_XML_CHAR, visible)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#13;"); // a raw CR would be normalized to LF by the parser
}

/**
 * A double-quoted attribute value. Tabs and line breaks are written as references, because
 * attribute-value normalization would turn raw ones into spaces.
 */
export function xmlAttribute(text: string): string {
  return xmlText(text).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
}
