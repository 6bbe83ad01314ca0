import { describe, expect, it } from "vitest";
import { count, policies } from "./plural.js";

describe("count", () => {
  it("is singular for exactly one, plural otherwise", () => {
    expect([0, 1, 2].map((n) => count(n, "file"))).toEqual(["0 files", "1 file", "2 files"]);
    expect([0, 1, 41].map(policies)).toEqual(["0 policies", "1 policy", "41 policies"]);
  });
});
