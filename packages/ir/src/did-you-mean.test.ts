import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "./did-you-mean.js";

describe("didYouMean", () => {
  it.each([
    {
      note: "one close key",
      word: "alowed",
      candidates: ["allowed", "other"],
      want: "did you mean `allowed`?",
    },
    {
      note: "two close keys, closest first",
      word: "nam",
      candidates: ["names", "name"],
      want: "did you mean `name` or `names`?",
    },
    {
      note: "case is folded",
      word: "Severity",
      candidates: ["severity"],
      want: "did you mean `severity`?",
    },
    {
      note: "at least two edits are allowed on a short word",
      word: "ab",
      candidates: ["xy"],
      want: "did you mean `xy`?",
    },
    { note: "nothing close", word: "registry", candidates: ["names", "kinds"], want: undefined },
    {
      note: "duplicates count once",
      word: "pod",
      candidates: ["pods", "pods"],
      want: "did you mean `pods`?",
    },
  ])("up-to-two: $note", ({ word, candidates, want }) => {
    expect(didYouMean(word, candidates)).toBe(want);
  });

  it.each([
    {
      note: "a swap of neighbours is one edit",
      word: "lables",
      candidates: ["labels", "annotations"],
      want: "did you mean `labels`?",
    },
    {
      note: "only the nearest is offered",
      word: "imag",
      candidates: ["images", "image"],
      want: "did you mean `image`?",
    },
    {
      note: "a case-only difference is nearest",
      word: "HostPID",
      candidates: ["hostPID", "hostIPC"],
      want: "did you mean `hostPID`?",
    },
    {
      note: "one edit at most on a short name",
      word: "ab",
      candidates: ["xy", "ac"],
      want: "did you mean `ac`?",
    },
    {
      note: "ties go to the first in sorted order",
      word: "cat",
      candidates: ["cut", "bat"],
      want: "did you mean `bat`?",
    },
    { note: "nothing close", word: "nam", candidates: ["spec"], want: undefined },
  ])("nearest-one: $note", ({ word, candidates, want }) => {
    expect(didYouMean(word, candidates, "nearest-one")).toBe(want);
  });

  // Names as callers have them (identifiers, keys), so the backquotes of the text delimit them.
  const word = fc.stringMatching(/^[a-zA-Z.-]{0,8}$/);
  const names = fc.array(word, { maxLength: 6 });
  const offered = (text: string | undefined) =>
    [...(text ?? "").matchAll(/`([^`]*)`/g)].map((m) => m[1] as string);

  it("up-to-two offers at most two candidates, a case-only match first", () => {
    fc.assert(
      fc.property(word, names, (w, candidates) => {
        const shown = offered(didYouMean(w, candidates));
        expect(shown.length).toBeLessThanOrEqual(2);
        for (const name of shown) expect(candidates).toContain(name);
        if (candidates.some((c) => c.toLowerCase() === w.toLowerCase())) {
          expect(shown[0]?.toLowerCase()).toBe(w.toLowerCase());
        }
      }),
    );
  });

  it("nearest-one offers a candidate no other is nearer than", () => {
    const distance = (a: string, b: string) =>
      a.toLowerCase() === b.toLowerCase() ? 0 : editDistance(a, b);
    fc.assert(
      fc.property(word, names, (w, candidates) => {
        const shown = offered(didYouMean(w, candidates, "nearest-one"));
        expect(shown.length).toBeLessThanOrEqual(1);
        const [best] = shown;
        if (best === undefined) return;
        expect(candidates).toContain(best);
        for (const other of candidates)
          expect(distance(w, other)).toBeGreaterThanOrEqual(distance(w, best));
      }),
    );
  });
});

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "abc", 0],
    ["abc", "acb", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("%j to %j is %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});
