import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("the backoff of a broken watch", () => {
  it("doubles up to the cap, jitters down by at most a fifth, and starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 700 });
    const delays = Array.from({ length: 6 }, () => backoff.next());
    const nominal = [100, 200, 400, 700, 700, 700];
    delays.forEach((delay, i) => {
      const expected = nominal[i] as number;
      expect(delay).toBeLessThanOrEqual(expected);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(expected * 0.8));
    });
    backoff.reset();
    expect(backoff.next()).toBeLessThanOrEqual(100);
  });
});
