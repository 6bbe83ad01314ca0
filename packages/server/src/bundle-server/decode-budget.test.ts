/** The decode budget: slots, the short wait queue, and the byte reservations. */
import { describe, expect, it } from "vitest";
import { createDecodeBudget, WAITERS_PER_DECODER } from "./decode-budget.js";

describe("createDecodeBudget", () => {
  it("hands a freed slot to the first waiter and refuses when the queue is full", async () => {
    const budget = createDecodeBudget({ maxDecoders: 1, maxBytes: 100, maxWaitMs: 60_000 });
    const first = await budget.enter();
    expect(first).toBeDefined();
    const waiters = Array.from({ length: WAITERS_PER_DECODER }, () => budget.enter());
    expect(budget.waiting()).toBe(WAITERS_PER_DECODER);
    expect(await budget.enter()).toBeUndefined();
    first?.leave();
    const second = await waiters[0];
    expect(second).toBeDefined();
    expect(budget.busy()).toBe(1);
    expect(budget.waiting()).toBe(WAITERS_PER_DECODER - 1);
    // A waiter whose client went away leaves the queue at once.
    const gone = new AbortController();
    const leaving = budget.enter(gone.signal);
    gone.abort();
    expect(await leaving).toBeUndefined();
    second?.leave();
    for (const waiter of waiters.slice(1)) (await waiter)?.leave();
    expect(budget.busy()).toBe(0);
    expect(budget.waiting()).toBe(0);
  });

  it("gives up on a wait after maxWaitMs", async () => {
    const budget = createDecodeBudget({ maxDecoders: 1, maxWaitMs: 50 });
    const held = await budget.enter();
    const started = Date.now();
    expect(await budget.enter()).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    held?.leave();
  });

  it("reserves bytes up to the budget and returns them all on leave", async () => {
    const budget = createDecodeBudget({ maxDecoders: 2, maxBytes: 100 });
    const a = await budget.enter();
    const b = await budget.enter();
    expect(a?.reserve(70)).toBe(true);
    expect(b?.reserve(40)).toBe(false);
    expect(budget.used()).toBe(70);
    a?.release(20);
    expect(b?.reserve(40)).toBe(true);
    a?.leave();
    a?.leave();
    expect(budget.used()).toBe(40);
    expect(a?.reserve(1)).toBe(false);
    b?.leave();
    expect(budget.used()).toBe(0);
    expect(budget.busy()).toBe(0);
  });
});
