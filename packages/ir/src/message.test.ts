import { describe, expect, it } from "vitest";
import type { Expr } from "./expr.js";
import { holeWord, oneLine, staticMessage } from "./message.js";
import { index, literal, ref } from "./nodes.js";
import type { Message, MessagePart } from "./policy.js";

const c = (...path: (string | number)[]): Expr => ref({ kind: "var", name: "c" }, path);
const object = (...path: (string | number)[]): Expr => ref({ kind: "object" }, path);
const text = (t: string): MessagePart => ({ kind: "text", text: t });
const hole = (expr: Expr, source = "…"): MessagePart => ({ kind: "hole", expr, source });
const message = (...parts: MessagePart[]): Message => ({
  template: parts.map((p) => (p.kind === "text" ? p.text : `{{${p.source}}}`)).join(""),
  parts,
});

describe("holeWord: the word a hole stands as in the static message", () => {
  it.each<{ note: string; expr: Expr; want: string }>([
    { note: "the last field of a path", expr: c("image"), want: "image" },
    { note: "a deep path", expr: object("metadata", "name"), want: "name" },
    {
      note: "camelCase kept as the field's name",
      expr: c("ports", 0, "hostPort"),
      want: "hostPort",
    },
    { note: "list indices are skipped", expr: c("providers", 0), want: "providers" },
    {
      note: "x ?? d reads x",
      expr: { kind: "default", value: object("spec", "type"), fallback: literal("none") },
      want: "type",
    },
    { note: "a bound variable alone", expr: c(), want: "value" },
    { note: "only indices", expr: c(0, 1), want: "value" },
    {
      note: "a key that is not a plain name",
      expr: object("labels", "istio.io/rev"),
      want: "value",
    },
    { note: "a key with a line break", expr: object("labels", "a\nb"), want: "value" },
    { note: "a key with braces", expr: object("labels", "{{x}}"), want: "value" },
    { note: "an index by a run-time key", expr: index(object("annotations"), c()), want: "value" },
    { note: "a literal", expr: literal("x"), want: "value" },
    { note: "a length", expr: { kind: "len", arg: c("name") }, want: "value" },
  ])("$note", ({ expr, want }) => {
    expect(holeWord(expr)).toBe(want);
  });
});

describe("staticMessage: readable text for the server to print", () => {
  it("replaces every hole by <word>, keeping the text", () => {
    const m = message(
      text("container "),
      hole(c("name"), "c.name"),
      text(" uses image "),
      hole(c("image"), "c.image"),
      text(", which is not pinned"),
    );
    expect(m.template).toBe("container {{c.name}} uses image {{c.image}}, which is not pinned");
    expect(staticMessage(m)).toBe("container <name> uses image <image>, which is not pinned");
  });

  it("leaves no {{ … }} of the template", () => {
    const m = message(hole(object("kind")), text(" "), hole(object("metadata", "name")));
    expect(staticMessage(m)).toBe("<kind> <name>");
    expect(staticMessage(m)).not.toMatch(/\{\{|\}\}/);
  });

  it("keeps literal text as written, braces included (it is text, not a hole)", () => {
    expect(staticMessage(message(text("a {{b}} c")))).toBe("a {{b}} c");
  });

  it("puts every kind of line break on one line", () => {
    const m = message(text("a\r\nb\nc\rd\u2028e\u2029f"), hole(c("name")), text("\n"));
    expect(staticMessage(m)).toBe("a b c d e f<name> ");
    expect(oneLine("x\r\n\ny")).toBe("x  y");
  });

  it("is empty for an empty template, and a hole alone is its word", () => {
    expect(staticMessage(message())).toBe("");
    expect(staticMessage(message(hole(c("name"))))).toBe("<name>");
  });
});
