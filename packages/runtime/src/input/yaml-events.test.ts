import { describe, expect, it } from "vitest";
import { composeDocuments, YamlRefusal } from "./yaml-events.js";

const read = (text: string) => composeDocuments(text, 513, () => 1).map((d) => d.value);

const refusal = (text: string): string => {
  try {
    composeDocuments(text, 513, () => 1);
  } catch (error) {
    if (error instanceof YamlRefusal) return error.message;
    throw error;
  }
  throw new Error("read without a refusal");
};

describe("composeDocuments: js-yaml's events with go-yaml's rules", () => {
  it("keeps __proto__, constructor and prototype keys as data", () => {
    const [value] = read("__proto__: {polluted: yes}\nconstructor: 1\nprototype: 2\n") as [
      Record<string, unknown>,
    ];
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", "constructor", "prototype"]);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("merges as go-yaml does: the first map of a list wins, explicit keys after a merge win", () => {
    // (`y` would be a boolean key to go-yaml: `true`.)
    expect(read("a: &a {p: 1, q: 1}\nb: &b {q: 2, r: 2}\nc: {<<: [*a, *b], r: 3}\n")).toEqual([
      { a: { p: 1, q: 1 }, b: { q: 2, r: 2 }, c: { p: 1, q: 1, r: 3 } },
    ]);
    expect(refusal("a: &a {x: 1}\nc: {x: 0, <<: *a}\n")).toMatch(
      /the merge key << comes after "x"/,
    );
    expect(refusal("c: {<<: [{x: 1}, 2]}\n")).toMatch(/map merge requires map/);
    expect(refusal("s: &s [{x: 1}]\nc: {<<: *s}\n")).toMatch(/map merge requires map/);
    expect(read("c: {'<<': {x: 1}}\n")).toEqual([{ c: { "<<": { x: 1 } } }]);
  });

  it("names keys as sigs.k8s.io/yaml does, and refuses what has no JSON name", () => {
    expect(read("{1: a, 1.5: b, .nan: c, true: d, 0x10: e}\n")).toEqual([
      { "1": "a", "1.5": "b", ".nan": "c", true: "d", "16": "e" },
    ]);
    expect(refusal("{~: 1}\n")).toMatch(/a mapping key is null/);
    expect(refusal("{[a]: 1}\n")).toMatch(/a mapping key is a collection/);
    expect(refusal("{a: 1, 'a': 2}\n")).toMatch(/duplicate key "a"/);
    expect(refusal("a: .inf\n")).toMatch(/\.inf or \.nan/);
  });

  it("limits aliasing by go-yaml's own ratio, not by a count", () => {
    // 150 aliases of one scalar: go-yaml reads it (fewer than 1,000 nodes decoded).
    const many = `a: &a x\nb: [${Array(150).fill("*a").join(", ")}]\n`;
    expect((read(many)[0] as { b: unknown[] }).b).toHaveLength(150);
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      laughs.push(
        `${name}: &${name} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(",")}]`,
      );
    }
    expect(refusal(`${laughs.join("\n")}\n`)).toMatch(/aliases expand too much/);
    expect(refusal("a: &a [*a]\n")).toMatch(/contains itself/);
    expect(refusal("a: *nowhere\n")).toMatch(/unknown anchor/);
  });

  it("shares an alias's value instead of copying it", () => {
    const [value] = read("a: &a {x: 1}\nb: *a\n") as [{ a: unknown; b: unknown }];
    expect(value.b).toBe(value.a);
  });

  it("refuses what go-yaml's scanner refuses though YAML reads it", () => {
    expect(refusal('a: "\\/"\n')).toMatch(/\\\/ \(Kubernetes' YAML reader has no such escape\)/);
    expect(refusal("a: {b: !!str}\n")).toMatch(/a tag must be followed by a space/);
    expect(read("a: {b: !!str , c: !!str\n  }\n")).toEqual([{ a: { b: "", c: "" } }]);
  });

  it("reads tags as go-yaml does: its own tags resolved, others strings, none on collections", () => {
    expect(
      read("%TAG !e! tag:yaml.org,2002:\n---\n{a: !e!int '7', b: !local 8, c: !!str {d: 1}}\n"),
    ).toEqual([{ a: 7, b: "8", c: { d: 1 } }]);
    expect(refusal("a: !!int x\n")).toMatch(/cannot read "x" as int/);
  });
});
