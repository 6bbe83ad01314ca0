import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { readDocuments } from "./yaml-documents.js";

/** The one problem a document gives: `line:column message`, and the parser's words. */
function problemOf(text: string, startLine = 1) {
  const outcomes = readDocuments(text, startLine);
  const problem = outcomes.find((o) => o.kind === "problem");
  if (problem?.kind !== "problem") throw new Error(`no problem in ${JSON.stringify(outcomes)}`);
  return {
    at: `${problem.line}:${problem.column}`,
    message: problem.message,
    detail: problem.detail,
  };
}

const POD = "apiVersion: v1\nkind: Pod\n";

describe("YAML errors point at the line to change, in plain words (issue 12, requirement 9)", () => {
  it("a key indented deeper than the key above it: that key's line, not the line before", () => {
    const text = `${POD}metadata:\n  name: web\n    namespace: shop\nspec: {}\n`;
    expect(problemOf(text)).toEqual({
      at: "5:5",
      message:
        "line 5 is indented further than the key above it: `namespace:` starts at column 5, `name:` on line 4 at column 3; indent both alike, or give `name:` no value on its line to nest under it",
      detail: "Nested mappings are not allowed in compact mappings",
    });
  });

  it("a key indented less than the keys before it", () => {
    const text = `${POD}metadata:\n  name: web\n namespace: shop\n`;
    expect(problemOf(text)).toMatchObject({
      at: "5:2",
      message:
        "line 5 is not indented like the keys around it: `namespace:` starts at column 2, the key above it at column 3; keys of one mapping must start at the same column (a nested one further right)",
      detail: "All mapping items must start at the same column",
    });
  });

  it("a list item's key not lined up with the item's first key", () => {
    const text = `${POD}spec:\n  containers:\n    - name: a\n    image: b\n`;
    expect(problemOf(text)).toMatchObject({
      at: "6:5",
      message: expect.stringMatching(
        /^line 6 is not indented like the keys around it: `image:` starts at column 5, the key above it at column 7;/,
      ),
    });
  });

  it("a second key: value on one line", () => {
    const text = `${POD}spec:\n  securityContext: privileged: true\n`;
    expect(problemOf(text)).toMatchObject({
      at: "4:20",
      message:
        "line 4 has a second `key: value` after `securityContext:` on the same line: put it on a line of its own, indented under `securityContext:`",
    });
  });

  it("a tab in the indentation, without a dangling `at line …, column …:`", () => {
    const text = `${POD}metadata:\n  labels:\n  \tapp: web\n`;
    const problem = problemOf(text);
    expect(problem).toEqual({
      at: "5:3",
      message:
        "line 5 is indented with a tab: YAML allows only spaces in indentation; replace the tab with spaces",
      detail: "Tabs are not allowed as indentation",
    });
    expect(problemOf(`${POD}metadata:\n\tname: web\n`).at).toBe("4:1");
  });

  it.each([
    ['"', `${POD}metadata:\n  name: "web\n  namespace: shop\nspec: {}\n`],
    ["'", `${POD}metadata:\n  name: 'web\n  namespace: shop\n`],
  ])("an unclosed %s quote: the line it opens on, not the end of the file", (quote, text) => {
    expect(problemOf(text)).toMatchObject({
      at: "4:9",
      message: `the ${quote}…${quote} string opened on line 4 (column 9) is never closed: add the closing ${quote} at the end of the value`,
    });
  });

  it("an unclosed quote followed by a quoted value is still the line it opens on", () => {
    const text = `${POD}metadata:\n  name: "web\n  namespace: "shop"\n`;
    expect(problemOf(text)).toMatchObject({
      at: "4:9",
      message: expect.stringMatching(/opened on line 4 \(column 9\) is never closed/),
    });
  });

  it("a quoted string continued on a line not indented further than its key", () => {
    const text = `${POD}metadata:\n  annotations:\n    note: "one\n    two"\n`;
    expect(problemOf(text)).toMatchObject({
      at: "6:1",
      message:
        'the "…" string opened on line 5 goes on to line 6, which is not indented further than its key: indent the continued line, or keep the string on one line',
      detail: 'Missing closing "quote',
    });
  });

  it("a closed quote before the unclosed one is skipped", () => {
    const text = `${POD}metadata:\n  name: "web"\n  labels: {a: "b"}\n  namespace: "shop\n`;
    expect(problemOf(text).at).toBe("6:14");
  });

  it.each([
    ["[", "list", `${POD}spec:\n  containers: [{name: a, image: b}\n  volumes: []\n`, "4:15", "]"],
    ["{", "mapping", `${POD}metadata: {name: web\nspec: {}\n`, "3:11", "}"],
  ])("an unclosed %s: the line it opens on", (open, what, text, at, close) => {
    const line = at.split(":")[0];
    expect(problemOf(text)).toMatchObject({
      at,
      message: `the ${open} opened on line ${line} (column ${at.split(":")[1]}) is never closed: add ${close} at the end of its ${what}`,
    });
  });

  it.each([
    [`${POD}metadata:\n  name:web\n  namespace: shop\n`, "4:7", "name", "web"],
    ["apiVersion: v1\nkind:Pod\nmetadata:\n  name: web\n", "2:5", "kind", "Pod"],
  ])("key:value without a space", (text, at, key, value) => {
    expect(problemOf(text)).toMatchObject({
      at,
      message: `\`${key}:${value}\` has no space after the colon, so YAML does not read it as a key: write \`${key}: ${value}\``,
    });
  });

  it.each([
    [
      `${POD}spec:\n  containers:\n  - name: a\n    image: b\n   - name: c\n    image: d\n`,
      "7:4",
      4,
      3,
    ],
    [
      `${POD}spec:\n  containers:\n    - name: a\n      image: b\n  - name: c\n    image: d\n`,
      "7:3",
      3,
      5,
    ],
    [`${POD}spec:\n  ports:\n  - port: 80\n   - port: 81\n`, "6:4", 4, 3],
  ])("a list item at the wrong indentation", (text, at, column, expected) => {
    expect(problemOf(text)).toMatchObject({
      at,
      message: `the list item on line ${at.split(":")[0]} starts at column ${column}, the items before it at column ${expected}: the \`-\` of every item of one list must be in the same column`,
    });
  });

  it("lines are the file's when the document starts further down", () => {
    const text = `${POD}metadata:\n  name: web\n    namespace: shop\n`;
    expect(problemOf(text, 21)).toMatchObject({
      at: "25:5",
      message: expect.stringMatching(/^line 25 .* on line 24 /),
    });
  });

  it("anything else keeps the parser's words", () => {
    expect(problemOf(`${POD}metadata: ]\n`).message).toMatch(/^YAML does not parse: /);
  });
});

describe("property: one mistake put into a valid manifest is reported on the line it was put on", () => {
  const key = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/);
  const scalar = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
  // Nested mappings of plain scalars, as `stringify` writes them: `key: value` and `key:` lines.
  const tree: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
    node: fc.dictionary(key, fc.oneof({ depthSize: "small" }, scalar, tie("node")), {
      minKeys: 1,
      maxKeys: 4,
    }),
  })).node as fc.Arbitrary<Record<string, unknown>>;
  const manifest = tree.map((spec) => stringify({ apiVersion: "v1", kind: "Pod", spec }));

  /** Lines `indent key: scalar` of the text, 0-based, with the previous line. */
  const scalarLines = (lines: string[]) =>
    lines.flatMap((text, index) => {
      const match = /^( *)([^\s:]+): (\S+)$/.exec(text);
      return match && index > 0
        ? [{ index, indent: match[1] as string, key: match[2] as string }]
        : [];
    });

  it.each([
    [
      "a tab for indentation",
      (line: string, indent: string) => (indent.length >= 2 ? `\t${line.slice(1)}` : undefined),
      /^line \d+ is indented with a tab: /,
    ],
    [
      "an unclosed quote",
      (line: string) => line.replace(/: (\S+)$/, ': "$1'),
      /^the "…" string opened on line \d+ \(column \d+\) is never closed/,
    ],
  ])("%s", (_name, mutate, message) => {
    fc.assert(
      fc.property(manifest, fc.nat(), (text, pick) => {
        const lines = text.trimEnd().split("\n");
        const candidates = scalarLines(lines);
        fc.pre(candidates.length > 0);
        const { index, indent } = candidates[pick % candidates.length] as (typeof candidates)[0];
        const changed = mutate(lines[index] as string, indent);
        fc.pre(changed !== undefined);
        lines[index] = changed as string;
        const problem = problemOf(`${lines.join("\n")}\n`);
        expect(problem.at.split(":")[0]).toBe(String(index + 1));
        expect(problem.message).toMatch(message);
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it("a key indented further than the key: value line above it", () => {
    fc.assert(
      fc.property(manifest, fc.nat(), (text, pick) => {
        const lines = text.trimEnd().split("\n");
        // A `key: scalar` line right below another `key: scalar` line of the same indentation.
        const candidates = scalarLines(lines).filter(({ index, indent }) => {
          const above = /^( *)[^\s:]+: \S+$/.exec(lines[index - 1] ?? "");
          return above !== null && above[1] === indent;
        });
        fc.pre(candidates.length > 0);
        const { index } = candidates[pick % candidates.length] as (typeof candidates)[0];
        lines[index] = `  ${lines[index]}`;
        const problem = problemOf(`${lines.join("\n")}\n`);
        expect(problem.at.split(":")[0]).toBe(String(index + 1));
        expect(problem.message).toMatch(/is indented further than the key above it/);
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
