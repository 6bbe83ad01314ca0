import { HOSTILE } from "@charter/test-support/report-rows";
import { describe, expect, it } from "vitest";
import { xmlAttribute, xmlText } from "./xml-text.js";

describe("xmlText and xmlAttribute", () => {
  it.each([
    { note: "markup characters", text: "a < b & c > d", want: "a &lt; b &amp; c &gt; d" },
    { note: "a CDATA end cannot appear", text: "]]>", want: "]]&gt;" },
    { note: "an entity stays text", text: "&amp;", want: "&amp;amp;" },
    { note: "CR kept as a reference", text: "a\r\nb", want: "a&#13;\nb" },
    {
      note: "controls become visible text",
      text: "\u0000\u0001\u001f",
      want: "\\u0000\\u0001\\u001f",
    },
    { note: "non-characters U+FFFE/U+FFFF", text: "\uFFFE\uFFFF", want: "\\ufffe\\uffff" },
    { note: "a lone surrogate becomes U+FFFD", text: "x\uD800y\uDC00", want: "x\uFFFDy\uFFFD" },
    { note: "astral characters pass whole", text: "😀𝔘", want: "😀𝔘" },
    { note: "tab and LF are text in content", text: "a\tb\nc", want: "a\tb\nc" },
  ])("text: $note", ({ text, want }) => {
    expect(xmlText(text)).toBe(want);
  });

  it("attributes also escape quotes, tabs and line feeds", () => {
    expect(xmlAttribute('say "hi"\tnow\n')).toBe("say &quot;hi&quot;&#9;now&#10;");
  });

  it("writes only XML 1.0 characters, whatever it is given", () => {
    const xmlChar = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
    for (const escaped of [xmlText, xmlAttribute]) {
      const out = escaped(HOSTILE);
      expect(out).toMatch(xmlChar);
      expect(out).not.toContain("]]>");
      expect(out).not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/);
    }
    expect(xmlAttribute(HOSTILE)).not.toMatch(/[<"\n\t]/);
  });
});
