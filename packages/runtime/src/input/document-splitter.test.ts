import { describe, expect, it } from "vitest";
import { DocumentSplitter, type RawDocument } from "./document-splitter.js";

interface Cut {
  readonly text: string | undefined;
  readonly line: number;
  readonly offset: number;
  readonly size: number;
  readonly dataLine?: number;
  readonly helmSource?: string;
}

function cut(input: string | Uint8Array, chunkSize = Number.MAX_SAFE_INTEGER, max = 1e9): Cut[] {
  const bytes = typeof input === "string" ? Buffer.from(input) : input;
  const splitter = new DocumentSplitter(max);
  const out: RawDocument[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) {
    out.push(...splitter.push(bytes.subarray(i, i + chunkSize)));
  }
  out.push(...splitter.end());
  return out.map(({ bytes: b, ...rest }) => ({
    text: b === undefined ? undefined : Buffer.from(b).toString("utf8"),
    ...rest,
  }));
}

describe("DocumentSplitter", () => {
  it("cuts where kubectl cuts, keeping comments with the document they precede", () => {
    const text = [
      "# head",
      "%YAML 1.1",
      "---",
      "a: 1",
      "--- # second",
      "b: '",
      " --- not a marker, indented'",
      "c: ---x",
      "---x: not data to kubectl",
      "...",
      "# between",
      "d: 4",
      "---",
    ].join("\n");
    const directive =
      "a YAML directive (%YAML, %TAG): Kubernetes cuts documents at --- before it parses them, so it cannot read one";
    const badSeparator =
      "a line starting with --- must be a document separator (nothing after it but a comment); Kubernetes refuses this stream";
    const afterEnd =
      "a document after `...` must start with ---: Kubernetes ignores what follows `...` up to the next ---";
    expect(cut(text)).toEqual([
      {
        text: "# head\n%YAML 1.1\n---\na: 1\n",
        line: 1,
        offset: 0,
        size: 26,
        dataLine: 4,
        refusal: directive,
      },
      {
        text: "--- # second\nb: '\n --- not a marker, indented'\nc: ---x\n",
        line: 5,
        offset: 26,
        size: 55,
        dataLine: 6,
      },
      {
        text: "---x: not data to kubectl\n...\n",
        line: 9,
        offset: 81,
        size: 30,
        dataLine: 9,
        refusal: badSeparator,
      },
      {
        text: "# between\nd: 4\n",
        line: 11,
        offset: 111,
        size: 15,
        dataLine: 12,
        refusal: afterEnd,
      },
      { text: "---", line: 13, offset: 126, size: 3 },
    ]);
  });

  it("reads `---#comment` as kubectl does: a separator, handed to YAML as `---`", () => {
    expect(cut("a: 1\n---#c\r\nb: 2\n")).toEqual([
      { text: "a: 1\n", line: 1, offset: 0, size: 5, dataLine: 1 },
      { text: "---\r\nb: 2\n", line: 2, offset: 7, size: 10, dataLine: 3 },
    ]);
  });

  it("gives the same documents however the bytes are chunked", () => {
    const text = `\uFEFF# Source: chart/templates/a.yaml\r\nkind: A\r\n---\r\n# Source: chart/templates/b.yaml\r\nkind: B\r\nlong: ${"é".repeat(5_000)}\n--- x\n...\n`;
    const whole = cut(text);
    expect(whole.map((d) => [d.line, d.dataLine, d.helmSource])).toEqual([
      [1, 2, "chart/templates/a.yaml"],
      [3, 5, "chart/templates/b.yaml"],
      [7, 7, undefined],
    ]);
    for (const size of [1, 2, 3, 5, 7, 64, 4095, 4096, 4097]) {
      expect(cut(text, size), `chunks of ${size}`).toEqual(whole);
    }
  });

  it("sees a marker after a byte-order mark at the start, and only there", () => {
    expect(cut("\uFEFF---\na: 1\n---\nb: 2\n").map((d) => d.line)).toEqual([1, 3]);
  });

  it("counts a document over the limit without keeping it, and goes on", () => {
    const text = `a: 1\n---\n# Source: c/t.yaml\nbig: ${"x".repeat(100)}\n---\nc: 3\n`;
    expect(cut(text, 16, 50)).toEqual([
      { text: "a: 1\n", line: 1, offset: 0, size: 5, dataLine: 1 },
      { text: undefined, line: 2, offset: 5, size: 129, dataLine: 4, helmSource: "c/t.yaml" },
      { text: "---\nc: 3\n", line: 5, offset: 134, size: 9, dataLine: 6 },
    ]);
  });

  it("streams a line far longer than its buffer through whole", () => {
    const line = `k: ${"y".repeat(100_000)}`;
    const [document] = cut(`---\n${line}\n---\nz: 1\n`, 1_000);
    expect(document?.text).toBe(`---\n${line}\n`);
  });

  it("yields nothing for nothing", () => {
    expect(cut("")).toEqual([]);
  });
});
