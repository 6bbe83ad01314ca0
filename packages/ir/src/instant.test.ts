import { describe, expect, it } from "vitest";
import { instantNanos } from "./instant.js";

describe("RFC 3339 instants to the nanosecond", () => {
  it("keeps nanoseconds a Date would lose", () => {
    const a = instantNanos("2021-08-25T12:20:30.000000005Z");
    const b = instantNanos("2021-08-25T12:20:30.000000006Z");
    expect(a).toBe(1_629_894_030_000_000_005n);
    expect(b).toBe(1_629_894_030_000_000_006n);
  });

  it("applies the offset: 17:14+09:00 is 08:14Z", () => {
    expect(instantNanos("2022-07-24T17:14:04.864682+09:00")).toBe(
      instantNanos("2022-07-24T08:14:04.864682Z"),
    );
    expect(instantNanos("2022-07-24T00:00:00-01:30")).toBe(instantNanos("2022-07-24T01:30:00Z"));
  });

  it("cuts fractions past nanoseconds, as Go does", () => {
    expect(instantNanos("1970-01-01T00:00:00.1234567891Z")).toBe(123_456_789n);
  });

  it("reads years before 100 as themselves", () => {
    expect(instantNanos("0001-01-01T00:00:00Z")).toBe(-62_135_596_800_000_000_000n);
  });

  it.each([
    ["a date only", "2021-08-25"],
    ["lower-case t", "2021-08-25t12:20:30Z"],
    ["no offset", "2021-08-25T12:20:30"],
    ["February 29 of a common year", "2021-02-29T00:00:00Z"],
    ["hour 24", "2021-08-25T24:00:00Z"],
    ["a leap second (Go refuses it)", "2016-12-31T23:59:60Z"],
    ["an offset hour of 24", "2021-08-25T12:00:00+24:00"],
    ["epoch seconds", 1629894030],
    ["nothing", undefined],
  ])("refuses %s", (_what, text) => {
    expect(instantNanos(text)).toBeUndefined();
  });

  it("takes February 29 of a leap year", () => {
    expect(instantNanos("2024-02-29T00:00:00Z")).toBe(1_709_164_800_000_000_000n);
  });
});
