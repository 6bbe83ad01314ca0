import { describe, expect, it } from "vitest";
import { eventInstant, parseSince, parseUntil, parseWindow, windowStart } from "./time.js";

describe("audit time flags", () => {
  it("a bare date starts --since and ends --until at UTC midnight", () => {
    expect(parseSince("2026-01-05")).toBe(Date.parse("2026-01-05T00:00:00Z"));
    expect(parseUntil("2026-01-05")).toBe(Date.parse("2026-01-06T00:00:00Z"));
    expect(parseUntil("2026-01-05T12:30:00+02:00")).toBe(Date.parse("2026-01-05T10:30:00Z"));
  });

  it.each(["yesterday", "2026-02-30", "2026-01-05 10:00", "1736000000"])(
    "rejects %s with a CharterError",
    (value) => {
      expect(() => parseSince(value)).toThrow(/is not a date/);
      expect(() => parseUntil(value)).toThrow(/is not a date/);
    },
  );

  it("windows: minutes, hours, days, aligned on UTC", () => {
    expect(parseWindow("1h")).toBe(3_600_000);
    expect(parseWindow("1d")).toBe(86_400_000);
    expect(parseWindow("15m")).toBe(900_000);
    for (const bad of ["0h", "1w", "h", "1.5h", ""]) {
      expect(() => parseWindow(bad)).toThrow(/is not a duration/);
    }
    const instant = Date.parse("2026-01-05T17:42:00Z");
    expect(new Date(windowStart(instant, 86_400_000)).toISOString()).toBe(
      "2026-01-05T00:00:00.000Z",
    );
    expect(new Date(windowStart(instant, 3_600_000)).toISOString()).toBe(
      "2026-01-05T17:00:00.000Z",
    );
  });

  it("reads OPA's nanosecond timestamps, else received_at", () => {
    expect(eventInstant("2026-01-05T10:15:00.123456789Z", undefined)).toBe(
      Date.parse("2026-01-05T10:15:00.123Z"),
    );
    expect(eventInstant(undefined, "2026-01-06T00:00:00Z")).toBe(
      Date.parse("2026-01-06T00:00:00Z"),
    );
    expect(eventInstant("garbage", "2026-01-06T00:00:00Z")).toBe(
      Date.parse("2026-01-06T00:00:00Z"),
    );
    expect(eventInstant(undefined, undefined)).toBeNaN();
  });
});
