/**
 * Template positions are exact wherever the stack frame points (the tag, the backtick or
 * anywhere inside the template, as jiti, vitest and Node differ), on every line, after any
 * `${…}`, and with the same template written twice in the file.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CharterError } from "@charter/ir";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { positionOf } from "../source-text.js";
import { locateParts } from "./locate-template.js";
import { parseParts } from "./parse-template.js";

const dir = mkdtempSync(join(tmpdir(), "charter-locate-"));
let files = 0;

const space = fc.constantFrom(" ", "  ", "\t", "\n        ", " \n\t  ", "\n");
/** What an author may write inside `${…}`: braces, strings and templates to skip over. */
const holeSource = fc.constantFrom(
  "value",
  " values[2] ",
  '({ a: "}" }).a',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template
  "`x${1}`",
  "f(/* } */ 1)",
);

/**
 * A condition `object.f0 == … and object.f1 == …` over several lines, one comparison written
 * `== ==` (the error), some right-hand sides interpolated. Returns the template's source
 * text, its raw parts and the offset of the second `==` in the source text.
 */
const template = fc
  .record({
    count: fc.integer({ min: 1, max: 5 }),
    broken: fc.nat(),
    holes: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    spaces: fc.array(space, { minLength: 25, maxLength: 25 }),
    sources: fc.array(holeSource, { minLength: 5, maxLength: 5 }),
  })
  .map(({ count, broken, holes, spaces, sources }) => {
    let source = "";
    const raw = [""];
    let errorAt = -1;
    let s = 0;
    const text = (piece: string) => {
      source += piece;
      raw[raw.length - 1] += piece;
    };
    for (let j = 0; j < count; j++) {
      if (j > 0) text(`${spaces[s++]}and${spaces[s++]}`);
      text(`object.f${j}${spaces[s++]}==${spaces[s++]}`);
      if (j === broken % count) {
        errorAt = source.length;
        text(`==${spaces[s++]}`);
      }
      if (holes[j]) {
        source += `\${${sources[j]}}`;
        raw.push("");
      } else text(String(j));
    }
    return { source, raw, errorAt };
  });

describe("template positions", () => {
  it("a syntax error is placed exactly, wherever the frame points", () => {
    fc.assert(
      fc.property(
        template,
        fc.constantFrom("", "const x = 1;\n", "// when`\n\n"),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ source, raw, errorAt }, before, twice, where) => {
          const copy = twice ? `const other = when\`${source}\`;\n` : "";
          const head = `${before}${copy}export const rule = {\n      fail: `;
          const text = `${head}when\`${source}\`,\n};\n`;
          const tag = head.length;
          const start = tag + "when`".length;
          const end = start + source.length;
          const frame = positionOf(text, Math.round(tag + where * (end - tag)));
          const file = join(dir, `p${files++}.ts`);
          writeFileSync(file, text);
          let error: unknown;
          try {
            parseParts(raw, "condition", { file, ...frame });
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(CharterError);
          expect((error as CharterError).location).toEqual({
            file,
            ...positionOf(text, start + errorAt),
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes the copy of a template nearest the frame", () => {
    const text = "a(when`x == 1`);\nb(when`x == 1`);\n";
    expect(locateParts(text, text.indexOf("when", 3), ["x == 1"])).toEqual([
      text.lastIndexOf("x == 1"),
    ]);
    expect(locateParts(text, 0, ["x == 1"])).toEqual([text.indexOf("x == 1")]);
  });

  it("gives up when the file does not hold the template", () => {
    expect(locateParts("when`y == 1`", 0, ["x == 1"])).toBeUndefined();
  });
});
