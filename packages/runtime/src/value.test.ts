import { describe, expect, it } from "vitest";
import { deepEqual, MISSING, renderValue } from "./value.js";

describe("deepEqual", () => {
  it("is structural", () => {
    expect(deepEqual({ a: [1, { b: null }] }, { a: [1.0, { b: null }] })).toBe(true);
    expect(deepEqual({ a: undefined as never }, { b: 1 })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual({ 0: 1 }, [1])).toBe(false);
    expect(deepEqual("1", 1)).toBe(false);
  });
});

describe("renderValue", () => {
  it.each([
    [MISSING, ""],
    ["text", "text"],
    ["", ""],
    [1, "1"],
    [1.5, "1.5"],
    [true, "true"],
    [[1, "a", null], "[...]"],
    [[], "[...]"],
    [{ a: { b: "😀" } }, "{...}"],
    [{}, "{...}"],
  ] as const)("%j → %j", (value, text) => {
    expect(renderValue(value)).toBe(text);
  });
});
