/**
 * Every string reaching CEL goes through celString: hostile strings must round-trip through the
 * real judge (as a literal compared with the same string as data, and as a message).
 */
import { celLiteral, celString } from "@charter/compiler";
import type { Json } from "@charter/ir";
import { celJudgeForTests } from "@charter/test-support/cel-judge-for-tests";
import { describe, expect, it } from "vitest";
import { runCelJudge } from "../cel-judge-client/run.js";

const HOSTILE = [
  "",
  "quote \" and ' single",
  "back\\slash \\n not a newline \\u0041",
  "tab\tcarriage\rreturn",
  "\u0000\u0001\u001f\u007f control",
  "\u2028\u2029 separators \ufeff bom",
  "astral 😀 𝒳 \u{10ffff}",
  "é ü ß 中文",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string on purpose
  "{{c.image}} ${x} $(rm -rf) `cmd`",
  "- yaml: [indicator] # comment & anchor *ref !tag |",
  '"} || true || {"',
  "\\",
  '"',
];

describe("celString and celLiteral", () => {
  it("writes printable ASCII only, with CEL escapes", () => {
    expect(celString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(celString("é😀")).toBe('"\\u00e9\\U0001f600"');
    expect(celString("\ud800")).toBe('"\\ufffd"');
    for (const s of HOSTILE) expect(celString(s)).toMatch(/^"[\x20-\x7e]*"$/);
  });

  it("wraps the elements of heterogeneous aggregates in dyn()", () => {
    expect(celLiteral(["a", "b"])).toBe('["a", "b"]');
    expect(celLiteral([1, "a", null])).toBe('[dyn(1), dyn("a"), dyn(null)]');
    expect(celLiteral({ a: 1, b: 0.5 })).toBe('{"a": dyn(1), "b": dyn(0.5)}');
    expect(celLiteral(2 ** 63)).toBe("9223372036854776000.0");
    expect(celLiteral(1e21)).toBe("1e+21");
  });
});

const judge = celJudgeForTests();

describe.skipIf(!judge)("escaping round-trips through the Kubernetes CEL judge", () => {
  it("reads every hostile string back, as a value and as a message", async () => {
    const literal: Json = { list: HOSTILE, map: Object.fromEntries(HOSTILE.map((s, i) => [s, i])) };
    const output = await runCelJudge(judge as string, {
      expressions: [
        ...HOSTILE.map((s, i) => ({
          id: `value-${i}`,
          expression: `object.data.values[${i}] == ${celString(s)} && size(${celString(s)}) == ${[...s].length}`,
        })),
        ...HOSTILE.map((s, i) => ({
          id: `message-${i}`,
          expression: "false",
          // The server refuses line breaks and trims: compare through a visible form.
          messageExpression: `"<" + ${celString(s)}.replace("\\n", "\\\\n") + ">"`,
        })),
        { id: "aggregates", expression: `object.data.literal == ${celLiteral(literal)}` },
      ],
      cases: [
        {
          id: "c",
          object: { apiVersion: "v1", kind: "ConfigMap", data: { values: HOSTILE, literal } },
        },
      ],
    });
    expect(output.compileErrors).toEqual([]);
    for (const [i, s] of HOSTILE.entries()) {
      const value = output.results.find((r) => r.expression === `value-${i}`);
      expect(value?.value, JSON.stringify(s)).toBe(true);
      const message = output.results.find((r) => r.expression === `message-${i}`);
      expect(message?.message, JSON.stringify(s)).toBe(`<${s.replaceAll("\n", "\\n")}>`);
    }
    expect(output.results.find((r) => r.expression === "aggregates")?.value).toBe(true);
  });
});
