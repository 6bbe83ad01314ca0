import { describe, expect, it } from "vitest";
import { progressMeter } from "./progress.js";

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe("progressMeter", () => {
  it("is nothing when stderr is not a terminal", () => {
    expect(progressMeter(terminal(false))).toBeUndefined();
  });

  it("rewrites one line, only after the delay and at most once per interval, and clears it", () => {
    const stream = terminal(true);
    let now = 1000;
    const meter = progressMeter(stream, { delayMs: 300, intervalMs: 100, clock: () => now });
    meter?.update(10); // before the delay: a short scan shows nothing
    now = 1300;
    meter?.update(2000);
    now = 1350;
    meter?.update(3000); // within the interval
    now = 1400;
    meter?.update(12345);
    meter?.clear();
    meter?.clear(); // nothing left to clear
    expect(stream.written).toEqual([
      "\r2,000 documents scanned\x1b[K",
      "\r12,345 documents scanned\x1b[K",
      "\r\x1b[K",
    ]);
  });

  it("a scan that ends before the delay clears nothing", () => {
    const stream = terminal(true);
    const meter = progressMeter(stream, { clock: () => 0 });
    meter?.update(5);
    meter?.clear();
    expect(stream.written).toEqual([]);
  });
});
