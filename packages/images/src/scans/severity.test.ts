import { describe, expect, it } from "vitest";
import { isSeverity, severityRank, vendorSeverity } from "./severity.js";

describe("severities", () => {
  it("reads trivy-db's vendor numbers 0–4", () => {
    expect([0, 1, 2, 3, 4].map(vendorSeverity)).toEqual([
      "UNKNOWN",
      "LOW",
      "MEDIUM",
      "HIGH",
      "CRITICAL",
    ]);
  });

  it.each([5, -1, 2.5, "2", null])("%j is not a vendor rating", (value) => {
    expect(vendorSeverity(value)).toBeUndefined();
  });

  it("ranks CRITICAL highest and UNKNOWN lowest", () => {
    expect(severityRank("CRITICAL")).toBeGreaterThan(severityRank("HIGH"));
    expect(severityRank("LOW")).toBeGreaterThan(severityRank("UNKNOWN"));
  });

  it("is case-sensitive, as Trivy writes them", () => {
    expect(isSeverity("HIGH")).toBe(true);
    expect(isSeverity("high")).toBe(false);
  });
});
